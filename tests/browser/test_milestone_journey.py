"""The data lead's journey in headless Chromium: template, upload with real-world dates, exact
errors, fix and re-upload, commit with a progress bar, the run chart data change, roll-back."""

import pytest
from playwright.sync_api import Page, expect

from measures.milestones import tasks
from measures.models import MilestoneImport
from pace_hub.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "child_ref,route,Child became looked after and accommodated,permanence_rec,panel\n"
# UK dates, Excel date numbers, blanks, a mistyped date and a repeated reference.
MESSY = HEADER + (
    "C-1,adoption,01/02/2024,15/07/2024,\n"
    "C-2,PO,45350,45500,\n"
    "C-3,kinship,,,\n"
    "C-4,adoption,31/02/2024,,\n"
    "C-1,adoption,01/02/2024,,\n"
)
FIXED = HEADER + (
    "C-1,adoption,01/02/2024,15/07/2024,\nC-2,PO,45350,45500,\nC-3,kinship,,,\nC-4,adoption,29/02/2024,,\n"
)
LATER = HEADER + "C-2,PO,45350,10/07/2024,\n"


def upload(page: Page, live_server, org, path) -> None:
    page.goto(f"{live_server.url}/o/{org.slug}/measures/data/")
    page.get_by_role("link", name="Upload milestone data").click()
    page.get_by_label("Spreadsheet (CSV or Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()


def commit_on_the_worker(page: Page, queued: list[int]) -> None:
    """Save (the confirmation step says what changes), watch the progress bar, run the queued task
    as the worker would; the page reloads."""
    page.get_by_role("button", name="Save these changes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Save “")
    expect(page.locator("#confirm-changes")).to_contain_text("milestone dates added")
    page.get_by_role("button", name="Yes, save these changes").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.locator("#progress-label")).to_have_text("Waiting for the worker")
    tasks.milestone_import_commit_task(queued.pop())
    expect(page.get_by_text("Saved", exact=True).first).to_be_visible(timeout=10_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)


def median_cell(page: Page, live_server, org):
    page.goto(f"{live_server.url}/o/{org.slug}/measures/data/")
    row = page.get_by_role("row", name="Looked after to permanence recommendation")
    return row.locator('[data-measure="median_days"]')


def test_data_lead_uploads_fixes_commits_and_rolls_back(
    page: Page, live_server, cast, sign_in, assert_accessible, tmp_path, monkeypatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks.milestone_import_commit_task, "delay", queued.append)
    org = cast.org
    sign_in(cast.members[Role.DATA].user.email)

    page.goto(f"{live_server.url}/o/{org.slug}/measures/data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Milestone data")
    assert_accessible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download template (CSV)").click()
    header = download.value.path().read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("child_ref,route,Child became looked after and accommodated,First LAC review")

    messy = tmp_path / "milestones.csv"
    messy.write_text(MESSY)
    upload(page, live_server, org, messy)
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload: milestones.csv")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("'31/02/2024' is not a real date (check the day and month)")
    expect(problems).to_contain_text("child reference 'C-1' is already used on row 2")
    expect(page.locator('[data-count="error_rows"]')).to_have_text("2")
    expect(page.get_by_role("button", name="Save these changes")).to_have_count(0)
    # Problems first, then the preview; the problems table scrolls with the page, not inside it.
    assert page.evaluate(
        "document.querySelector('#problems-heading').compareDocumentPosition("
        "document.querySelector('#preview-heading')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert page.evaluate("getComputedStyle(document.querySelector('#problems').parentElement).overflowY") == "visible"
    assert_accessible()

    fixed = tmp_path / "milestones-fixed.csv"
    fixed.write_text(FIXED)
    upload(page, live_server, org, fixed)
    expect(page.locator('[data-count="new"]')).to_have_text("4")
    expect(page.locator('[data-preview="dates_added"]')).to_have_text("5")
    expect(page.get_by_text("No problems were found.")).to_be_visible()
    assert_accessible()
    page.get_by_role("button", name="Save these changes").click()
    expect(page.locator("#confirm-changes")).to_contain_text("4 new children added")
    expect(page.locator("#confirm-changes")).to_contain_text("5 milestone dates added")
    assert_accessible()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload: milestones-fixed.csv")
    commit_on_the_worker(page, queued)
    assert_accessible()

    # July 2024: C-1 took 165 days and C-2 (Excel dates 28/02 → 27/07) 150: median 157.5.
    expect(median_cell(page, live_server, org)).to_contain_text("157.5 days")

    later = tmp_path / "milestones-later.csv"
    later.write_text(LATER)
    upload(page, live_server, org, later)
    expect(page.locator('[data-count="updated"]')).to_have_text("1")
    expect(page.locator('[data-preview="dates_changed"]')).to_have_text("1")
    commit_on_the_worker(page, queued)
    later_import = MilestoneImport.objects.get(original_name="milestones-later.csv")
    expect(median_cell(page, live_server, org)).to_contain_text("149 days")  # (165 + 133) / 2

    page.goto(f"{live_server.url}/o/{org.slug}/measures/data/imports/{later_import.code}/")
    page.get_by_role("button", name="Roll back this upload").click()
    expect(page.locator("#confirm-changes")).to_contain_text("1 child it updated gets its earlier dates and route back")
    assert_accessible()
    page.get_by_role("button", name="Yes, roll back this upload").click()
    expect(page.get_by_role("status").first).to_contain_text("was rolled back")
    expect(median_cell(page, live_server, org)).to_contain_text("157.5 days")

    page.goto(f"{live_server.url}/o/{org.slug}/measures/data/waiting/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Children waiting past target")
    expect(page.locator("[data-waiting]").first).to_be_visible()
    assert_accessible()
    page.goto(f"{live_server.url}/o/{org.slug}/measures/data/completeness/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data completeness")
    assert_accessible()
    page.goto(f"{live_server.url}/o/{org.slug}/measures/pathway/")
    assert_accessible()


def test_viewer_sees_counts_not_children(page: Page, live_server, cast, sign_in, assert_accessible) -> None:
    sign_in(cast.members[Role.VIEWER].user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/measures/data/")
    expect(page.get_by_role("link", name="Upload milestone data")).to_have_count(0)
    assert_accessible()
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"{live_server.url}/o/{cast.org.slug}/measures/data/waiting/")
    expect(page.get_by_text("Counts of 1 to 4 children are shown as “<5”", exact=False)).to_be_visible()
    assert_accessible()
