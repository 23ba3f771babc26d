"""Measures derived from milestone dates (DESIGN.md §3): median days, % within target, children
waiting past target, and data completeness.

The arithmetic is in plain functions over numpy arrays of dates (``datetime64[D]``, NaT when a
child has no date), so that tests can call them directly; ``derived_measures_recompute`` loads
the dates with one query per timescale and replaces the data points of the derived measures in
one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from measures.models import (
    BenchmarkSharing,
    Child,
    DataPoint,
    Measure,
    Milestone,
    MilestoneDate,
    PathwaySummary,
    Timescale,
)
from measures.services import derived_points_replace
from pace_hub.background import enqueue
from pace_hub.models import Organisation

NAT = np.datetime64("NaT", "D")
SUPPRESSED = "<5"


# Milestones a child on a route does not go through, so their absence is not a gap: children
# returning home have no panel or court stages; kinship (s11) orders need no panel or ADM.
NOT_ON_ROUTE = {
    "home": {"panel", "adm_decision", "hearing_advice", "court_lodged", "order_granted"},
    "kinship": {"panel", "adm_decision"},
}


def routes_without(code: str) -> list[str]:
    """The routes whose children never reach the milestone with this code."""
    return [route for route, codes in NOT_ON_ROUTE.items() if code in codes]


@dataclass(frozen=True)
class Point:
    period: date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    provisional: bool = False
    note: str = ""


def _days(end: np.ndarray, start: np.ndarray) -> np.ndarray:
    return (end - start).astype("timedelta64[D]").astype(float)


def _month(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[M]")


def _period(month: np.datetime64) -> date:
    return month.astype("datetime64[D]").astype(date)


def median_days_points(start: np.ndarray, end: np.ndarray, today: date | None = None) -> list[Point]:
    """Median days from start to end per calendar month in which the end was reached; the
    month of ``today`` is provisional (more children may reach the milestone in it).

    Children with an end before their start (dates out of order) are left out: the
    completeness page lists them.
    """
    both = ~np.isnat(start) & ~np.isnat(end)
    days = _days(end[both], start[both])
    months = _month(end[both])
    usable = days >= 0
    frame = pd.DataFrame({"month": months[usable], "days": days[usable]})
    grouped = frame.groupby("month", sort=True)["days"].agg(["median", "size"])
    return [
        Point(
            period=_period(np.datetime64(month, "M")),
            value=float(row["median"]),
            denominator=float(row["size"]),
            note=f"{int(row['size'])} children",
            provisional=today is not None and _period(np.datetime64(month, "M")) >= today.replace(day=1),
        )
        for month, row in grouped.iterrows()
    ]


def within_target_points(start: np.ndarray, end: np.ndarray, target_days: int, today: date) -> list[Point]:
    """% of each start-month cohort who reached the end within ``target_days``.

    A month is provisional while any child in it has neither reached the end nor run past the
    target (their outcome is still open).
    """
    started = ~np.isnat(start)
    start, end = start[started], end[started]
    days = _days(end, start)
    reached = ~np.isnat(end)
    within = reached & (days >= 0) & (days <= target_days)
    open_case = ~reached & (_days(np.full(start.shape, np.datetime64(today, "D")), start) <= target_days)
    frame = pd.DataFrame({"month": _month(start), "within": within, "open": open_case})
    grouped = frame.groupby("month", sort=True).agg(
        numerator=("within", "sum"), denominator=("within", "size"), open=("open", "any")
    )
    return [
        Point(
            period=_period(np.datetime64(month, "M")),
            value=round(100.0 * row["numerator"] / row["denominator"], 1),
            numerator=float(row["numerator"]),
            denominator=float(row["denominator"]),
            provisional=bool(row["open"]),
        )
        for month, row in grouped.iterrows()
    ]


def waiting_points(start: np.ndarray, end: np.ndarray, target_days: int, today: date) -> list[Point]:
    """Children past the target without the end milestone, at the end of each month (today for
    the current month), from the first month any child started."""
    started = ~np.isnat(start)
    if not started.any():
        return []
    start, end = start[started], end[started]
    today_day = np.datetime64(today, "D")
    months = np.arange(_month(start).min(), _month(np.array([today_day]))[0] + 1)
    month_ends = (months + 1).astype("datetime64[D]") - 1
    as_of = np.minimum(month_ends, today_day)
    deadline = start + np.timedelta64(target_days, "D")
    # months × children: past the deadline at that date, and not reached by then.
    past = deadline[None, :] < as_of[:, None]
    not_reached = np.isnat(end)[None, :] | (end[None, :] > as_of[:, None])
    counts = (past & not_reached).sum(axis=1)
    return [
        Point(period=_period(month), value=float(count), provisional=bool(month_end > today_day))
        for month, month_end, count in zip(months, month_ends, counts, strict=True)
    ]


def dates_by_child(organisation: Organisation, milestones: list[Milestone]) -> pd.DataFrame:
    """One row per child with any date among ``milestones``; one column per milestone id, and
    the child's ``route``. Two queries."""
    rows = MilestoneDate.objects.filter(organisation=organisation, milestone__in=milestones).values_list(
        "child_id", "milestone_id", "date"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["child", "milestone", "date"])
    if frame.empty:
        wide = pd.DataFrame(columns=[milestone.pk for milestone in milestones], dtype="datetime64[s]")
    else:
        frame["date"] = pd.to_datetime(frame["date"])
        wide = frame.pivot(index="child", columns="milestone", values="date")
        wide = wide.reindex(columns=[milestone.pk for milestone in milestones])
    routes = dict(Child.objects.for_organisation(organisation).values_list("pk", "route"))
    return wide.assign(route=wide.index.map(routes).fillna("") if len(wide) else pd.Series(dtype=object))


def _column(frame: pd.DataFrame, milestone_id: int) -> np.ndarray:
    return frame[milestone_id].to_numpy(dtype="datetime64[D]")


def usable_timescales(organisation: Organisation) -> list[Timescale]:
    return list(
        Timescale.objects.for_organisation(organisation)
        .filter(active=True, from_milestone__active=True, to_milestone__active=True)
        .select_related("from_milestone", "to_milestone")
    )


@transaction.atomic
def derived_measures_recompute(*, organisation: Organisation, today: date) -> int:
    """Replace the data points of every derived measure of the organisation; return how many
    points were written. Timescales that are off, or use a disabled milestone, get none."""
    # One recompute at a time per organisation (the lock imports take): two at once, e.g. after
    # an upload and an API push saved together, would both delete and then both insert the same
    # months, and the second would fail on datapoint_one_per_period (found by bench/load.py).
    list(Organisation.objects.select_for_update().filter(pk=organisation.pk))
    timescales = usable_timescales(organisation)
    milestones = list({m.pk: m for t in timescales for m in (t.from_milestone, t.to_milestone)}.values())
    frame = dates_by_child(organisation, milestones)
    measures = Measure.objects.filter(organisation=organisation, source=Measure.Source.DERIVED)
    by_key = {(measure.timescale_id, measure.derivation): measure for measure in measures}
    points = []
    for timescale in timescales:
        # Children whose route never reaches the later milestone are not waiting for it.
        on_route = ~frame["route"].isin(routes_without(timescale.to_milestone.code)).to_numpy()
        start = _column(frame, timescale.from_milestone_id)[on_route]
        end = _column(frame, timescale.to_milestone_id)[on_route]
        series = {
            Measure.Derivation.MEDIAN_DAYS: median_days_points(start, end, today),
            Measure.Derivation.WITHIN_TARGET: within_target_points(start, end, timescale.target_days, today),
            Measure.Derivation.WAITING: waiting_points(start, end, timescale.target_days, today),
        }
        for derivation, values in series.items():
            measure = by_key.get((timescale.pk, derivation))
            if measure is None:
                continue
            points.extend(
                DataPoint(
                    organisation=organisation,
                    measure=measure,
                    period=point.period,
                    value=point.value,
                    numerator=point.numerator,
                    denominator=point.denominator,
                    provisional=point.provisional,
                    note=point.note,
                )
                for point in values
            )
    # Unchanged months stay, the rest is replaced without per-row history (measures.services).
    derived_points_replace(measures=list(by_key.values()), points=points)
    pathway_summary_refresh(organisation=organisation)
    # An organisation that shares its aggregates across Scotland republishes them (DESIGN.md §4d).
    if BenchmarkSharing.objects.filter(organisation=organisation, sharing=True).exists():
        enqueue("measures.tasks.benchmark_publish_task", organisation.pk)
    return len(points)


@transaction.atomic
def pathway_summary_refresh(*, organisation: Organisation) -> PathwaySummary:
    """Work out the pathway-wide counts the data home shows (data completeness) and keep them:
    they change only when dates, milestones or timescales do, which is when this runs."""
    issues = completeness_issues(organisation)
    missing = sum(1 for issue in issues if issue.kind == "missing")
    summary, _ = PathwaySummary.objects.update_or_create(
        organisation=organisation,
        defaults={
            "completeness_issues": len(issues),
            "completeness_children": len({issue.reference for issue in issues}),
            "completeness_missing": missing,
            "completeness_order": len(issues) - missing,
            "computed_at": timezone.now(),
        },
    )
    return summary


def pathway_summary(organisation: Organisation) -> PathwaySummary:
    """The kept pathway counts (one query); worked out now if they never were."""
    summary = PathwaySummary.objects.filter(organisation=organisation).first()
    return summary if summary is not None else pathway_summary_refresh(organisation=organisation)


# Waiting now and data completeness: the pages' reads ----------------------------------------


@dataclass(frozen=True)
class WaitingChild:
    reference: str
    route: str
    since: date
    days_waiting: int
    days_over: int


def _waiting(timescale: Timescale, today: date) -> QuerySet:
    """Start dates of children past the target without the later milestone, on its route."""
    deadline = date.fromordinal(today.toordinal() - timescale.target_days)
    return (
        MilestoneDate.objects.filter(milestone_id=timescale.from_milestone_id, date__lt=deadline)
        .exclude(child__milestone_dates__milestone_id=timescale.to_milestone_id)
        .exclude(child__route__in=routes_without(timescale.to_milestone.code))
    )


def waiting_rows(timescale: Timescale, today: date) -> QuerySet:
    """(reference, route, since) of the children waiting past the timescale's target, longest
    wait first: a query to count or slice a page from."""
    return (
        _waiting(timescale, today)
        .order_by("date", "child__reference", "pk")
        .values_list("child__reference", "child__route", "date")
    )


def waiting_children_from(rows, timescale: Timescale, today: date) -> list[WaitingChild]:
    """Rows of ``waiting_rows`` (all, or a page of them) as WaitingChild."""
    routes = dict(Child._meta.get_field("route").choices)
    result = []
    for reference, route, since in rows:
        waited = (today - since).days
        result.append(WaitingChild(reference, routes.get(route, ""), since, waited, waited - timescale.target_days))
    return result


def waiting_children(timescale: Timescale, today: date) -> list[WaitingChild]:
    """Children past the timescale's target who have not reached its later milestone, longest
    wait first. One query."""
    return waiting_children_from(waiting_rows(timescale, today), timescale, today)


def waiting_counts(organisation: Organisation, today: date) -> list[tuple[Timescale, int]]:
    """How many children wait past each usable timescale's target (one query per timescale)."""
    counts = []
    for timescale in usable_timescales(organisation):
        counts.append((timescale, _waiting(timescale, today).count()))
    return counts


def suppress(count: int) -> str:
    """A count of children as a viewer may see it: 1–4 shown as "<5"."""
    return SUPPRESSED if 0 < count < 5 else str(count)


def children_noun(shown: int | str) -> str:
    """ "child" or "children" after a count as shown (a number, or "<5")."""
    return "child" if str(shown) == "1" else "children"


@dataclass(frozen=True)
class CompletenessIssue:
    reference: str
    kind: str  # "missing" or "order"
    text: str


def completeness_issues(organisation: Organisation) -> list[CompletenessIssue]:
    """Children with a later milestone of a timescale but not the earlier one, or with a
    milestone dated before an earlier milestone of the pathway. Disabled milestones, and
    milestones not on the child's route, are ignored. Five queries whatever the number of
    children."""
    milestones = list(Milestone.objects.for_organisation(organisation).active().order_by("order"))
    frame = dates_by_child(organisation, milestones)
    if frame.empty:
        return []
    # All of the organisation's references in one query (a pk__in list could pass SQLite's limit).
    references = dict(Child.objects.for_organisation(organisation).values_list("pk", "reference"))
    routes = frame["route"].to_numpy()
    issues: list[tuple[str, int, CompletenessIssue]] = []
    children = frame.index.to_numpy()
    pairs = {(t.from_milestone_id, t.to_milestone_id) for t in usable_timescales(organisation)}
    names = {milestone.pk: milestone.name for milestone in milestones}
    codes = {milestone.pk: milestone.code for milestone in milestones}
    for from_id, to_id in sorted(pairs, key=lambda pair: list(names).index(pair[0])):
        expected = np.array([codes[from_id] not in NOT_ON_ROUTE.get(route, ()) for route in routes], dtype=bool)
        gap = np.isnat(_column(frame, from_id)) & ~np.isnat(_column(frame, to_id)) & expected
        for child in children[gap]:
            reference = references[child]
            text = f"has “{names[to_id]}” but no date for “{names[from_id]}”"
            issues.append((reference, 0, CompletenessIssue(reference, "missing", text)))
    dates = np.column_stack([_column(frame, milestone.pk) for milestone in milestones])
    latest = np.full(len(children), NAT)
    latest_index = np.full(len(children), -1)
    for j, milestone in enumerate(milestones):
        column = dates[:, j]
        present = ~np.isnat(column)
        before = present & ~np.isnat(latest) & (column < latest)
        for i in np.flatnonzero(before):
            earlier = milestones[latest_index[i]]
            reference = references[children[i]]
            text = (
                f"“{milestone.name}” ({column[i].astype(date):%d/%m/%Y}) is before "
                f"“{earlier.name}” ({latest[i].astype(date):%d/%m/%Y})"
            )
            issues.append((reference, 1, CompletenessIssue(reference, "order", text)))
        newer = present & (np.isnat(latest) | (column > latest))
        latest = np.where(newer, column, latest)
        latest_index = np.where(newer, j, latest_index)
    issues.sort(key=lambda item: (item[0], item[1]))
    return [issue for _, _, issue in issues]
