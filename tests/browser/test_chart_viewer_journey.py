"""A viewer reads a derived chart whose small counts are withheld, and a lead reads a chart with
many annotations — in headless Chromium: "<5" bands instead of points at 0, an axis from 0, the
annotations as markers listed once (collapsed after five), shown on the chart from the keyboard."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from measures.models import Annotation, DataPoint, Measure
from pace_hub.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _waiting_measure(org, values: list[int]) -> Measure:
    from measures.milestones.pathway import pathway_create_defaults
    from measures.models import Timescale

    pathway_create_defaults(organisation=org)
    timescale = Timescale.objects.filter(organisation=org).first()
    measure = Measure.objects.get(organisation=org, timescale=timescale, derivation=Measure.Derivation.WAITING)
    measure.points.all().delete()
    for index, value in enumerate(values):
        period = datetime.date(2025 + index // 12, index % 12 + 1, 1)
        DataPoint.objects.create(organisation=org, measure=measure, period=period, value=value)
    return measure


def test_a_viewer_sees_withheld_months_as_bands_not_zeros(
    page: Page, live_server, cast, sign_in, assert_accessible
) -> None:
    # Every month but the last two describes 1–4 children.
    measure = _waiting_measure(cast.org, [3, 2, 4, 1, 2, 3, 4, 2, 3, 1, 2, 3, 9, 11])
    sign_in(cast.members[Role.VIEWER].user.email)
    page.goto(f"{live_server.url}{measure.get_absolute_url()}")

    chart = page.locator("#measure-chart")
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".annotation-text", has_text="<5")).to_have_count(1)  # one band over the 12 months
    expect(chart.locator(".shapelayer path")).not_to_have_count(0)
    # Only the two values that may be shown are points; the axis starts at 0 (never −1).
    expect(chart.locator(".scatterlayer .point")).to_have_count(2)
    ticks = chart.locator(".ytick text").all_text_contents()
    assert ticks[0] == "0", ticks
    reading = page.get_by_test_id("chart-reading")
    expect(reading).to_contain_text("The rules read 2 points (since January 2025)")
    expect(reading).to_contain_text("12 periods describe fewer than 5 children")
    expect(reading).not_to_contain_text("points above the median")
    expect(reading).not_to_contain_text("points below the median")
    assert_accessible()


def test_many_annotations_are_markers_listed_once(page: Page, live_server, cast, sign_in, assert_accessible) -> None:
    from tests.measures.factories import MeasureFactory, monthly_points

    measure = MeasureFactory(organisation=cast.org, title="Days to panel", unit="days")
    monthly_points(measure, [20 + (index % 5) for index in range(24)])
    for index in range(21):
        # 21 annotations on 12 dates: the 5th of each month of 2024, January to September twice.
        day = datetime.date(2024, 1 + index % 12, 5)
        Annotation.objects.create(organisation=cast.org, measure=measure, date=day, text=f"Change {index + 1}")
    sign_in(cast.members[Role.LEAD].user.email)
    page.goto(f"{live_server.url}{measure.get_absolute_url()}")

    chart = page.locator("#measure-chart")
    expect(chart.locator(".main-svg").first).to_be_visible()
    # No "A1 A2 A3…" flags: one marker per date, on the x-axis.
    expect(chart.get_by_text("A1", exact=True)).to_have_count(0)
    expect(chart.locator(".scatterlayer .trace").last.locator(".point")).to_have_count(12)
    latest = page.locator(".annotation-list li", has_text="Change 21")
    expect(latest).to_have_count(1)  # listed once (not also beside the chart)
    expect(latest).to_be_hidden()  # collapsed after the first five
    page.get_by_text("Show all 21 annotations").click()
    expect(latest).to_be_visible()
    # From the keyboard: a date in the list shows its marker's text (both notes of that day).
    page.get_by_role("button", name=re.compile(r"^5 Feb 2024")).first.focus()
    expect(chart.locator(".hoverlayer")).to_contain_text("Change 2")
    expect(chart.locator(".hoverlayer")).to_contain_text("Change 14")
    download = page.get_by_role("button", name="Download chart as PNG")
    colour = download.evaluate("element => getComputedStyle(element).color")
    assert colour == "rgb(29, 63, 110)", colour  # the PACE blue, 11:1 on white — not a grey outline
    assert_accessible()
