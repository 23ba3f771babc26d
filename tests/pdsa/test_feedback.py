"""Feedback from children, families and colleagues: capture, the listening log, "you said, we did"."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pace_hub.roles import Role
from pdsa.forms.widgets import NO_NAMES
from pdsa.models import Feedback
from pdsa.services.listening import feedback_record, feedback_respond
from tests.pdsa.factories import ChangeIdeaFactory, FeedbackFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db


def test_feedback_on_a_cycle_belongs_to_its_idea(cast) -> None:
    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    feedback = feedback_record(
        organisation=cast.org,
        recorded_by=cast.members[Role.MEMBER].user,
        voice=Feedback.Voice.CARER,
        received_on=timezone.localdate(),
        text="Less waiting",
        easier="yes",
        cycle=cycle,
    )
    assert feedback.change_idea == cycle.change_idea


def test_feedback_refuses_other_organisations_and_future_dates(cast) -> None:
    foreign = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.other_org))
    common = {"organisation": cast.org, "recorded_by": None, "voice": "child", "text": "x"}
    with pytest.raises(ValidationError):
        feedback_record(received_on=timezone.localdate(), cycle=foreign, **common)
    with pytest.raises(ValidationError):
        feedback_record(received_on=timezone.localdate(), change_idea=foreign.change_idea, **common)
    with pytest.raises(ValidationError) as error:
        feedback_record(received_on=timezone.localdate() + datetime.timedelta(days=1), **common)
    assert "future" in str(error.value)


def test_response_closes_and_reopens_the_loop(cast) -> None:
    feedback = FeedbackFactory(organisation=cast.org)
    user = cast.members[Role.MEMBER].user
    feedback_respond(feedback=feedback, response="  We now send a letter before each review. ", user=user)
    assert feedback.response == "We now send a letter before each review."
    assert feedback.responded_by == user and feedback.responded_at is not None
    feedback_respond(feedback=feedback, response="", user=user)
    assert feedback.responded_at is None and feedback.responded_by is None


def test_member_records_standalone_feedback_with_the_no_names_warning(cast) -> None:
    client = cast.client(Role.MEMBER)
    url = f"/o/{cast.org.slug}/testing/listening/new/"
    page = client.get(url).content.decode()
    assert "Never write a child" in page and "No names of children" in page
    response = client.post(
        url,
        {
            "voice": "infant",
            "method": "Observation at contact",
            "received_on": timezone.localdate().isoformat(),
            "text": "Settled quickly and reached for the carer.",
            "easier": "",
            "too_long": "no",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.voice == "infant" and feedback.cycle is None and feedback.change_idea is None
    assert feedback.recorded_by == cast.members[Role.MEMBER].user
    assert "identifies a child" in NO_NAMES


def test_feedback_form_refuses_a_cycle_of_another_idea(cast) -> None:
    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    other_idea = ChangeIdeaFactory(organisation=cast.org)
    response = cast.client(Role.MEMBER).post(
        f"/o/{cast.org.slug}/testing/listening/new/",
        {
            "voice": "parent",
            "received_on": timezone.localdate().isoformat(),
            "text": "x",
            "cycle": cycle.pk,
            "change_idea": other_idea.pk,
        },
    )
    assert response.status_code == 200 and "different change idea" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_form_cannot_pick_another_organisations_cycle(cast) -> None:
    foreign = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.other_org))
    response = cast.client(Role.MEMBER).post(
        f"/o/{cast.org.slug}/testing/listening/new/",
        {"voice": "parent", "received_on": timezone.localdate().isoformat(), "text": "x", "cycle": foreign.pk},
    )
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert (
        cast.client(Role.MEMBER).get(f"/o/{cast.org.slug}/testing/listening/new/?cycle={foreign.code}").status_code
        == 404
    )


def test_listening_log_filters_by_voice_and_shows_the_response_share(cast, django_assert_num_queries) -> None:
    FeedbackFactory(organisation=cast.org, voice="child", text="The room felt friendly", response="We kept it")
    FeedbackFactory(organisation=cast.org, voice="carer", text="Too many forms")
    FeedbackFactory(organisation=cast.org, voice="carer", text="Letters came late")
    FeedbackFactory(organisation=cast.other_org, voice="carer", text="Someone else's")
    client = cast.client(Role.VIEWER)
    url = f"/o/{cast.org.slug}/testing/listening/"
    page = client.get(url).content.decode()
    assert "33%" in page and "(1 of 3)" in page and "Someone else" not in page
    assert "Record feedback" not in page  # viewers read only
    carers = client.get(url + "?voice=carer").content.decode()
    assert "Too many forms" in carers and "The room felt friendly" not in carers
    assert "You said, we did:</strong> We kept it" in page
    client.get(url)
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(20):
        FeedbackFactory(
            organisation=cast.org,
            voice="parent",
            text=f"Parent {n}",
            cycle=PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org)),
        )
    with django_assert_num_queries(7):
        client.get(url)


def test_unknown_voice_filter_shows_everything(cast) -> None:
    FeedbackFactory(organisation=cast.org, voice="child", text="Hello")
    page = cast.client(Role.VIEWER).get(f"/o/{cast.org.slug}/testing/listening/?voice=dragon").content.decode()
    assert "Hello" in page


def test_respond_you_said_we_did(cast) -> None:
    feedback = FeedbackFactory(organisation=cast.org)
    url = f"/o/{cast.org.slug}/testing/listening/{feedback.code}/respond/"
    assert cast.client(Role.VIEWER).post(url, {"response": "x"}).status_code == 403
    response = cast.client(Role.MEMBER).post(url + "?next=https://evil.example/", {"response": "We changed it"})
    assert response.status_code == 302 and response["Location"] == f"/o/{cast.org.slug}/testing/listening/"
    feedback.refresh_from_db()
    assert feedback.response == "We changed it"


def test_listening_log_filters_to_one_idea(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    FeedbackFactory(organisation=cast.org, change_idea=idea, text="About the idea", voice="parent")
    FeedbackFactory(organisation=cast.org, text="Something else", voice="parent")
    client = cast.client(Role.MEMBER)
    url = f"/o/{cast.org.slug}/testing/listening/?idea={idea.code}"
    page = client.get(url).content.decode()
    assert "About the idea" in page and "Something else" not in page and "(1 of 1)" not in page
    assert f"?idea={idea.code}&amp;voice=parent" in page or f"?idea={idea.code}&voice=parent" in page
    foreign = ChangeIdeaFactory(organisation=cast.other_org)
    assert client.get(f"/o/{cast.org.slug}/testing/listening/?idea={foreign.code}").status_code == 404


def test_idea_panel_shows_the_latest_feedback_and_links_to_the_rest(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    for n in range(5):
        FeedbackFactory(organisation=cast.org, change_idea=idea, text=f"Voice number {n}", response="Done" if n else "")
    page = cast.client(Role.VIEWER).get(f"/o/{cast.org.slug}/testing/ideas/{idea.code}/").content.decode()
    assert "4 of 5</strong> (80%)" in page and "see all 5 in the listening log" in page
    assert page.count("Voice number") == 3


def test_member_corrects_feedback_and_only_admins_delete_it(cast) -> None:
    feedback = FeedbackFactory(organisation=cast.org, voice="child", text="Jamie said it was better")
    url = f"/o/{cast.org.slug}/testing/listening/{feedback.code}/"
    member = cast.client(Role.MEMBER)
    page = member.get(url + "edit/").content.decode()
    assert "Jamie said it was better" in page and "Delete this feedback" not in page
    response = member.post(
        url + "edit/",
        {"voice": "child", "received_on": feedback.received_on.isoformat(), "text": "The child said it was better"},
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.text == "The child said it was better"
    assert member.post(url + "delete/").status_code == 403
    assert "Delete this feedback" in cast.client(Role.ADMIN).get(url + "edit/").content.decode()
    assert cast.client(Role.ADMIN).post(url + "delete/").status_code == 302
    assert not Feedback.objects.exists()


def test_answer_summary_counts_the_structured_answers() -> None:
    from pdsa.selectors.spread import answer_summary

    answers = [("yes", "no"), ("yes", ""), ("partly", "yes"), ("", "")]
    assert answer_summary(answers) == [
        "Easier or more helpful: 2 yes, 1 partly (of 3 asked)",
        "Took too long: 1 yes, 1 no (of 2 asked)",
    ]
    assert answer_summary([("", "")]) == []
