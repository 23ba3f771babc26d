"""A lead creates a measure, pastes two years of data, reads the run chart and its signals,
annotates it, starts a new phase, switches to XmR and exports — in headless Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from measures.models import Annotation, Measure, Phase
from pace_hub.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Two years of monthly days-to-decision: steady, then a sustained fall after a change.
MONTHS = [
    f"{name} {year}"
    for year in (2024, 2025)
    for name in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
]
VALUES = [24, 27, 22, 25, 28, 23, 26, 24, 29, 22, 25, 27, 26, 26, 25, 17, 15, 16, 14, 15, 13, 16, 14, 12]


def test_lead_measures_journey(page: Page, live_server, cast, sign_in, assert_accessible) -> None:
    lead = cast.members[Role.LEAD]
    sign_in(lead.user.email)
    page.get_by_role("link", name="Measures & data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Measures & data")
    assert_accessible()

    # Create a measure with its operational definition.
    page.get_by_role("link", name="New measure").click()
    page.get_by_label("Title").fill("Days from panel to ADM decision")
    page.get_by_label("Type of measure").select_option("process")
    page.get_by_label("Numerator").fill("Days from the panel recommendation to the ADM decision, median by month")
    page.get_by_label("Included").fill("Every child with a panel recommendation")
    page.get_by_label("Excluded").fill("Decisions deferred by the panel")
    page.get_by_label("Unit").fill("days")
    page.get_by_label("Better direction").select_option("down")
    page.get_by_label("Chart type").select_option("run")
    page.get_by_label("Baseline length").fill("12")
    assert_accessible()
    page.get_by_role("button", name="Create measure").click()

    # Data entry: paste two years from a spreadsheet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter data: Days from panel to ADM decision")
    assert_accessible()
    pasted = "Month\tDays\n" + "\n".join(f"{month}\t{value}" for month, value in zip(MONTHS, VALUES, strict=True))
    page.get_by_label("Rows copied from a spreadsheet").fill(pasted.replace("Days", "Value"))
    page.get_by_role("button", name="Save pasted data").click()
    expect(page.get_by_role("status").first).to_contain_text("Pasted data saved: 24 new points")

    # The run chart with its signals and a plain-language reading.
    expect(page.get_by_role("heading", level=1)).to_have_text("Days from panel to ADM decision")
    expect(page.locator("#measure-chart .main-svg").first).to_be_visible()
    reading = page.get_by_test_id("chart-reading")
    expect(reading).to_contain_text("9 points below the median since April 2025: a shift — an improvement.")
    expect(page.get_by_text("Special cause: improving")).to_be_visible()
    page.get_by_text("Show the data as a table").click()
    expect(page.get_by_role("table", name=re.compile("Run chart data"))).to_be_visible()
    assert_accessible()

    # Annotate the change that was tested.
    page.get_by_role("link", name="Add annotation").click()
    page.get_by_label("Date").fill("2025-04-01")
    page.get_by_label("What happened").fill("Test: ADM diary date booked on the day of panel")
    page.get_by_role("button", name="Add annotation").click()
    # Listed once, under the chart; its date shows the marker's text on the chart when focused.
    expect(page.get_by_role("listitem").filter(has_text="ADM diary date booked")).to_have_count(1)
    expect(page.locator("#measure-chart .scatterlayer .trace")).not_to_have_count(0)
    page.get_by_role("button", name=re.compile(r"^1 Apr 2025")).focus()
    expect(page.locator("#measure-chart .hoverlayer")).to_contain_text("ADM diary date booked")

    # The app suggests a new phase after the sustained shift; the lead gives the reason.
    page.get_by_role("link", name="Start a new phase from April 2025").click()
    expect(page.get_by_label("First period of the new phase")).to_have_value("2025-04-01")
    page.get_by_label("Why a new phase").fill("Sustained shift after ADM dates were booked at panel")
    page.get_by_role("button", name="Start new phase").click()
    expect(reading).to_contain_text("The rules read the current phase (since April 2025, 9 points), because a new")
    expect(page.locator("#phase-suggestion")).to_have_count(0)

    # Switch the chart to XmR.
    page.get_by_role("link", name="XmR (I chart)").click()
    expect(page.get_by_role("heading", name="XmR (I chart)")).to_be_visible()
    expect(page.locator("#measure-chart .main-svg").first).to_be_visible()

    # Export the data, and the chart as an image.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download data (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("Days-from-panel-to-ADM-decision")
    with open(download.path(), encoding="utf-8-sig") as exported:
        content = exported.read().splitlines()
    assert content[0].startswith("Period,Value") and content[1].startswith("2024-01-01,24.0")
    with page.expect_download() as image_info:
        page.get_by_role("button", name="Download chart as PNG").click()
    assert image_info.value.suggested_filename.endswith(".png")

    # The list shows the measure with its sparkline and icons.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Measures & data").click()
    row = page.get_by_role("row").filter(has_text="Days from panel to ADM decision")
    expect(row.locator(".sparkline .main-svg").first).to_be_attached()
    expect(row).to_contain_text("12 days")
    assert_accessible()

    measure = Measure.objects.get(title="Days from panel to ADM decision")
    assert measure.points.count() == 24
    assert Annotation.objects.filter(measure=measure).count() == 1
    assert Phase.objects.get(measure=measure).start.isoformat() == "2025-04-01"


def test_grid_saves_a_row_in_place_and_shows_errors(page: Page, live_server, cast, sign_in) -> None:
    from tests.measures.factories import MeasureFactory, monthly_points

    measure = MeasureFactory(organisation=cast.org, title="LAC reviews on time", unit="reviews")
    monthly_points(measure, [30, 31, 29])
    sign_in(cast.members[Role.DATA].user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/measures/{measure.code}/entry/")

    value = page.get_by_label("Value, February 2024")
    # Checked as soon as the cell is left, before anything is sent.
    value.fill("twelve")
    value.press("Tab")
    expect(page.get_by_text("'twelve' is not a number.")).to_be_visible()
    expect(value).to_have_attribute("aria-invalid", "true")
    value.fill("1,234")
    value.press("Tab")
    expect(page.get_by_text("'twelve' is not a number.")).to_have_count(0)
    expect(value).not_to_have_attribute("aria-invalid", "true")
    assert measure.points.get(period="2024-02-01").value == 31

    value.fill("lots")
    value.press("Enter")
    # The server's answer replaces the row (the browser's own check may show the same words first).
    expect(page.locator("#grid-row-1").get_by_role("status")).to_have_text("Not saved")
    expect(page.get_by_text("'lots' is not a number.")).to_be_visible()
    expect(page.get_by_label("Value, February 2024")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Value, February 2024")).to_be_focused()

    page.get_by_label("Value, February 2024").fill("33")
    page.get_by_label("Note, February 2024").fill("Two extra reviewing officers")
    page.get_by_label("Note, February 2024").press("Enter")
    expect(page.locator("#grid-row-1").get_by_role("status")).to_have_text("Saved")
    # Focus moves on to the same column of the next row, as in a spreadsheet.
    expect(page.get_by_label("Note, March 2024")).to_be_focused()
    point = measure.points.get(period="2024-02-01")
    assert point.value == 33 and point.note == "Two extra reviewing officers"

    # A new row below the data, with the next month filled in.
    expect(page.locator("#period-3")).to_have_value("2024-04-01")
    page.locator("#value-3").fill("35")
    page.locator("#value-3").press("Enter")
    expect(page.locator("#grid-row-3").get_by_role("status")).to_have_text("Saved")
    assert measure.points.count() == 4
