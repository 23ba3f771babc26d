"""The leads group's theory of change, in headless Chromium: a lead drafts an aim with the SMART
builder, completes it, links its outcome measure, builds the driver diagram with change ideas and
refreshes the aim; a member sends an idea to the inbox and sees the lead's triage."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from aims.models import Aim, AimVersion
from measures.models import DataPoint
from pace_hub.roles import Role
from pdsa.models import ChangeIdea, IdeaSubmission
from tests.aims.factories import AimMeasureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch_user(page: Page, sign_in, email: str) -> None:
    page.context.clear_cookies()
    sign_in(email)


def test_lead_builds_an_aim_and_member_uses_the_inbox(
    page: Page, live_server, cast, sign_in, assert_accessible
) -> None:
    lead, member, viewer = (cast.members[role] for role in (Role.LEAD, Role.MEMBER, Role.VIEWER))
    outcome = AimMeasureFactory(organisation=cast.org, title="% recommended within 6 months", better="up")
    for month, value in enumerate([55, 52, 57, 54, 56, 55, 60, 63, 66, 70, 71, 74], start=1):
        DataPoint.objects.create(
            organisation=cast.org, measure=outcome, period=datetime.date(2025, month, 1), value=value
        )

    sign_in(lead.user.email)
    page.get_by_role("link", name="Aims", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aims")
    assert_accessible()

    # Start from the PACE national aim template; make it active before it is complete.
    page.get_by_role("link", name="New aim").click()
    page.get_by_label("Start from a template").select_option(label="Permanence recommendation within 6 months")
    page.get_by_role("button", name="Use this template").click()
    expect(page.get_by_label("Who (population)")).to_have_value("children who become looked after and accommodated")
    # The national aim comes with its national target.
    expect(page.get_by_label("To (target value)")).to_have_value(re.compile(r"^90(\.0)?$"))
    expect(page.locator("#template-warning")).to_have_count(0)
    page.get_by_label("Status").select_option("active")
    preview = page.locator("#statement-preview")
    expect(preview).to_contain_text("90% of children who become looked after and accommodated will have")
    expect(preview).to_contain_text("An active aim still needs")
    page.get_by_role("button", name="Save aim").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.get_by_text("An active aim needs this. Give the baseline")).to_be_visible()
    expect(page.get_by_text("An active aim needs this. Give a date (by when)")).to_be_visible()
    assert not Aim.objects.exists()
    assert_accessible()

    # Complete it and link the outcome measure.
    page.get_by_label("From (baseline value)").fill("55")
    page.get_by_label("Baseline period").fill("in 2025")
    page.get_by_label("By when").fill("2027-03-31")
    expect(preview).to_contain_text("by 31 March 2027, from 55% in 2025")
    expect(preview).to_contain_text("Every SMART part is there")
    page.get_by_label("Outcome measure").select_option(label=outcome.title)
    page.get_by_role("button", name="Save aim").click()
    statement = (
        "90% of children who become looked after and accommodated will have a permanence recommendation "
        "within 6 months of becoming looked after by 31 March 2027, from 55% in 2025"
    )
    expect(page.locator("#aim-statement")).to_have_text(statement)
    expect(page.locator("#progress-text")).to_contain_text("Latest 74%")
    expect(page.locator("#outcome-chart")).to_be_visible()
    assert_accessible()
    aim = Aim.objects.get()
    assert aim.outcome_measure == outcome and aim.status == "active"

    # Driver diagram: a primary and a secondary driver, and a change idea on the secondary.
    page.get_by_role("link", name="Edit driver diagram").click()
    page.get_by_label("New driver").fill("Timely legal advice")
    page.get_by_role("button", name="Add driver").click()
    page.get_by_label("Add a secondary driver under “Timely legal advice”").fill("Legal advice booked early")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Secondary driver 1.1")).to_be_visible()
    assert_accessible()
    # Removing asks first; saying no keeps the driver.
    page.get_by_label("New driver").fill("A driver added by mistake")
    page.get_by_role("button", name="Add driver").click()
    remove = page.get_by_role("button", name="Remove “A driver added by mistake”")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(remove).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(page.get_by_role("status").first).to_contain_text("Driver “A driver added by mistake” removed")
    assert aim.drivers.count() == 2
    page.get_by_role("link", name=re.compile("Change ideas \\(0\\) for “Legal advice booked early”")).click()
    page.get_by_role("link", name="New change idea for this driver").click()
    page.get_by_label("Title").fill("Book the legal advice meeting at the first review")
    page.get_by_role("button", name="Save change idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book the legal advice meeting at the first review")
    assert_accessible()
    idea = ChangeIdea.objects.get()
    assert list(idea.aims.all()) == [aim] and idea.drivers.get().text == "Legal advice booked early"
    # Move it on the board with the keyboard: no dragging needed.
    page.get_by_role("link", name="Testing", exact=True).click()
    page.get_by_label("Status of “Book the legal advice meeting at the first review”").select_option("testing")
    page.get_by_role("button", name="Move “Book the legal advice meeting at the first review”").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#column-testing").locator("..")).to_contain_text("Book the legal advice meeting")
    idea.refresh_from_db()
    assert idea.status == "testing"
    page.goto(f"{live_server.url}{aim.get_absolute_url()}")
    diagram = page.locator(".driver-diagram svg")
    expect(diagram).to_contain_text("Timely legal advice")
    expect(diagram).to_contain_text("Book the legal advice meeting")
    expect(diagram).to_contain_text("Testing")
    with page.expect_download() as svg_download:
        page.get_by_role("link", name="Download SVG").click()
    assert svg_download.value.suggested_filename == "driver-diagram-permanence-recommendation-within-6-months.svg"
    with page.expect_download() as png_download:
        page.get_by_role("button", name="Download PNG").click()
    assert png_download.value.suggested_filename.endswith(".png")
    with open(png_download.value.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    expect(page.locator("#score-suggestion")).to_contain_text("Suggested: 2.0")
    page.get_by_role("button", name="Confirm 2.0").click()
    expect(page.get_by_role("status").first).to_contain_text("Progress score set to 2.0")

    # Later: refresh the aim with a reason, and see the history.
    page.get_by_role("link", name="Refresh aim").click()
    page.get_by_label("To (target value)").fill("95")
    page.get_by_label("Why are you refreshing the aim?").fill("The leads group raised the target after a year")
    assert_accessible()
    page.get_by_role("button", name="Refresh aim").click()
    expect(page.locator("#aim-statement")).to_contain_text("95% of children")
    history = page.locator(".aim-history")
    expect(history).to_contain_text("Version 2 (current)")
    expect(history).to_contain_text("The leads group raised the target after a year")
    assert AimVersion.objects.get().statement == statement

    # Starting another aim from the same template warns, and links the one there is.
    page.goto(f"{live_server.url}/o/{cast.org.slug}/aims/new/")
    page.get_by_label("Start from a template").select_option(label="Permanence recommendation within 6 months")
    page.get_by_role("button", name="Use this template").click()
    warning = page.locator("#template-warning")
    expect(warning).to_contain_text("Your organisation already has an aim from the template")
    expect(warning.get_by_role("link", name=aim.title)).to_have_attribute("href", aim.get_absolute_url())
    assert_accessible()

    # A member sends an idea to the inbox.
    _switch_user(page, sign_in, member.user.email)
    page.get_by_role("link", name="Testing", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change ideas")
    assert_accessible()
    page.get_by_role("button", name="Ideas inbox").click()
    page.get_by_role("link", name="Send an idea or barrier to the inbox").click()
    page.get_by_label("A barrier or delay").check()
    page.get_by_label("What is the barrier or idea?").fill("Panel papers are returned for missing chronologies")
    page.get_by_label("Who it affects").fill("Social workers and children waiting for panel")
    assert_accessible()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My submissions to the ideas inbox")
    expect(page.get_by_role("table")).to_contain_text("Awaiting triage")

    # The lead triages it.
    _switch_user(page, sign_in, lead.user.email)
    expect(page.locator("#triage-heading")).to_be_visible()
    page.get_by_role("link", name=re.compile("Open the ideas inbox")).click()
    assert_accessible()
    page.get_by_role("link", name=re.compile("^Triage")).click()
    page.get_by_label("Accept as a new change idea").check()
    page.get_by_label("Title of the new change idea").fill("Chronology check before panel")
    assert_accessible()
    page.get_by_label("Reason or note for the person who sent it").fill("We will test it in the north team")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Accepted as the new change idea")
    assert IdeaSubmission.objects.get().status == "accepted"

    # The member sees what happened to it.
    _switch_user(page, sign_in, member.user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/inbox/mine/")
    row = page.get_by_role("table")
    expect(row).to_contain_text("Accepted as a change idea")
    expect(row).to_contain_text("Chronology check before panel")
    expect(row).to_contain_text("We will test it in the north team")

    # A viewer reads everything and may change none of it.
    _switch_user(page, sign_in, viewer.user.email)
    page.goto(f"{live_server.url}{aim.get_absolute_url()}")
    expect(page.locator("#aim-statement")).to_contain_text("95% of children")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Mark reviewed today")).to_have_count(0)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/")
    expect(page.get_by_role("button", name=re.compile("^Move"))).to_have_count(0)
    assert_accessible()
