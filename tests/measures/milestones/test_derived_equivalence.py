"""The recompute's vectorised arithmetic and its one-text-a-child read of the dates give what the
plain definitions give, child by child and month by month (issue 16 made them fast)."""

import statistics
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from measures.milestones import derived
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, Milestone
from tests.measures.factories import ChildFactory
from tests.measures.milestones.dates import set_dates


def _random_dates(seed: int, children: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2021-01-01") + rng.integers(0, 1200, children).astype("timedelta64[D]")
    end = start + rng.integers(-20, 300, children).astype("timedelta64[D]")  # some out of order
    start[rng.random(children) < 0.1] = np.datetime64("NaT")
    end[rng.random(children) < 0.3] = np.datetime64("NaT")
    return start, end


def _pairs(start: np.ndarray, end: np.ndarray) -> list[tuple[date | None, date | None]]:
    return list(zip(start.tolist(), end.tolist(), strict=True))


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@pytest.mark.parametrize("seed", range(5))
def test_waiting_points_count_each_months_waiting_children(seed: int) -> None:
    start, end = _random_dates(seed, 300)
    today, target = date(2024, 5, 17), 60
    points = derived.waiting_points(start, end, target, today)
    for point in points:
        as_of = min(_month_end(point.period), today)
        waiting = [
            (a, b)
            for a, b in _pairs(start, end)
            if a is not None and a + timedelta(days=target) < as_of and (b is None or b > as_of)
        ]
        assert point.value == float(len(waiting)), point.period
        assert point.provisional == (_month_end(point.period) > today)
    assert points[0].period == min(a for a, _ in _pairs(start, end) if a).replace(day=1)
    assert points[-1].period == today.replace(day=1)


@pytest.mark.parametrize("seed", range(5))
def test_within_target_and_median_days_points_follow_their_monthly_cohorts(seed: int) -> None:
    start, end = _random_dates(seed, 300)
    today, target = date(2024, 5, 17), 90
    cohorts: dict[date, list[tuple[date, date | None]]] = {}
    reached: dict[date, list[int]] = {}
    for a, b in _pairs(start, end):
        if a is not None:
            cohorts.setdefault(a.replace(day=1), []).append((a, b))
        if a is not None and b is not None and b >= a:
            reached.setdefault(b.replace(day=1), []).append((b - a).days)
    within = derived.within_target_points(start, end, target, today)
    assert [p.period for p in within] == sorted(cohorts)
    for point in within:
        children = cohorts[point.period]
        numerator = sum(1 for a, b in children if b is not None and 0 <= (b - a).days <= target)
        assert (point.numerator, point.denominator) == (numerator, len(children))
        assert point.value == round(100.0 * numerator / len(children), 1)
        assert point.provisional == any(b is None and (today - a).days <= target for a, b in children)
    median = derived.median_days_points(start, end, today)
    assert [(p.period, p.value, p.denominator) for p in median] == [
        (month, float(statistics.median(days)), float(len(days))) for month, days in sorted(reached.items())
    ]


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def test_dates_by_child_reads_every_date_as_stored(cast, org) -> None:
    milestones = list(Milestone.objects.filter(organisation=org, active=True).order_by("order"))
    first, second, last = milestones[0], milestones[1], milestones[-1]
    days = {
        "C-1": {first: date(2024, 2, 29), last: date(1999, 12, 31)},
        "C-2": {second: date(2000, 1, 1)},
        "C-3": {first: date(2023, 12, 31), second: date(2024, 1, 1), last: date(2100, 3, 1)},
    }
    children = {reference: ChildFactory(organisation=org, reference=reference, route="kinship") for reference in days}
    for reference, dates in days.items():
        set_dates(children[reference], dates)
    ChildFactory(organisation=org, reference="C-4")  # no dates: not in the frame
    set_dates(ChildFactory(organisation=cast.other_org, reference="C-1"), {first.code: date(2020, 1, 1)})
    frame = derived.dates_by_child(org, milestones, with_references=True)
    read = {
        row["reference"]: {m: row[m.pk].date() for m in milestones if not pd.isna(row[m.pk])}
        for _, row in frame.iterrows()
    }
    assert read == days
    assert dict(zip(frame["reference"], frame.index, strict=True)) == {r: children[r].pk for r in days}
    assert set(frame["route"]) == {"kinship"}
    assert sorted(derived.dates_by_child(org, [second]).index) == [children["C-2"].pk, children["C-3"].pk]
    assert derived.dates_by_child(org, []).empty


@pytest.mark.parametrize("text", ["2024-02-30", "2023-02-29", "2024-13-01", "2024-1-1", "tbc", "2024/01/01"])
def test_a_stored_text_that_is_not_an_iso_date_fails_the_read(org, text: str) -> None:
    milestones = list(Milestone.objects.filter(organisation=org, active=True).order_by("order"))
    ChildFactory(organisation=org, reference="C-1")
    Child.objects.filter(organisation=org).update(dates={milestones[0].code: text})
    with pytest.raises(ValueError):
        derived.dates_by_child(org, milestones)


def test_completeness_problems_by_reference_missing_dates_first(org) -> None:
    codes = ["looked_after", "legal_advice", "permanence_rec", "panel", "adm_decision", "court_lodged"]
    by_code = {m.code: m for m in Milestone.objects.filter(organisation=org, code__in=codes)}
    # C-9: no looked-after or ADM date, and legal advice after two later milestones.
    set_dates(
        ChildFactory(organisation=org, reference="C-9"),
        {by_code["legal_advice"]: date(2024, 6, 1), by_code["permanence_rec"]: date(2024, 5, 1)}
        | {by_code["panel"]: date(2024, 4, 1), by_code["court_lodged"]: date(2024, 7, 1)},
    )
    set_dates(ChildFactory(organisation=org, reference="C-1"), {by_code["permanence_rec"]: date(2024, 5, 1)})
    issues = derived.completeness_issues(org)
    assert [(issue.reference, issue.kind) for issue in issues] == [
        ("C-1", "missing"),
        ("C-9", "missing"),
        ("C-9", "missing"),
        ("C-9", "order"),
        ("C-9", "order"),
    ]
    assert [issue.text.split(" but no date for ")[1] for issue in issues[1:3]] == [
        f"“{by_code['looked_after'].name}”",
        f"“{by_code['adm_decision'].name}”",
    ]
    assert [issue.text.split(" is before ")[0] for issue in issues[3:]] == [
        f"“{by_code['permanence_rec'].name}” (1 May 2024)",
        f"“{by_code['panel'].name}” (1 Apr 2024)",
    ]
