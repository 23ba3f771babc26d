"""The senior manager's journey, in headless Chromium: a viewer signs in and lands on the
governance dashboard, reads it on a laptop and a tablet, opens the board's latest issued report
and can change nothing (no forms; a POST is refused with 403)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance import schedule
from governance.models import Report
from governance.services import reports as report_services
from measures.milestones import derived
from pace_hub.roles import Role
from tests.governance.builders import child_dates, fill, outcome_aim
from tests.governance.factories import GovernanceGroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _issued_report(cast) -> Report:
    """The Corporate Parenting Board's report for last quarter, built, written and issued by its
    reporter through the reports services (the worker runs eagerly here)."""
    lead = cast.members[Role.LEAD]
    group = GovernanceGroupFactory(organisation=cast.org, name="Corporate Parenting Board", reporter=lead)
    period = schedule.previous_period(schedule.period_containing(timezone.localdate(), group.cadence), group.cadence)
    report = report_services.report_request(group=group, period_start=period.start, requested_by=lead.user)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.failure_reason
    report = report_services.report_narrative_save(
        report=report,
        narrative="Permanence recommendations within 6 months are improving after the planning meeting test.",
        asks="Support the legal services slots for another quarter.",
    )
    return report_services.report_issue(report=report, user=lead.user)


def test_a_viewer_lands_on_the_dashboard_reads_the_latest_report_and_changes_nothing(
    page: Page, live_server, cast, sign_in, assert_accessible
) -> None:
    org = cast.org
    # A typical council: its PACE Lead and Data Lead are named (else the dashboard warns first).
    org.pace_lead, org.data_lead = cast.members[Role.LEAD], cast.members[Role.DATA]
    org.save()
    outcome_aim(org, "Permanence recommendation within 6 months")
    fill(org, 1)
    child_dates(org, "C-1", looked_after=200)
    child_dates(org, "C-2", looked_after=300)
    derived.derived_measures_recompute(organisation=org, today=timezone.localdate())
    report = _issued_report(cast)

    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(cast.members[Role.VIEWER].user.email)
    expect(page).to_have_url(re.compile(rf"/o/{org.slug}/governance/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Governance dashboard")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Governance")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Meetings")).to_be_visible()
    expect(nav.get_by_role("link", name="Home", exact=True)).to_have_count(0)

    aims = page.locator("#dashboard-aims")
    expect(aims.get_by_role("link", name="Permanence recommendation within 6 months")).to_be_visible()
    expect(aims.get_by_role("img", name=re.compile("target 90%"))).to_have_count(2)
    tile = page.locator("#timescale-tiles li").filter(has_text="Looked after to permanence recommendation")
    expect(tile.locator('[data-figure="waiting"]')).to_have_text("<5 children past target now")
    expect(page.locator("#disclosure-note")).to_contain_text('shown as "<5"')
    # Nothing to change: no form in the page, no button but print.
    main = page.locator("main")
    expect(main.locator("form")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_text(["Print this dashboard"])
    # The whole dashboard fits one laptop screen.
    height = page.evaluate("document.querySelector('#governance-dashboard').getBoundingClientRect().bottom")
    assert height <= 768, f"the dashboard ends at {height}px, below a 1366×768 screen"
    assert_accessible()

    page.set_viewport_size({"width": 820, "height": 1180})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the dashboard is {width}px wide on an 820px tablet"
    expect(page.locator("#group-reports")).to_contain_text("Corporate Parenting Board")
    assert_accessible()

    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("#group-reports").get_by_role("link", name="Corporate Parenting Board report for").click()
    expect(page).to_have_url(re.compile(rf"{report.get_absolute_url()}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.title)
    expect(page.locator("main")).to_contain_text("Support the legal services slots for another quarter.")
    expect(page.locator("main form")).to_have_count(0)
    assert_accessible()

    # Writing anyway is refused by the role check (the CSRF token is sent, so it is not that).
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    before = (report.narrative, report.issued_at, report.built_at, Report.objects.count())
    base = f"{live_server.url}{report.get_absolute_url()}"
    for path in ("narrative/", "issue/", "rebuild/"):
        response = page.request.post(
            f"{base}{path}", form={"narrative": "Changed by a viewer"}, headers={"X-CSRFToken": token}
        )
        assert response.status == 403, path
        assert "Your role may not" in response.text(), path
    report.refresh_from_db()
    assert (report.narrative, report.issued_at, report.built_at, Report.objects.count()) == before
