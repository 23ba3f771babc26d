"""The weekly digest: exactly what is a member's on a chosen day, sent by the worker in plain
text and HTML with links back; nothing to someone with digests off, who has left, or who has
nothing due; never twice in a week."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from governance.models import AssessmentTemplate, DigestDelivery, SelfAssessment
from governance.services.digests import digest_for, digest_send, digests_send_weekly
from governance.tasks import send_digest, send_weekly_digests
from pace_hub.models import Membership
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.governance.factories import ActionFactory, GovernanceGroupFactory, MeetingFactory
from tests.measures.factories import MilestoneImportFactory
from tests.pdsa.factories import ChangeIdeaFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db

# A Monday.
MONDAY = datetime.date(2026, 10, 5)
AT = datetime.datetime(2026, 10, 5, 7, 0, tzinfo=ZoneInfo("Europe/London"))


def _days(n: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=n)


@pytest.fixture
def week(cast):
    """A week in which the lead has something of every kind, the data lead has an upload due and
    the member has nothing."""
    org, lead, data = cast.org, cast.members[Role.LEAD], cast.members[Role.DATA]
    lead.user.first_name = "Fiona"
    lead.user.save()
    org.pace_lead, org.data_lead = lead, data
    org.save()
    meeting = MeetingFactory(organisation=org)
    ActionFactory(
        organisation=org, meeting=meeting, owner=lead, description="Book the legal advice slot", due_on=_days(-3)
    )
    ActionFactory(
        organisation=org, meeting=None, owner=lead, description="Name a second data uploader", due_on=_days(4)
    )
    ActionFactory(organisation=org, meeting=meeting, owner=lead, description="Later thing", due_on=_days(30))
    ActionFactory(
        organisation=org,
        meeting=meeting,
        owner=lead,
        description="Done thing",
        due_on=_days(-1),
        status="done",
        closed_on=_days(-1),
    )
    ActionFactory(
        organisation=org,
        meeting=meeting,
        owner=cast.members[Role.ADMIN],
        description="Someone else's",
        due_on=_days(20),
    )
    idea = ChangeIdeaFactory(organisation=org, title="Carer letters")
    PDSACycleFactory(change_idea=idea, number=1, lead=lead, status="study")
    PDSACycleFactory(change_idea=idea, number=2, lead=lead, status="act")
    PDSACycleFactory(change_idea=idea, number=3, lead=lead, status="do")
    due = AimFactory(
        organisation=org, title="Permanence within 6 months", status="active", lead=lead, review_interval_days=90
    )
    due.last_reviewed = _days(-88)
    due.save()
    later = AimFactory(organisation=org, title="Panel sooner", status="active", lead=lead, review_interval_days=90)
    later.last_reviewed = _days(-10)
    later.save()
    SelfAssessment.objects.create(
        organisation=org, template=AssessmentTemplate.objects.current(), taken_on=datetime.date(2026, 4, 10)
    )
    GovernanceGroupFactory(organisation=org, name="Corporate Parenting Board", reporter=lead, cadence="quarterly")
    MilestoneImportFactory(
        organisation=org,
        status="committed",
        uploaded_by=data.user,
        committed_at=datetime.datetime(2026, 8, 20, 12, 0, tzinfo=ZoneInfo("Europe/London")),
    )
    return cast


def _texts(digest) -> dict[str, list[str]]:
    return {section.title: [item.text for item in section.items] for section in digest.sections}


def test_the_digest_for_a_lead_on_a_chosen_day(week) -> None:
    digest = digest_for(membership=Membership.objects.get(pk=week.members[Role.LEAD].pk), on=MONDAY)
    assert _texts(digest) == {
        "Your actions due or overdue": [
            "Book the legal advice slot (overdue since 2 October)",
            "Name a second data uploader (due Friday 9 October)",
        ],
        "PDSA cycles waiting for Study or Act": [
            "Carer letters — cycle 1: waiting for Study (what happened is recorded: what did we learn?)",
            "Carer letters — cycle 2: waiting for Act (decide: adopt, adapt, abandon or run another cycle)",
        ],
        "Aims you lead that are due for review": ["Permanence within 6 months (review due Wednesday 7 October)"],
        "Self-assessment due": ["The next self-assessment is due Saturday 10 October (6 months after 10 April 2026)."],
        "Governance reports due": [
            "Corporate Parenting Board: the report for July to September 2026 is due Wednesday 21 October."
        ],
    }
    overdue = [item.overdue for section in digest.sections for item in section.items]
    assert overdue == [True, False, False, False, False, False, False]
    assert digest.items == 7


def test_the_digest_for_the_data_lead_says_an_upload_is_due(week) -> None:
    digest = digest_for(membership=week.members[Role.DATA], on=MONDAY)
    assert _texts(digest) == {
        "Milestone data upload due": [
            "The last milestone data upload was 46 days ago; uploads are expected every 31 days."
        ]
    }
    assert digest.sections[0].items[0].url.endswith(reverse("milestone_import_new", args=[week.org.slug]))


def test_the_worker_sends_plain_and_html_parts_with_links_back(week, django_capture_on_commit_callbacks) -> None:
    with time_machine.travel(AT, tick=False), django_capture_on_commit_callbacks(execute=True):
        handed = send_weekly_digests.delay().get()
    # Every member with digests on is handed to the worker (the outsider too, for their own
    # organisation, which has no PACE Lead and no self-assessment: its admin hears about that).
    assert handed == 6
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(
        [week.members[Role.LEAD].user.email, week.members[Role.DATA].user.email, week.outsider.user.email]
    )
    message = next(m for m in mail.outbox if m.to == [week.members[Role.LEAD].user.email])
    assert message.subject == "Your PACE week: 7 things for Aberdeen City"
    assert "Hello Fiona," in message.body and "- Overdue: Book the legal advice slot" in message.body
    assert "http://127.0.0.1:8000/o/aberdeen-city/communications/digest/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert '<html lang="en-GB">' in html and "<h2" in html and "Switch the weekly digest off" in html
    assert f'href="http://127.0.0.1:8000{week.members[Role.LEAD].organisation.get_absolute_url()}"' in html
    # Beat running again in the same week sends nothing new.
    with (
        time_machine.travel(AT + datetime.timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_weekly_digests.delay().get()
    assert len(mail.outbox) == 3
    assert DigestDelivery.objects.count() == 3


def test_nothing_is_sent_to_someone_with_digests_off(week, django_capture_on_commit_callbacks) -> None:
    lead = week.members[Role.LEAD]
    week.client(Role.LEAD).post(reverse("digest_preferences", args=[week.org.slug]), {})
    lead.refresh_from_db()
    assert lead.digests_enabled is False
    assert digest_send(membership_id=lead.pk, on=MONDAY) == f"skipped: {lead} has switched weekly digests off"
    with time_machine.travel(AT, tick=False), django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests.delay().get()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [week.members[Role.DATA].user.email, week.outsider.user.email]
    )
    assert not DigestDelivery.objects.filter(membership=lead).exists()


def test_a_member_who_left_or_has_nothing_due_is_skipped_with_the_reason(week) -> None:
    member = week.members[Role.MEMBER]
    assert digest_send(membership_id=member.pk, on=MONDAY) == f"skipped: nothing to tell {member} this week"
    gone = week.members[Role.VIEWER].pk
    Membership.objects.filter(pk=gone).delete()
    assert send_digest.delay(gone, MONDAY.isoformat()).get() == (
        f"skipped: membership {gone} no longer exists (the member has left the organisation)"
    )
    assert mail.outbox == []


def test_the_preference_page_shows_this_weeks_digest_and_switches_it(week) -> None:
    client = week.client(Role.VIEWER)
    url = reverse("digest_preferences", args=[week.org.slug])
    page = client.get(url).content.decode()
    assert "Nothing is due for you this week, so no digest would be sent." in page
    client.post(url, {"digests_enabled": "on"})
    assert Membership.objects.get(pk=week.members[Role.VIEWER].pk).digests_enabled is True
    client.post(url, {})
    assert Membership.objects.get(pk=week.members[Role.VIEWER].pk).digests_enabled is False
    with time_machine.travel(AT, tick=False):
        lead_page = week.client(Role.LEAD).get(url).content.decode()
    assert "Book the legal advice slot (overdue since 2 October)" in lead_page


def test_weekly_handover_counts_only_members_who_want_it(week) -> None:
    Membership.objects.filter(pk=week.members[Role.ADMIN].pk).update(digests_enabled=False)
    user = week.members[Role.MEMBER].user
    user.is_active = False
    user.save()
    assert digests_send_weekly(on=MONDAY) == 4
