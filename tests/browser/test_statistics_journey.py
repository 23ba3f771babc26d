"""Statistics beyond the R packages in headless Chromium (issue 11): a data lead defines a G
chart with the chart chooser's advice and reads it; a viewer reads time to permanence and
compares cohorts; a member reads the funnel plots of the authorities that share — axe on every
page, at laptop and tablet widths."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from measures.milestones import benchmark
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Annotation, Measure, Milestone
from pace_hub.roles import Role
from tests.factories import OrganisationFactory
from tests.measures.factories import ChildFactory
from tests.measures.milestones.dates import set_date
from tests.measures.milestones.test_benchmark import children, sharing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISRUPTIONS = [
    ("15/01/2024", 12),
    ("24/02/2024", 40),
    ("02/03/2024", 7),
    ("06/05/2024", 65),
    ("28/05/2024", 22),
    ("06/06/2024", 9),
    ("07/07/2024", 31),
    ("25/07/2024", 18),
    ("19/08/2024", 25),
    ("02/09/2024", 14),
    ("05/10/2024", 33),
    ("25/10/2024", 20),
    ("24/03/2025", 150),
]


def fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide at {width}px"


def test_data_lead_defines_a_g_chart_with_the_chooser_and_reads_it(
    page: Page, live_server, cast, sign_in, assert_accessible
) -> None:
    sign_in(cast.members[Role.DATA].user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/measures/new/")
    chooser = page.get_by_test_id("chart-chooser")
    expect(chooser).to_contain_text("Suggested: XmR chart.")

    page.get_by_label("Title").fill("Days between placement disruptions")
    page.get_by_label("Unit").fill("days")
    page.get_by_label("How often it is measured").select_option("event")
    expect(chooser).to_contain_text("Suggested: T chart. Times between rare events are skewed")
    page.get_by_label("Chart type").select_option("g")
    expect(chooser).to_contain_text("No data yet: the G chart's limits stay trial limits until 12 baseline points.")
    page.get_by_label("Better direction").select_option("up")
    page.get_by_label("The events").fill("placement disruptions")
    page.get_by_label("Baseline length").fill("12")
    assert_accessible()
    page.get_by_role("button", name="Create measure").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter data: Days between placement disruptions")
    expect(page.get_by_text("Each event needs its date and the days since the event before")).to_be_visible()
    assert_accessible()
    page.get_by_label("Rows copied from a spreadsheet").fill(
        "Date\tDays\n" + "\n".join(f"{day}\t{gap}" for day, gap in DISRUPTIONS)
    )
    page.get_by_role("button", name="Save pasted data").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Days between placement disruptions")
    expect(page.locator("#measure-chart .main-svg").first).to_be_visible(timeout=20_000)
    reading = page.get_by_test_id("chart-reading")
    expect(reading).to_contain_text(
        "150 days between the last two placement disruptions — the longest gap yet: an improvement."
    )
    expect(page.get_by_text("Special cause: improving")).to_be_visible()
    page.get_by_text("Show the data as a table").click()
    expect(page.get_by_role("table", name=re.compile("G chart"))).to_contain_text("24 March 2025")
    assert_accessible()

    page.get_by_role("link", name="T chart (time between rare events)").click()
    expect(page.get_by_role("heading", name="T chart (time between rare events)")).to_be_visible()
    assert_accessible()
    for width, height in ((1366, 768), (820, 1180)):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        fits(page, width)
    assert Measure.objects.get(title="Days between placement disruptions").points.count() == 13


def _pathway_with_children(org) -> None:
    pathway_create_defaults(organisation=org)
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    today = timezone.localdate()
    rows = [
        (f"B-{n}", today - datetime.timedelta(days=700 - 20 * n), days)
        for n, days in enumerate([190, 200, 205, 230, 250, 260, 240])
    ]
    rows += [
        (f"A-{n}", today - datetime.timedelta(days=400 - 20 * n), days)
        for n, days in enumerate([120, 130, 142, 150, 160, 135])
    ]
    rows += [("W-1", today - datetime.timedelta(days=90), None)]
    for reference, start, days in rows:
        child = ChildFactory(organisation=org, reference=reference)
        set_date(child, milestones["looked_after"], start)
        if days is not None:
            set_date(
                child,
                milestones["permanence_rec"],
                start + datetime.timedelta(days=days),
            )
    measure = Measure.objects.get(
        organisation=org, timescale__to_milestone__code="permanence_rec", derivation=Measure.Derivation.MEDIAN_DAYS
    )
    Annotation.objects.create(
        organisation=org,
        measure=measure,
        date=today - datetime.timedelta(days=450),
        text="Permanence planning meeting at 6 weeks",
    )


def test_viewer_reads_time_to_permanence_and_compares_cohorts(
    page: Page, live_server, cast, sign_in, assert_accessible
) -> None:
    _pathway_with_children(cast.org)
    sign_in(cast.members[Role.VIEWER].user.email)

    page.goto(f"{live_server.url}/o/{cast.org.slug}/measures/data/")
    page.get_by_role("link", name="Time to permanence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Time to permanence")
    card = page.locator("section").filter(
        has=page.get_by_role("heading", name=re.compile("^Looked after to permanence recommendation"))
    )
    expect(card.locator(".main-svg").first).to_be_visible(timeout=20_000)
    expect(card.get_by_test_id("survival-reading")).to_contain_text("14 children counted, of whom <5 are still waiting")
    expect(page.get_by_text("each curve stops where fewer than 5 children remain at risk")).to_be_visible()
    assert_accessible()

    card.get_by_role("link", name="Looked after to permanence recommendation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Time to permanence: Looked after to permanence recommendation"
    )
    note = Annotation.objects.get(organisation=cast.org)
    page.get_by_label("Compare children").select_option(str(note.code))
    page.get_by_role("button", name="Compare").click()
    comparison = page.get_by_test_id("survival-comparison")
    expect(comparison).to_contain_text(
        re.compile(r"^Children looked after since \w+ \d{4} reached a permanence recommendation sooner")
    )
    expect(page.get_by_role("table", name="Cohorts compared")).to_be_visible()
    assert "B-0" not in page.content() and "W-1" not in page.content()
    assert_accessible()
    page.set_viewport_size({"width": 820, "height": 1180})
    page.reload()
    fits(page, 820)
    assert_accessible()


def test_member_reads_the_funnel_plots_of_the_authorities_that_share(
    page: Page, live_server, cast, sign_in, assert_accessible
) -> None:
    fife = OrganisationFactory(name="Fife", slug="fife")
    for organisation, within, late in ((cast.org, 30, 10), (cast.other_org, 40, 40), (fife, 10, 30)):
        pathway_create_defaults(organisation=organisation)
        children(organisation, within, late, reference=organisation.slug)
    sharing(cast.org, named=False)
    sharing(cast.other_org, named=True)
    sharing(fife, named=False)
    for organisation in (cast.org, cast.other_org, fife):
        benchmark.benchmark_publish(organisation=organisation, today=timezone.localdate())

    sign_in(cast.members[Role.MEMBER].user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/measures/data/")
    page.get_by_role("link", name="Benchmarking across Scotland").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benchmarking across Scotland")
    expect(page.locator("[data-figure] .main-svg").first).to_be_visible(timeout=20_000)
    reading = page.get_by_test_id("funnel-reading")
    expect(reading).to_contain_text("Across the 3 authorities shown, 50% of children reached it within 183 days.")
    expect(reading).to_contain_text("Aberdeen City: 75% of 40 children")
    table = page.get_by_role("table", name=re.compile("every authority shown"))
    expect(table).to_contain_text("Renfrewshire")
    expect(table).not_to_contain_text("Fife")
    assert_accessible()

    page.get_by_label("Allow for overdispersion").check()
    page.get_by_role("button", name="Show").click()
    expect(reading).to_contain_text("Allowing for overdispersion (φ = ")
    assert_accessible()
    page.set_viewport_size({"width": 820, "height": 1180})
    page.reload()
    fits(page, 820)


def test_admin_opts_in_to_share(page: Page, live_server, cast, sign_in, assert_accessible) -> None:
    sign_in(cast.members[Role.ADMIN].user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/measures/benchmark/")
    expect(page.get_by_role("status")).to_contain_text("does not share its aggregates")
    assert_accessible()
    page.get_by_role("link", name="Choose to share").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share our aggregates across Scotland")
    assert_accessible()
    page.get_by_label("Share our aggregates with the other authorities that share theirs").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sharing is on")).to_be_visible()
    expect(page.get_by_text("No complete year has been published yet")).to_be_visible()
    assert_accessible()
