"""Derived measures from milestone dates, worked by hand."""

from datetime import date

import numpy as np
import pytest

from measures.milestones.derived import (
    derived_measures_recompute,
    median_days_points,
    suppress,
    waiting_points,
    within_target_points,
)
from measures.milestones.pathway import pathway_create_defaults
from measures.models import DataPoint, Measure, Milestone
from tests.measures.factories import ChildFactory
from tests.measures.milestones.dates import set_date


def days(*values: str | None) -> np.ndarray:
    return np.array([value or "NaT" for value in values], dtype="datetime64[D]")


def test_median_days_per_month_in_which_the_later_milestone_was_reached() -> None:
    start = days("2024-01-01", "2024-01-10", "2024-02-01", "2024-02-01", "2024-03-01", None)
    end = days("2024-03-01", "2024-03-20", "2024-03-02", "2024-05-01", None, "2024-05-05")
    points = median_days_points(start, end)
    # March: 60, 70 and 30 days → median 60; May: 90 days (the child without a start is left out).
    assert [(p.period, p.value, p.denominator) for p in points] == [
        (date(2024, 3, 1), 60.0, 3.0),
        (date(2024, 5, 1), 90.0, 1.0),
    ]


def test_median_days_leaves_out_dates_out_of_order() -> None:
    points = median_days_points(days("2024-03-10", "2024-03-01"), days("2024-03-01", "2024-03-11"))
    assert [(p.period, p.value) for p in points] == [(date(2024, 3, 1), 10.0)]


def test_within_target_by_start_month_with_provisional_months() -> None:
    today = date(2024, 6, 30)
    start = days("2024-01-05", "2024-01-20", "2024-01-25", "2024-06-01", "2024-06-10")
    end = days("2024-02-01", "2024-05-01", None, "2024-06-20", None)
    points = within_target_points(start, end, 30, today)
    january, june = points
    # January: 27 days (within), 102 days (late), never reached but past target → 1 of 3, final.
    assert (january.period, january.numerator, january.denominator, january.provisional) == (
        date(2024, 1, 1),
        1.0,
        3.0,
        False,
    )
    assert january.value == pytest.approx(33.3)
    # June: one within 19 days, one still open (20 days so far, target 30) → provisional.
    assert (june.numerator, june.denominator, june.provisional) == (1.0, 2.0, True)


def test_a_child_exactly_at_the_target_is_within_it() -> None:
    [point] = within_target_points(days("2024-01-01"), days("2024-01-31"), 30, date(2024, 6, 1))
    assert point.numerator == 1.0


def test_waiting_counts_at_the_end_of_each_month() -> None:
    today = date(2024, 4, 15)
    start = days("2024-01-01", "2024-01-15", "2024-02-20")
    end = days("2024-03-10", None, None)
    points = waiting_points(start, end, 30, today)
    # Jan 31: child 1 (30 days, not past) → 0; Feb 29: children 1 and 2 → 2;
    # Mar 31: child 1 done on 10/03, children 2 and 3 past → 2; 15/04 (today): 2, provisional.
    assert [(p.period, p.value, p.provisional) for p in points] == [
        (date(2024, 1, 1), 0.0, False),
        (date(2024, 2, 1), 2.0, False),
        (date(2024, 3, 1), 2.0, False),
        (date(2024, 4, 1), 2.0, True),
    ]


def test_small_counts_are_suppressed_for_viewers() -> None:
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


def _date(org, child, code, day):
    milestone = Milestone.objects.get(organisation=org, code=code)
    set_date(child, milestone, day)


def test_recompute_replaces_points_and_ignores_disabled_milestones(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    child = ChildFactory(organisation=org)
    _date(org, child, "looked_after", date(2024, 1, 1))
    _date(org, child, "permanence_rec", date(2024, 4, 1))
    derived_measures_recompute(organisation=org, today=date(2024, 6, 30))
    median = Measure.objects.get(
        organisation=org, derivation="median_days", timescale__to_milestone__code="permanence_rec"
    )
    assert list(median.points.values_list("period", "value")) == [(date(2024, 4, 1), 91.0)]
    within = Measure.objects.get(
        organisation=org, derivation="within_target", timescale__to_milestone__code="permanence_rec"
    )
    assert list(within.points.values_list("numerator", "denominator", "value")) == [(1.0, 1.0, 100.0)]

    Milestone.objects.filter(organisation=org, code="permanence_rec").update(active=False)
    derived_measures_recompute(organisation=org, today=date(2024, 6, 30))
    assert not median.points.exists()
    assert (
        DataPoint.objects.filter(measure__timescale__from_milestone__code="looked_after")
        .filter(measure__timescale__to_milestone__code="order_granted")
        .exists()
    )  # looked after → order still counts its waiting children


def test_the_current_month_of_median_days_is_provisional() -> None:
    points = median_days_points(days("2024-01-01", "2024-05-01"), days("2024-05-01", "2024-06-10"), date(2024, 6, 15))
    assert [(p.period, p.provisional) for p in points] == [(date(2024, 5, 1), False), (date(2024, 6, 1), True)]
