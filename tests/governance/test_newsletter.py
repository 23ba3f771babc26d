"""The newsletter: drafted from recent learning, edited, exported as e-mail-ready HTML and PDF,
issued and logged; small counts of children never leave in it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.models import Communication, Newsletter
from governance.services.newsletter import body_blocks, newsletter_draft, newsletter_issue, newsletter_update
from measures.models import DataPoint
from pace_hub.roles import Role
from tests.aims.factories import AimFactory, AimMeasureFactory
from tests.measures.factories import TimescaleFactory
from tests.pdsa.factories import ChangeIdeaFactory, FeedbackFactory, ImplementationFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)


@pytest.fixture
def learning(cast):
    org = cast.org
    idea = ChangeIdeaFactory(organisation=org, title="Legal advice at the first review", status="testing")
    PDSACycleFactory(
        change_idea=idea,
        number=2,
        status="complete",
        setting="North locality",
        end_date=datetime.date(2026, 2, 20),
        learning="Booking at the review saved three weeks.",
        decision="adapt",
        next_steps="Try it in the South locality.",
    )
    PDSACycleFactory(change_idea=idea, number=3, status="complete", end_date=datetime.date(2025, 11, 1), learning="Old")
    live = ImplementationFactory(
        change_idea=ChangeIdeaFactory(organisation=org, title="Panel papers template", status="implemented"),
        guidance_what="One template for every panel paper.",
        guidance_why="Papers arrive complete.",
        contacts="Fiona Bruce, panel adviser",
        started_on=datetime.date(2026, 2, 1),
        live_on=datetime.date(2026, 3, 2),
    )
    answered = FeedbackFactory(
        organisation=org,
        voice="carer",
        text="I didn't know what happens after the panel.",
        received_on=datetime.date(2026, 1, 5),
    )
    answered.response = "We now send a letter after every panel."
    answered.responded_at = timezone.make_aware(datetime.datetime(2026, 2, 1, 10, 0))
    answered.save()
    percent = AimMeasureFactory(organisation=org, unit="%")
    DataPoint.objects.create(organisation=org, measure=percent, period=datetime.date(2026, 2, 1), value=72.5)
    AimFactory(
        organisation=org,
        title="Permanence within 6 months",
        status="active",
        outcome_measure=percent,
        progress_score="3.0",
    )
    waiting = AimMeasureFactory(
        organisation=org,
        unit="children",
        source="derived",
        derivation="waiting",
        timescale=TimescaleFactory(organisation=org),
    )
    DataPoint.objects.create(organisation=org, measure=waiting, period=datetime.date(2026, 3, 1), value=3)
    AimFactory(organisation=org, title="Fewer children waiting", status="active", outcome_measure=waiting)
    return live


def _draft(cast) -> Newsletter:
    return newsletter_draft(
        organisation=cast.org,
        period_start=START,
        period_end=END,
        created_by=cast.members[Role.LEAD].user,
        site_url="https://pace.example.scot/",
    )


def test_the_draft_gathers_the_periods_learning(cast, learning) -> None:
    newsletter = _draft(cast)
    assert newsletter.title == "Aberdeen City PACE newsletter: March 2026"
    sections = {section.kind: section for section in newsletter.sections.all()}
    assert [s.heading for s in newsletter.sections.order_by("position")] == [
        "Completed cycles and what they taught",
        "Changes gone live",
        "You said, we did",
        "Aims progress",
    ]
    cycles = sections["cycles"].body
    assert (
        "- Legal advice at the first review: Cycle 2 in North locality. What we learned: Booking at the review saved "
        "three weeks. Decision: adapt — Try it in the South locality. https://pace.example.scot/o/aberdeen-city/testing/cycles/"
    ) in cycles
    assert "Old" not in cycles
    changes = sections["changes"].body
    assert (
        "- Panel papers template: Live from 2 March 2026. One template for every panel paper. "
        "Why: Papers arrive complete." in changes
    )
    assert f"https://pace.example.scot/o/aberdeen-city/testing/implementations/{learning.code}/package/" in changes
    you_said = sections["you_said"].body
    assert (
        "- Carer (January 2026): You said: \u201cI didn't know what happens after the panel.\u201d "
        "We did: We now send a letter after every panel."
    ) in you_said
    aims = sections["aims"].body
    assert "Latest: 72.5% (February 2026). Progress: 3.0 — Modest improvement." in aims
    assert "Latest: <5 (March 2026)." in aims and "Latest: 3 children" not in aims


def test_an_empty_period_says_so(cast) -> None:
    newsletter = _draft(cast)
    bodies = list(newsletter.sections.order_by("position").values_list("body", flat=True))
    assert bodies == [
        "No PDSA cycles were completed from 1 January 2026 to 31 March 2026.",
        "No changes went live from 1 January 2026 to 31 March 2026.",
        "No \u201cyou said, we did\u201d responses were recorded from 1 January 2026 to 31 March 2026.",
        "There are no active aims.",
    ]


def test_a_period_ending_in_the_future_or_backwards_is_refused(cast) -> None:
    with pytest.raises(ValidationError) as error:
        newsletter_draft(
            organisation=cast.org,
            period_start=END,
            period_end=START,
            created_by=None,
        )
    assert error.value.message_dict == {"period_end": ["The period must end on or after the day it starts."]}
    with pytest.raises(ValidationError, match="cannot end in the future"):
        newsletter_draft(
            organisation=cast.org,
            period_start=START,
            period_end=timezone.localdate() + datetime.timedelta(days=1),
            created_by=None,
        )


def test_editing_exporting_and_issuing(cast, learning) -> None:
    newsletter = _draft(cast)
    client = cast.client(Role.LEAD)
    edit = reverse("newsletter_edit", args=[cast.org.slug, newsletter.code])
    sections = list(newsletter.sections.order_by("position"))
    data = {"title": "Spring PACE news", "intro": "Hello from the leads group."}
    for section in sections:
        data[f"section-{section.pk}-heading"] = section.heading
        data[f"section-{section.pk}-body"] = section.body
    data[f"section-{sections[1].pk}-delete"] = "on"
    data["section-new-heading"] = "Dates for your diary"
    data["section-new-body"] = "- 12 May: PACE learning event <b>bring a colleague</b>"
    assert client.post(edit, data).status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.title == "Spring PACE news"
    assert list(newsletter.sections.order_by("position").values_list("heading", flat=True)) == [
        "Completed cycles and what they taught",
        "You said, we did",
        "Aims progress",
        "Dates for your diary",
    ]

    html = client.get(reverse("newsletter_html", args=[cast.org.slug, newsletter.code]))
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert html["Content-Disposition"] == 'attachment; filename="newsletter-2026-03-31.html"'
    body = html.content.decode()
    assert '<html lang="en-GB">' in body and "<h1 " in body and "Spring PACE news" in body
    assert "&lt;b&gt;bring a colleague&lt;/b&gt;" in body  # what people type is escaped
    assert '<li style="margin:0 0 8px;">12 May: PACE learning event' in body
    assert "<script" not in body and "stylesheet" not in body  # self-contained, inline styles
    pdf = client.get(reverse("newsletter_pdf", args=[cast.org.slug, newsletter.code]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    issue = reverse("newsletter_issue", args=[cast.org.slug, newsletter.code])
    assert (
        client.post(
            issue, {"issued_on": timezone.localdate().isoformat(), "audience": "All children's services staff"}
        ).status_code
        == 302
    )
    newsletter.refresh_from_db()
    logged = Communication.objects.get(newsletter=newsletter)
    assert (newsletter.status, logged.channel, logged.audience) == (
        "issued",
        "newsletter",
        "All children's services staff",
    )
    assert logged.summary == (
        "Newsletter \u201cSpring PACE news\u201d: Completed cycles and what they taught; You said, we did; "
        "Aims progress; Dates for your diary."
    )
    assert client.get(edit).status_code == 302  # issued: no more editing
    with pytest.raises(ValidationError, match="already issued"):
        newsletter_issue(newsletter=newsletter, issued_on=timezone.localdate(), audience="Again", recorded_by=None)
    with pytest.raises(ValidationError, match="no longer changes"):
        newsletter_update(newsletter=newsletter, title="New", intro="", sections=[])


def test_members_draft_but_only_leads_issue_and_viewers_read(cast) -> None:
    member, viewer = cast.client(Role.MEMBER), cast.client(Role.VIEWER)
    response = member.post(
        reverse("newsletter_draft", args=[cast.org.slug]),
        {"period_start": START.isoformat(), "period_end": END.isoformat()},
    )
    newsletter = Newsletter.objects.get(organisation=cast.org)
    assert response["Location"] == reverse("newsletter_edit", args=[cast.org.slug, newsletter.code])
    issue = reverse("newsletter_issue", args=[cast.org.slug, newsletter.code])
    assert member.post(issue, {"issued_on": END.isoformat(), "audience": "x"}).status_code == 403
    assert viewer.get(newsletter.get_absolute_url()).status_code == 200
    assert viewer.post(reverse("newsletter_draft", args=[cast.org.slug]), {}).status_code == 403
    assert viewer.get(reverse("newsletter_pdf", args=[cast.org.slug, newsletter.code])).status_code == 200
    assert cast.client("outsider").get(newsletter.get_absolute_url()).status_code == 404


def test_body_blocks_make_paragraphs_and_lists() -> None:
    assert body_blocks("Intro line\ncontinues.\n\n- one\n- two\n\nEnd.") == [
        ("p", "Intro line continues."),
        ("ul", ["one", "two"]),
        ("p", "End."),
    ]
