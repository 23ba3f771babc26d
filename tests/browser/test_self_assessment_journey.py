"""The leads group's self-assessment in headless Chromium: the first one with the live-data hints
beside the questions and two actions set; six months later (time-machine) the next one, started
from the first, and the two compared; the lead opens the relationship map and the QI skills
register, drafts the newsletter from recent learning and exports it. axe checks each page."""

import datetime
import importlib
import re
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.models import Action, AssessmentTemplate, Communication, Newsletter, SelfAssessment
from pace_hub.models import Membership
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.factories import AgencyFactory, TeamFactory
from tests.measures.factories import MilestoneImportFactory
from tests.pdsa.factories import ChangeIdeaFactory, FeedbackFactory, PDSACycleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def template() -> AssessmentTemplate:
    """The template is migration data; an earlier transactional test may have emptied the tables."""
    if not AssessmentTemplate.objects.exists():
        importlib.import_module("governance.migrations.0004_self_assessment_template_v1").load(apps, None)
    return AssessmentTemplate.objects.current()


def _fieldset(page: Page, question: str):
    return page.locator("fieldset.answer-fieldset", has=page.locator("legend", has_text=question))


def _rate(page: Page, question: str, rating: str) -> None:
    _fieldset(page, question).get_by_label(rating, exact=True).check()


def _act(page: Page, question: str, what: str, owner: str, due: datetime.date) -> None:
    box = _fieldset(page, question)
    box.get_by_label("Action", exact=True).fill(what)
    box.get_by_label("Action owner").select_option(label=owner)
    box.get_by_label("Action due").fill(due.isoformat())


def _open_section(page: Page, title: str) -> None:
    page.get_by_role("link", name=f"Answer {title}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_self_assessment_repeat_compare_registers_and_newsletter(
    page: Page, live_server, cast, sign_in, assert_accessible, template
) -> None:
    org = cast.org
    lead, data, member = cast.members[Role.LEAD], cast.members[Role.DATA], cast.members[Role.MEMBER]
    for person, (first, last) in ((lead, ("Fiona", "Bruce")), (data, ("Iain", "Gray")), (member, ("Ruth", "Davidson"))):
        person.user.first_name, person.user.last_name = first, last
        person.user.save()
    leads = TeamFactory(organisation=org, name="Leads group", kind="leads")
    leads.members.set([lead, data, member])
    org.pace_lead = lead
    org.save()
    MilestoneImportFactory(
        organisation=org,
        status="committed",
        uploaded_by=data.user,
        committed_at=timezone.now() - datetime.timedelta(days=10),
    )
    AimFactory(organisation=org, title="Permanence within 6 months", kind="national", status="active", lead=lead)
    AgencyFactory(
        organisation=org,
        name="SCRA locality office",
        kind="scra",
        relationship="emerging",
        next_step="Invite the reporter",
        next_step_owner=lead,
        next_step_due=timezone.localdate() + datetime.timedelta(days=14),
    )
    AgencyFactory(organisation=org, name="Legal Services", kind="legal", relationship="strong")
    Membership.objects.filter(pk=data.pk).update(qi_skill="sil")
    Membership.objects.filter(pk=member.pk).update(wants_qi_training=True, qi_cpd_interest="Run charts")
    idea = ChangeIdeaFactory(organisation=org, title="Legal advice at the first review", lead=lead, status="testing")
    PDSACycleFactory(
        change_idea=idea,
        number=1,
        lead=lead,
        status="complete",
        end_date=timezone.localdate() - datetime.timedelta(days=5),
        learning="Booking at the review saved three weeks.",
        decision="adapt",
    )
    FeedbackFactory(organisation=org, voice="infant", text="Settled and smiling at family time.")
    today = timezone.localdate()

    # --- The first self-assessment, with the hints beside each question ------------------------
    sign_in(lead.user.email)
    page.get_by_role("link", name="Self-assessment", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessment")
    assert_accessible()
    page.get_by_role("link", name="Start a self-assessment").first.click()
    expect(page.get_by_label("Taken by")).to_have_value(str(leads.pk))
    page.get_by_role("button", name="Start the self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Self-assessment of {today:%-d %b %Y}")
    hints = page.locator("#section-data")
    expect(hints).to_contain_text("Only one person (Iain Gray) uploaded milestone data in the last six months")
    expect(hints).to_contain_text("a single point of failure")
    expect(page.locator("#section-listening")).to_contain_text(
        "1 piece of feedback from infants or non-verbal children (observed) in the last 90 days."
    )
    expect(page.get_by_role("link", name="Milestone data uploads").first).to_be_visible()
    assert_accessible()

    _open_section(page, "Data")
    expect(_fieldset(page, "A team can pull the data")).to_contain_text("a single point of failure")
    _rate(page, "A team can pull the data", "Started")
    _act(
        page,
        "A team can pull the data",
        "Train a second person to upload milestone data",
        "Ruth Davidson",
        today + datetime.timedelta(days=60),
    )
    _rate(page, "Everyone is clear who is responsible for collecting each milestone.", "Not started")
    assert_accessible()
    page.get_by_role("button", name="Save Data").click()
    expect(page.get_by_role("status").first).to_contain_text("Data: 2 answers saved.")

    _open_section(page, "Aims")
    _rate(page, "We set local aims, not just the PACE national aims.", "Embedded")
    _rate(page, "Aims are refreshed regularly", "Started")
    _act(
        page,
        "Aims are refreshed regularly",
        "Put aim reviews on the leads group agenda",
        "Fiona Bruce",
        today + datetime.timedelta(days=30),
    )
    page.get_by_role("button", name="Save Aims").click()
    expect(page.locator("#section-aims")).to_contain_text("Put aim reviews on the leads group agenda — Fiona Bruce")
    assert set(Action.objects.filter(organisation=org).values_list("description", flat=True)) == {
        "Train a second person to upload milestone data",
        "Put aim reviews on the leads group agenda",
    }
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("status").first).to_contain_text("Self-assessment complete")
    first = SelfAssessment.objects.get(organisation=org)
    assert first.is_complete and first.hints_snapshot["hints"]["uploaders"]["warning"] is True

    # --- Six months later: the next one starts from the first ----------------------------------
    later = timezone.now() + datetime.timedelta(days=183)
    with time_machine.travel(later, tick=True):
        page.context.clear_cookies()
        sign_in(lead.user.email)
        page.goto(f"{live_server.url}/o/{org.slug}/self-assessment/")
        expect(page.locator("#next-due")).to_contain_text("overdue")
        page.get_by_role("link", name="start it from the last one's ratings").click()
        expect(page.get_by_label("Start from")).to_have_value(str(first.pk))
        page.get_by_role("button", name="Start the self-assessment").click()
        second_day = timezone.localdate()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Self-assessment of {second_day:%-d %b %Y}")
        expect(page.locator("#section-data")).to_contain_text("Nobody uploaded milestone data in the last six months.")
        data_team = page.locator(
            "article", has=page.get_by_role("heading", name=re.compile("A team can pull the data"))
        )
        expect(data_team).to_contain_text("Started")
        expect(data_team).to_contain_text("was started")

        _open_section(page, "Data")
        _rate(page, "A team can pull the data", "In place")
        page.get_by_role("button", name="Save Data").click()
        _open_section(page, "Aims")
        _rate(page, "We set local aims, not just the PACE national aims.", "Started")
        page.get_by_role("button", name="Save Aims").click()
        expect(data_team).to_contain_text("moved up")

        page.get_by_role("link", name=re.compile("Compare with")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Compare {today:%-d %b %Y} with {second_day:%-d %b %Y}"
        )
        expect(page.locator("#moved-up")).to_contain_text(
            "A team can pull the data: it does not rely on one person.: started → in place"
        )
        expect(page.locator("#moved-down")).to_contain_text(
            "We set local aims, not just the PACE national aims.: embedded → started"
        )
        assert_accessible()
        page.goto(f"{live_server.url}/o/{org.slug}/self-assessment/")
        expect(page.locator(".heat-map")).to_contain_text("2.0 · in place")
        assert_accessible()

        # The exports.
        page.goto(live_server.url + SelfAssessment.objects.get(taken_on=second_day).get_absolute_url())
        with page.expect_download() as pdf:
            page.get_by_role("link", name="Export PDF").click()
        assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
        with page.expect_download() as xlsx:
            page.get_by_role("link", name="Export XLSX").click()
        assert xlsx.value.suggested_filename == f"self-assessment-{second_day}.xlsx"

        # Usable on a tablet.
        page.set_viewport_size({"width": 820, "height": 1000})
        assert _fits(page)
        page.set_viewport_size({"width": 1366, "height": 900})
        assert _fits(page)

    # --- The registers: the relationship map and the QI skills register --------------------------
    page.context.clear_cookies()
    sign_in(lead.user.email)
    page.goto(f"{live_server.url}/o/{org.slug}/team/")
    expect(page.locator("#leadership-card")).to_contain_text("Only one person leads testing")
    assert_accessible()
    page.get_by_role("link", name="Relationship map").first.click()
    expect(page.get_by_role("img", name=f"Relationship map of {org.name}")).to_be_visible()
    expect(page.locator("#relationship-table")).to_contain_text("Invite the reporter")
    assert_accessible()
    page.goto(f"{live_server.url}/o/{org.slug}/team/")
    page.get_by_role("link", name="QI skills register").click()
    expect(page.locator("#helpers")).to_contain_text("Iain Gray — Scottish Improvement Leader")
    expect(page.locator("#training-wanted")).to_contain_text("Ruth Davidson wants QI training: Run charts")
    assert_accessible()

    # --- The newsletter, drafted from recent learning, exported and issued ------------------------
    page.goto(f"{live_server.url}/o/{org.slug}/communications/")
    assert_accessible()
    page.get_by_role("link", name="Newsletters").click()
    page.get_by_role("link", name="Draft a newsletter from recent learning").click()
    page.get_by_role("button", name="Draft it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the newsletter")
    expect(page.get_by_label("Body").first).to_have_value(re.compile("Booking at the review saved three weeks."))
    assert_accessible()
    page.get_by_label("Title").fill("Aberdeen City PACE news")
    page.get_by_role("button", name="Save the newsletter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aberdeen City PACE news")
    expect(page.locator("article")).to_contain_text("Legal advice at the first review: Cycle 1")
    assert_accessible()
    with page.expect_download() as html:
        page.get_by_role("link", name="Export HTML for e-mail").click()
    body = Path(html.value.path()).read_text(encoding="utf-8")
    assert "Aberdeen City PACE news" in body and "Booking at the review saved three weeks." in body
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Export PDF").click()
    assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
    page.get_by_role("link", name="Issue and log it").click()
    page.get_by_label("Audience").fill("All children's services staff")
    page.get_by_role("button", name="Issue and log it").click()
    expect(page.get_by_role("status").first).to_contain_text("issued and logged")
    newsletter = Newsletter.objects.get(organisation=org)
    assert newsletter.status == "issued"
    assert Communication.objects.get(newsletter=newsletter).channel == "newsletter"
