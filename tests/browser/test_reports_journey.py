"""The reporter's journey in headless Chromium: the Corporate Parenting Board's quarterly report
is built on the worker (the progress bar moves), the narrative is written, the report issued and
its PDF downloaded; the PDF's pages, rendered to PNG with pdftoppm, show the charts."""

import os
import shutil
import subprocess
import threading
import time

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from governance import schedule, tasks
from governance.models import GovernanceGroup, Report
from governance.services import reports as services
from measures.milestones import pathway
from pace_hub.roles import Role
from tests.governance.reports_data import aim_with_chart, board

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The charts' own colours (measures/chart_figure.py): the data line, improvement and concern points.
CHART_COLOURS = [(29, 63, 110), (11, 92, 173), (163, 63, 0)]


def _chart_pixels(png) -> int:
    """Pixels of the charts' colours on a rendered page (text is near-black, tables grey)."""
    image = Image.open(png).convert("RGB")
    count = 0
    for seen, (red, green, blue) in image.getcolors(maxcolors=1 << 20):
        if any(abs(red - r) + abs(green - g) + abs(blue - b) < 40 for r, g, b in CHART_COLOURS):
            count += seen
    return count


def _build_slowly(report_id: int) -> threading.Thread:
    """Run the queued build as the worker would, with a pause at each step so that the page's
    progress bar can be seen moving."""
    real = services._progress_recorder

    def slow(report):
        record = real(report)

        def step(progress: int, message: str) -> None:
            record(progress, message)
            time.sleep(0.8)

        return step

    services._progress_recorder = slow

    def run() -> None:
        try:
            tasks.report_build_task(report_id)
        finally:
            services._progress_recorder = real

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_reporter_builds_writes_issues_and_downloads_the_quarterly_report(
    page: Page, live_server, cast, sign_in, assert_accessible, tmp_path, monkeypatch
) -> None:
    if not shutil.which("pdftoppm"):
        message = "pdftoppm is missing: install poppler-utils (make browser does)"
        pytest.fail(message) if os.environ.get("REQUIRE_BROWSER") else pytest.skip(message)
    org = cast.org
    aim_with_chart(org, "Permanence recommendation within 6 months")
    aim_with_chart(org, "Panel within 12 weeks", score="2.5")
    pathway.pathway_ensure_defaults(org)  # the permanence timescales, for the report's table
    reporter = cast.members[Role.MEMBER]
    group = board(org, reporter)
    quarter = schedule.recent_periods("quarterly", today=timezone.localdate())[1]  # the last quarter ended
    queued: list[int] = []
    monkeypatch.setattr(tasks.report_build_task, "delay", queued.append)

    sign_in(reporter.user.email)
    page.goto(f"{live_server.url}/o/{org.slug}/governance/groups/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Governance groups")
    assert_accessible()
    page.get_by_role("link", name="Corporate Parenting Board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Corporate Parenting Board")
    assert_accessible()

    page.get_by_label("Period").select_option(quarter.start.isoformat())
    page.get_by_role("button", name="Build the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Corporate Parenting Board: {quarter.label}")
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.locator("#progress-label")).to_have_text("Waiting for the worker")
    assert_accessible()

    worker = _build_slowly(queued.pop())
    expect(page.locator("#progress-label")).to_contain_text("Drawing chart", timeout=15_000)
    progress = int(page.get_by_role("progressbar").get_attribute("aria-valuenow"))
    assert 0 < progress < 100
    worker.join(timeout=60)
    expect(page.get_by_role("heading", name="Draft ready")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.locator(".report-chart")).to_have_count(2)
    # The timescales table keeps its set column widths on the page too (Bootstrap's .figure once
    # dropped two of its cols, and the last column shrank to a word a line).
    shares = page.locator(".timescale-table thead th").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().width / c.closest('table').getBoundingClientRect().width)"
    )
    assert shares == pytest.approx([0.23, 0.11, 0.13, 0.13, 0.15, 0.25], abs=0.01)
    assert_accessible()

    # Issuing before the narrative is written asks for it.
    page.get_by_role("button", name="Issue the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Narrative and asks of the board")
    expect(page.get_by_role("alert")).to_contain_text("Write the narrative before issuing")
    assert_accessible()
    page.get_by_label("Narrative").fill("Recommendations within 6 months rose for the third quarter running.")
    page.get_by_label("Asks of the board").fill("Support a second permanence panel each month.")
    page.get_by_role("button", name="Save the narrative").click()
    expect(page.get_by_role("status").first).to_contain_text("The narrative and the asks of the board are saved.")

    page.get_by_role("button", name="Issue the report").click()
    expect(page.get_by_role("status").first).to_contain_text("is issued. It is now read-only.")
    expect(page.get_by_role("button", name="Issue the report")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit the narrative")).to_have_count(0)
    expect(page.get_by_text("An issued report is read-only")).to_be_visible()
    assert_accessible()
    report = Report.objects.get(group=group)
    assert report.is_issued and report.issued_by == reporter.user

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Recommendations within 6 months rose for the third quarter running." in text
    assert "Support a second permanence panel each month." in text and "Issued on" in text

    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages, "pdftoppm rendered no pages"
    with_charts = [png.name for png in pages if _chart_pixels(png) > 300]
    # Two aims, two charts: drawn on one page or two, and none of them blank.
    assert with_charts, f"no chart drawn on any page: {[(png.name, _chart_pixels(png)) for png in pages]}"
    assert sum(_chart_pixels(png) for png in pages) > 1200


def test_a_lead_sets_up_a_group_and_a_viewer_reads_its_reports(
    page: Page, live_server, cast, sign_in, assert_accessible
) -> None:
    org = cast.org
    aim_with_chart(org, "Permanence recommendation within 6 months")
    sign_in(cast.members[Role.LEAD].user.email)
    page.goto(f"{live_server.url}/o/{org.slug}/governance/groups/")
    page.get_by_role("link", name="New governance group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New governance group")
    assert_accessible()
    page.get_by_label("Name").fill("Chief Officers' Group")
    page.get_by_label("Cadence").select_option("six_monthly")
    page.get_by_label("Draft built (days before it is due)").fill("40")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The draft cannot be built before the period ends")).to_be_visible()
    page.get_by_label("Draft built (days before it is due)").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chief Officers' Group")
    group = GovernanceGroup.objects.get(name="Chief Officers' Group")
    page.get_by_role("link", name="Edit the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Chief Officers' Group")
    assert_accessible()

    page.goto(f"{live_server.url}/o/{org.slug}/governance/groups/{group.code}/reports/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Build a report for Chief Officers' Group")
    assert_accessible()
    page.get_by_role("button", name="Build the report").click()  # built in the request (eager)
    expect(page.get_by_role("heading", name="Draft ready")).to_be_visible()
    page.goto(f"{live_server.url}/o/{org.slug}/governance/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    assert_accessible()

    page.context.clear_cookies()
    sign_in(cast.members[Role.VIEWER].user.email)
    page.goto(f"{live_server.url}/o/{org.slug}/governance/reports/")
    page.get_by_role("link", name="Chief Officers' Group", exact=False).first.click()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    expect(page.get_by_role("button", name="Issue the report")).to_have_count(0)
    expect(page.get_by_role("button", name="Rebuild with today's data")).to_have_count(0)
    page.set_viewport_size({"width": 820, "height": 1180})
    assert_accessible()
