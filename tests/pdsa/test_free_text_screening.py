"""Free text that seems to identify a child is saved with a warning naming what was found
(PDSA learning, feedback, chart annotations, inbox submissions); publishing refuses it
(tests/pdsa/test_library.py)."""

from django.utils import timezone

from measures.models import Annotation
from pace_hub.roles import Role
from pdsa.models import Feedback, IdeaSubmission
from tests.measures.factories import MeasureFactory
from tests.pdsa.factories import ChangeIdeaFactory, PDSACycleFactory

AUDIT_SENTENCE = "Helped Jamie MacLeod (DOB 03/04/2016, CHI 0304161234)"


def _warning(response) -> str:
    return next((str(message) for message in response.context["messages"] if message.level_tag == "warning"), "")


def test_learning_with_identifying_details_is_saved_with_a_warning_saying_what(cast) -> None:
    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    url = f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/study/"
    response = cast.client(Role.MEMBER).post(url, {"learning": AUDIT_SENTENCE}, follow=True)
    cycle.refresh_from_db()
    assert cycle.learning == AUDIT_SENTENCE  # the save stands
    warning = _warning(response)
    assert "“Jamie MacLeod” (a full name)" in warning
    assert "“DOB 03/04/2016” (a date of birth)" in warning and "“0304161234” (a CHI number)" in warning


def test_learning_without_identifying_details_gets_no_warning(cast) -> None:
    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    url = f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/study/"
    response = cast.client(Role.MEMBER).post(url, {"learning": "Booked in 9 days for 12 cases."}, follow=True)
    assert _warning(response) == ""


def test_feedback_with_a_postcode_is_saved_with_a_warning(cast) -> None:
    response = cast.client(Role.MEMBER).post(
        f"/o/{cast.org.slug}/testing/listening/new/",
        {
            "voice": "parent",
            "method": "Conversation",
            "received_on": timezone.localdate().isoformat(),
            "text": "We moved to AB10 1XG and the letters went to the old address.",
            "easier": "",
            "too_long": "no",
        },
        follow=True,
    )
    assert Feedback.objects.count() == 1
    assert "“AB10 1XG” (a postcode)" in _warning(response)


def test_a_chart_annotation_naming_a_child_is_saved_with_a_warning(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    response = cast.client(Role.LEAD).post(
        f"/o/{cast.org.slug}/measures/{measure.code}/annotations/new/",
        {"date": "2025-03-04", "text": "Mrs Smith's case went to panel", "link": ""},
        follow=True,
    )
    assert Annotation.objects.filter(measure=measure).exists()
    assert "“Mrs Smith” (a full name)" in _warning(response)


def test_an_inbox_submission_with_a_date_of_birth_is_saved_with_a_warning(cast) -> None:
    response = cast.client(Role.MEMBER).post(
        f"/o/{cast.org.slug}/testing/inbox/send/",
        {"kind": "barrier", "what": "The child born 3 April 2016 waited a year for panel", "who_affected": ""},
        follow=True,
    )
    assert IdeaSubmission.objects.count() == 1
    assert "(a date of birth)" in _warning(response)
