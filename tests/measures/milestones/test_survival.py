"""Time to permanence (DESIGN.md §4c): Kaplan–Meier curves of the timescales with the children
still waiting, cohorts compared with the log-rank test, the viewer rule, the pages per role and
the figure for governance reports."""

import datetime

import numpy as np
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.analysis import logrank
from measures.milestones import survival
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Annotation, Measure, Milestone, Timescale
from pace_hub.roles import Role
from tests.measures.factories import ChildFactory
from tests.measures.milestones.dates import set_date

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)
BEFORE = [190, 200, 201, 205, 230, 250, 260]  # reached, all of them; median 205
AFTER = [120, 130, 142, 150, 160]  # reached; plus one child still waiting at 106 days


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def add_child(
    org, reference: str, start: datetime.date, days: int | None, *, to: str = "permanence_rec", route="adoption"
):
    child = ChildFactory(organisation=org, reference=reference, route=route)
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    set_date(child, milestones["looked_after"], start)
    if days is not None:
        set_date(child, milestones[to], start + datetime.timedelta(days=days))
    return child


def timescale_to(org, code: str = "permanence_rec") -> Timescale:
    return Timescale.objects.select_related("from_milestone", "to_milestone").get(
        organisation=org, from_milestone__code="looked_after", to_milestone__code=code
    )


def cohorts(org) -> None:
    for number, days in enumerate(BEFORE):
        add_child(org, f"B-{number}", datetime.date(2024, 3, 1) + datetime.timedelta(days=20 * number), days)
    for number, days in enumerate(AFTER):
        add_child(org, f"A-{number}", datetime.date(2025, 5, 1) + datetime.timedelta(days=20 * number), days)
    add_child(org, "A-waiting", TODAY - datetime.timedelta(days=106), None)


def test_durations_count_the_children_still_waiting_and_leave_out_dates_out_of_order() -> None:
    start = np.array(
        ["2026-01-01", "2026-01-01", "2026-03-01", "2026-07-01", "NaT", "2026-02-01"], dtype="datetime64[D]"
    )
    end = np.array(["2026-02-01", "NaT", "2026-02-01", "NaT", "2026-01-01", "NaT"], dtype="datetime64[D]")

    data = survival.durations_from_dates(start, end, TODAY)

    # Reached after 31 days; waiting 165 days; out of order: out; starts after today: out;
    # no start: out; waiting 134 days.
    assert data.durations.tolist() == [31.0, 165.0, 134.0]
    assert data.observed.tolist() == [True, False, False]


def test_the_timescale_curve_from_stored_dates(org) -> None:
    cohorts(org)
    result = survival.timescale_survival(timescale_to(org), today=TODAY, hide_small_counts=False)

    overall = result.overall
    assert overall.children == 13 and overall.waiting == 1
    assert overall.km.times[:3] == [120.0, 130.0, 142.0]
    # 1 waiting at 106 days, then 12 at risk: S ≤ 0.5 after the 6th event, at 190 days.
    assert overall.km.median == 190.0
    share, lower, upper = overall.within_target
    assert share == pytest.approx(1 - overall.km.survival_at(183))
    assert lower < share < upper
    assert result.sentences[0] == (
        "13 children counted, of whom 1 is still waiting for a permanence recommendation: each counts for as long "
        "as they have waited so far."
    )
    assert result.sentences[1] == "Median 190 days to a permanence recommendation (95% band 130 to 230 days)."


def test_routes_that_never_reach_the_later_milestone_are_left_out(org) -> None:
    add_child(org, "H-1", datetime.date(2025, 1, 1), None, route="home")
    add_child(org, "P-1", datetime.date(2025, 1, 1), None, route="adoption")

    data = survival.timescale_durations(timescale_to(org, "order_granted"), today=TODAY)

    assert len(data) == 1


def test_viewers_see_no_step_resting_on_fewer_than_five_children(org) -> None:
    for number, days in enumerate([10, 20, 30, 40, 50, 60, 70]):
        add_child(org, f"C-{number}", datetime.date(2025, 1, 1), days)
    timescale = timescale_to(org)

    full = survival.timescale_survival(timescale, today=TODAY, hide_small_counts=False).overall
    shown = survival.timescale_survival(timescale, today=TODAY, hide_small_counts=True)

    assert full.cut_at is None and full.median == 40.0 and full.shown_steps == 7
    curve = shown.overall
    assert curve.cut_at == 30.0 and curve.shown_steps == 3
    assert [row["at_risk"] for row in curve.rows()] == [7, 6, 5]
    assert curve.median is None and curve.median_hidden and curve.within_target is None
    assert "The median is not shown: it rests on fewer than 5 children at risk." in shown.sentences
    assert (
        "The curve stops at day 30: beyond it fewer than 5 children remain at risk, too few to show." in shown.sentences
    )
    drawn = next(trace for trace in shown.figure["data"] if trace["uid"] == "curve-0")
    assert max(drawn["x"]) == 30.0


def test_viewers_see_no_curve_of_fewer_than_five_children(org) -> None:
    for number in range(3):
        add_child(org, f"C-{number}", datetime.date(2025, 1, 1), 30 + number)

    shown = survival.timescale_survival(timescale_to(org), today=TODAY, hide_small_counts=True)

    assert shown.overall.too_few and shown.figure["data"] == []
    assert shown.sentences == ["<5 children counted: too few to show their curve."]


def test_before_and_after_an_annotated_change_compared_in_plain_words(org) -> None:
    cohorts(org)
    timescale = timescale_to(org)
    measure = Measure.objects.get(timescale=timescale, derivation=Measure.Derivation.MEDIAN_DAYS)
    note = Annotation.objects.create(
        organisation=org, measure=measure, date=datetime.date(2025, 4, 1), text="Planning meeting at 6 weeks"
    )

    result = survival.timescale_survival(timescale, today=TODAY, hide_small_counts=False, compare=str(note.code))

    earlier, later = result.cohorts
    assert (earlier.label, later.label) == ("before 1 April 2025", "since April 2025")
    assert (earlier.children, later.children, later.waiting) == (7, 6, 1)
    assert (earlier.median, later.median) == (205.0, 142.0)
    expected = logrank(BEFORE, [1] * 7, [106, *AFTER], [0, 1, 1, 1, 1, 1])
    assert result.comparison.test.chi2 == pytest.approx(expected.chi2)
    assert expected.p < 0.05
    assert result.comparison.sentence == (
        "Children looked after since April 2025 reached a permanence recommendation sooner: median 142 days against "
        f"205; log-rank {survival.p_text(expected.p)}."
    )
    assert [split.text for split in result.splits] == ["Planning meeting at 6 weeks"]


def test_cohorts_by_financial_year(org) -> None:
    cohorts(org)

    result = survival.timescale_survival(timescale_to(org), today=TODAY, hide_small_counts=False, compare="year")

    assert [curve.label for curve in result.cohorts] == ["in 2023/24", "in 2024/25", "in 2025/26"]
    assert result.comparison.later.label == "in 2025/26"
    assert result.comparison.sentence.startswith("Children looked after in 2025/26 reached a permanence recommendation")


def test_a_difference_that_could_be_chance_says_so(org) -> None:
    timescale = timescale_to(org)
    earlier = survival.curve_for(
        "before",
        survival.TimescaleDurations(
            np.array(["2025-01-01"] * 5, dtype="datetime64[D]"), np.array([100.0, 120, 140, 160, 180]), np.ones(5, bool)
        ),
        183,
        hide_small_counts=False,
    )
    later = survival.curve_for(
        "since May 2025",
        survival.TimescaleDurations(
            np.array(["2025-06-01"] * 5, dtype="datetime64[D]"), np.array([95.0, 125, 135, 165, 175]), np.ones(5, bool)
        ),
        183,
        hide_small_counts=False,
    )
    test = logrank([100, 120, 140, 160, 180], [1] * 5, [95, 125, 135, 165, 175], [1] * 5)

    sentence = survival.comparison_sentence(timescale, earlier, later, test)

    assert "but the difference could be chance: log-rank p = " in sentence
    assert survival.p_text(0.0004) == "p < 0.001" and survival.p_text(0.0031) == "p = 0.003"


def test_viewers_get_no_comparison_of_a_cohort_under_five(org) -> None:
    cohorts(org)
    timescale = timescale_to(org)
    measure = Measure.objects.get(timescale=timescale, derivation=Measure.Derivation.MEDIAN_DAYS)
    note = Annotation.objects.create(organisation=org, measure=measure, date=datetime.date(2026, 1, 1), text="Late")

    result = survival.timescale_survival(timescale, today=TODAY, hide_small_counts=True, compare=str(note.code))

    assert result.comparison.sentence == "The cohorts are not compared: one of them has fewer than 5 children."
    assert result.cohorts[-1].children_text == "<5"


def test_no_children_yet(org) -> None:
    result = survival.timescale_survival(timescale_to(org), today=TODAY, hide_small_counts=True)

    assert result.overall is None
    assert result.sentences == ["No child has reached “Child became looked after and accommodated” yet."]


def test_the_figure_and_its_svg_for_governance_reports(org) -> None:
    cohorts(org)
    drawn = []

    report = survival.time_to_permanence_figure(
        timescale_to(org),
        today=TODAY,
        hide_small_counts=True,
        render_svg=lambda figure: drawn.append(figure) or "<svg/>",
    )

    assert report.svg == "<svg/>" and drawn == [report.figure]
    assert report.figure["layout"]["width"] == 760 and report.figure["layout"]["height"] == 340
    uids = [trace["uid"] for trace in report.figure["data"]]
    assert uids[:3] == ["band-upper-0", "band-0", "curve-0"]
    assert report.figure["layout"]["shapes"][0]["x0"] == 183
    assert report.sentences[0].startswith("13 children counted")


@pytest.mark.skipif(not __import__("os").path.exists("/usr/bin/chromium"), reason="needs Debian's chromium")
def test_the_default_renderer_draws_a_real_svg(org) -> None:
    cohorts(org)
    report = survival.time_to_permanence_figure(timescale_to(org), today=TODAY, hide_small_counts=False)

    assert report.svg.lstrip().startswith("<svg") and "Target: 183 days" in report.svg


# Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_time_to_permanence_pages(cast, org, role) -> None:
    cohorts(org)
    client = cast.client(role)
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12), tick=False):
        listing = client.get(reverse("milestone_survival", args=[org.slug]))
        detail = client.get(
            reverse("milestone_survival_timescale", args=[org.slug, timescale_to(org).code]), {"compare": "year"}
        )

    assert listing.status_code == 200 and detail.status_code == 200
    page = listing.content.decode()
    assert "Looked after to permanence recommendation" in page and "data-figure=" in page
    # No child-level row on these pages, for anyone.
    assert "B-0" not in page and "A-waiting" not in detail.content.decode()
    assert "Children looked after in 2025/26 reached a permanence recommendation" in detail.content.decode()
    if role == Role.VIEWER:
        assert "each curve stops where fewer than 5 children remain at risk" in page


def test_the_list_page_runs_a_constant_number_of_queries(cast, org, django_assert_num_queries) -> None:
    client = cast.client(Role.VIEWER)
    url = reverse("milestone_survival", args=[org.slug])
    client.get(url)  # the defaults exist after the first visit
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    cohorts(org)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_timescale_of_another_organisation_is_not_found(cast, org) -> None:
    pathway_create_defaults(organisation=cast.other_org)
    foreign = Timescale.objects.filter(organisation=cast.other_org).first()

    response = cast.client(Role.DATA).get(reverse("milestone_survival_timescale", args=[org.slug, foreign.code]))

    assert response.status_code == 404


def test_the_timescale_measures_show_the_curve(cast, org) -> None:
    cohorts(org)
    measure = Measure.objects.get(timescale=timescale_to(org), derivation=Measure.Derivation.WITHIN_TARGET)

    page = cast.client(Role.VIEWER).get(measure.get_absolute_url()).content.decode()

    assert 'data-testid="survival-reading"' in page
    assert "Compare cohorts on the time-to-permanence page" in page
