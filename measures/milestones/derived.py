"""Measures derived from milestone dates (DESIGN.md §3): median days, % within target, children
waiting past target, and data completeness.

The arithmetic is in plain functions over numpy arrays of dates (``datetime64[D]``, NaT when a
child has no date), so that tests can call them directly; ``derived_measures_recompute`` loads
the dates with one query per timescale and replaces the data points of the derived measures in
one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from measures.milestones.models import date_from_text, date_text
from measures.milestones.staging import fields_insert
from measures.models import (
    BenchmarkSharing,
    Child,
    CompletenessProblem,
    DataPoint,
    Measure,
    Milestone,
    PathwaySummary,
    Timescale,
    WaitingRow,
)
from measures.services import derived_points_replace
from pace_hub.background import enqueue
from pace_hub.dates import day_text
from pace_hub.models import Organisation, TenantRow
from pace_hub.wording import count_text

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
            note=count_text(int(row["size"]), "child"),
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
    """One row per child with any date among ``milestones`` (indexed by child id); one
    ``datetime64`` column per milestone id (NaT where the child has none), and the child's
    ``route``. One query, over the children's date maps, without the model's ordering."""
    # Each milestone's date as text straight from the database (``dates ->> code``): no JSON
    # decoded in Python, which at 100,000 children was most of the read.
    keys = {f"d{index}": KeyTextTransform(milestone.code, "dates") for index, milestone in enumerate(milestones)}
    children = Child.objects.for_organisation(organisation).order_by().annotate(**keys)
    rows = list(children.values_list("pk", "route", *keys))
    values = list(zip(*rows, strict=True)) if rows else [() for _ in range(2 + len(keys))]
    ids = np.array(values[0], dtype=np.int64)
    columns = {milestone.pk: _days_from_text(values[2 + index]) for index, milestone in enumerate(milestones)}
    dated = np.zeros(len(rows), dtype=bool)
    for column in columns.values():
        dated |= ~np.isnat(column)
    frame = pd.DataFrame(
        {pk: column[dated] for pk, column in columns.items()},
        index=pd.Index(ids[dated], name="child"),
        columns=[milestone.pk for milestone in milestones],
    )
    for pk in frame.columns:
        frame[pk] = frame[pk].astype("datetime64[s]")
    routes = np.array(values[1], dtype=object)[dated]
    return frame.assign(route=routes if len(frame) else pd.Series(dtype=object))


def _days_from_text(texts) -> np.ndarray:
    """``datetime64[D]`` of yyyy-mm-dd texts (NaT for None), each distinct text parsed once (a
    few thousand days among 100,000 children's dates)."""
    labels, distinct = pd.factorize(np.array(texts, dtype=object), use_na_sentinel=True)
    days = np.array(list(distinct), dtype="datetime64[D]")
    return np.where(labels >= 0, days[np.maximum(labels, 0)] if len(days) else NAT, NAT)


def _column(frame: pd.DataFrame, milestone_id: int) -> np.ndarray:
    return frame[milestone_id].to_numpy(dtype="datetime64[D]")


def usable_timescales(organisation: Organisation) -> list[Timescale]:
    return list(
        Timescale.objects.for_organisation(organisation)
        .filter(active=True, from_milestone__active=True, to_milestone__active=True)
        .select_related("from_milestone", "to_milestone")
    )


# Namespace of the recompute's advisory locks (the organisation's id is the low half).
RECOMPUTE_LOCK = 0x5041_4345  # "PACE"


def _lock_recompute(organisation: Organisation) -> None:
    """One recompute at a time per organisation, until the transaction ends: two at once, e.g.
    after an upload and an API push saved together, would both delete and then both insert the
    same months, and the second would fail on datapoint_one_per_period (found by bench/load.py).

    Not the organisation row that imports lock: an import then never waits for a recompute (it
    used to queue behind the previous import's, under load several times its own time), and a
    recompute that read the dates just before an import saved is followed by that import's own,
    which waits for this lock and reads them after. (SQLite has one writer at a time anyway.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [(RECOMPUTE_LOCK << 32) | organisation.pk])


@transaction.atomic
def derived_measures_recompute(*, organisation: Organisation, today: date) -> int:
    """Replace the data points of every derived measure of the organisation; return how many
    points were written. Timescales that are off, or use a disabled milestone, get none."""
    _lock_recompute(organisation)
    timescales = usable_timescales(organisation)
    # One read of the dates serves the measures and the summary: every active milestone (the
    # timescales use only active ones; a child dated only elsewhere has NaT here, so counts nowhere).
    milestones = list(Milestone.objects.for_organisation(organisation).active().order_by("order"))
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
    # The recompute can change every derived measure's chart: the worker works them out again
    # after commit, so that people's first view of the list or dashboard is a cache hit.
    enqueue("measures.tasks.charts_warm_task", organisation.pk)
    pathway_summary_refresh(organisation=organisation, today=today, frame=frame, milestones=milestones)
    # An organisation that shares its aggregates across Scotland republishes them (DESIGN.md §4d).
    if BenchmarkSharing.objects.filter(organisation=organisation, sharing=True).exists():
        enqueue("measures.tasks.benchmark_publish_task", organisation.pk)
    return len(points)


def _waiting_mask(frame: pd.DataFrame, timescale: Timescale, today: date) -> np.ndarray:
    """Children of ``frame`` past the timescale's target on ``today`` without its later
    milestone, on a route that reaches it: the rule of ``_waiting``, over loaded dates."""
    if frame.empty:
        return np.zeros(0, dtype=bool)
    deadline = np.datetime64(today, "D") - np.timedelta64(timescale.target_days, "D")
    start = _column(frame, timescale.from_milestone_id)
    end = _column(frame, timescale.to_milestone_id)
    on_route = ~frame["route"].isin(routes_without(timescale.to_milestone.code)).to_numpy()
    return ~np.isnat(start) & (start < deadline) & np.isnat(end) & on_route


@transaction.atomic
def pathway_summary_refresh(
    *,
    organisation: Organisation,
    today: date | None = None,
    frame: pd.DataFrame | None = None,
    milestones: list[Milestone] | None = None,
) -> PathwaySummary:
    """Work out every count the milestone data pages show — data completeness, and children
    waiting past each timescale's target on ``today`` by route — from one read of the dates,
    and keep them. Run by the worker after each commit, roll-back and pathway change (through
    the recompute) and each morning (``pathway_summaries_refresh_task``)."""
    # The recompute's lock (taken again inside it, at no cost): two refreshes at once would both
    # delete the kept rows and then both insert theirs.
    _lock_recompute(organisation)
    today = today or timezone.localdate()
    if frame is None or milestones is None:  # else the recompute's read of every active milestone
        milestones = list(Milestone.objects.for_organisation(organisation).active().order_by("order"))
        frame = dates_by_child(organisation, milestones)
    # All of the organisation's references in one query (a pk__in list could pass SQLite's limit).
    references = dict(Child.objects.for_organisation(organisation).order_by().values_list("pk", "reference"))
    issues = completeness_issues(organisation, frame=frame, milestones=milestones, references=references)
    missing = sum(1 for issue in issues if issue.kind == "missing")
    timescales = {}
    waiting_rows_kept = []
    children = frame.index.to_numpy()
    for timescale in usable_timescales(organisation):
        waiting = _waiting_mask(frame, timescale, today)
        routes = frame["route"].to_numpy()[waiting] if len(frame) else np.array([], dtype=object)
        values, counts = np.unique(routes.astype(str), return_counts=True)
        timescales[str(timescale.pk)] = {
            "waiting": int(waiting.sum()),
            "by_route": {str(route): int(count) for route, count in zip(values, counts, strict=True)},
        }
        # The children themselves, longest wait first (the order of ``waiting_rows``).
        since = _column(frame, timescale.from_milestone_id)[waiting].astype(date) if len(frame) else []
        waiting_children = sorted(
            zip(since, (references[pk] for pk in children[waiting]), children[waiting], routes, strict=True)
        )
        waiting_rows_kept.extend(
            (timescale.pk, position, reference, route or "", day)
            for position, (day, reference, _, route) in enumerate(waiting_children)
        )
    completeness_problems_replace(organisation=organisation, issues=issues)
    WaitingRow.objects.filter(organisation=organisation).order_by()._raw_delete(WaitingRow.objects.db)
    _insert_rows(
        WaitingRow, organisation, ["timescale_id", "position", "reference", "route", "since"], waiting_rows_kept
    )
    summary, _ = PathwaySummary.objects.update_or_create(
        organisation=organisation,
        defaults={
            "completeness_issues": len(issues),
            "completeness_children": len({issue.reference for issue in issues}),
            "completeness_missing": missing,
            "completeness_order": len(issues) - missing,
            "timescales": timescales,
            "as_of": today,
            "computed_at": timezone.now(),
        },
    )
    return summary


PROBLEM_BATCH = 5000


def completeness_problems_replace(*, organisation: Organisation, issues: list[CompletenessIssue]) -> None:
    """Keep ``issues`` as the organisation's completeness problems, in their order, in place of
    the last refresh's (a raw delete and a bulk insert: derived rows, reproducible from the
    dates, with no history)."""
    CompletenessProblem.objects.filter(organisation=organisation).order_by()._raw_delete(CompletenessProblem.objects.db)
    _insert_rows(
        CompletenessProblem,
        organisation,
        ["position", "reference", "kind", "text"],
        [(position, issue.reference, issue.kind, issue.text) for position, issue in enumerate(issues)],
    )


def _insert_rows(model: type[TenantRow], organisation: Organisation, columns: list[str], rows: list[tuple]) -> None:
    """Insert kept summary rows, given as tuples of ``columns`` (attnames; dates as dates). On
    PostgreSQL through a staging table (``staging.fields_insert``: bulk_create spent ~30 µs a
    row building and quoting model instances, most of the refresh at 100,000 children, issue
    16); elsewhere bulk_create."""
    if not rows:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (
                model(organisation=organisation, created_at=now, updated_at=now, **dict(zip(columns, row, strict=True)))
                for row in rows
            ),
            batch_size=PROBLEM_BATCH,
        )
        return
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    fields_insert(model, organisation, columns, buffer.getvalue())


class ProblemPage:
    """The kept completeness problems as a sequence for ``Paginator``: its length is the
    summary's count (no COUNT query) and a slice is one query for that range of positions
    (constant whatever the page's number)."""

    def __init__(self, organisation: Organisation, count: int):
        self.organisation = organisation
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: slice) -> list[CompletenessIssue]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("ProblemPage is read a page (a slice) at a time")
        start, stop = index.start or 0, self.count if index.stop is None else index.stop
        rows = (
            CompletenessProblem.objects.for_organisation(self.organisation)
            .filter(position__gte=start, position__lt=stop)
            .order_by("position")
            .values_list("reference", "kind", "text")
        )
        return [CompletenessIssue(*row) for row in rows]


def completeness_problems(organisation: Organisation, chunk_size: int = PROBLEM_BATCH):
    """Every kept completeness problem in list order, read in chunks (for the CSV export)."""
    rows = (
        CompletenessProblem.objects.for_organisation(organisation)
        .order_by("position")
        .values_list("reference", "kind", "text")
    )
    for row in rows.iterator(chunk_size=chunk_size):
        yield CompletenessIssue(*row)


REFRESH_TASK = "measures.milestones.tasks.pathway_summary_refresh_task"


def pathway_summary(organisation: Organisation, today: date | None = None) -> PathwaySummary | None:
    """The kept pathway counts (one query), or None if they were never worked out. A summary
    from before ``today`` (or missing) is still returned as it is: the worker is asked for a
    fresh one (once a day), and nothing is computed in the request."""
    today = today or timezone.localdate()
    summary = PathwaySummary.objects.filter(organisation=organisation).first()
    if summary is not None and summary.as_of == today:
        return summary
    if summary is None:
        asked = False
        with transaction.atomic():
            summary_request = PathwaySummary.objects.get_or_create(
                organisation=organisation,
                defaults={"computed_at": timezone.now(), "refresh_requested_on": today},
            )
            asked = summary_request[1]
            if asked:
                enqueue(REFRESH_TASK, organisation.pk)
        return None
    # Ask once a day: only the request that moves refresh_requested_on to today enqueues.
    with transaction.atomic():
        moved = (
            PathwaySummary.objects.filter(pk=summary.pk)
            .exclude(refresh_requested_on=today)
            .update(refresh_requested_on=today)
        )
        if moved:
            enqueue(REFRESH_TASK, organisation.pk)
    return summary if summary.as_of is not None else None


# Waiting now and data completeness: the pages' reads ----------------------------------------


@dataclass(frozen=True)
class WaitingChild:
    reference: str
    route: str
    since: date
    days_waiting: int
    days_over: int


def _waiting(timescale: Timescale, today: date) -> QuerySet:
    """Children past the target without the later milestone, on its route, with their start
    date (``since``, ISO text) read from their date map."""
    deadline = date.fromordinal(today.toordinal() - timescale.target_days)
    start, end = timescale.from_milestone.code, timescale.to_milestone.code
    return (
        Child.objects.filter(organisation_id=timescale.organisation_id, dates__has_key=start)
        .exclude(dates__has_key=end)
        .exclude(route__in=routes_without(end))
        # As plain text (ISO dates compare as text), not as a JSON value to compare as JSON.
        .annotate(since=Cast(KeyTextTransform(start, "dates"), TextField()))
        .filter(since__lt=date_text(deadline))
    )


def waiting_rows(timescale: Timescale, today: date) -> QuerySet:
    """(reference, route, since) of the children waiting past the timescale's target, longest
    wait first: a query to count or slice a page from."""
    return _waiting(timescale, today).order_by("since", "reference", "pk").values_list("reference", "route", "since")


def waiting_children_from(rows, timescale: Timescale, today: date) -> list[WaitingChild]:
    """Rows of ``waiting_rows`` (all, or a page of them) as WaitingChild."""
    routes = dict(Child._meta.get_field("route").choices)
    result = []
    for reference, route, since in rows:
        since = date_from_text(since) if isinstance(since, str) else since
        waited = (today - since).days
        result.append(WaitingChild(reference, routes.get(route, ""), since, waited, waited - timescale.target_days))
    return result


class WaitingPage:
    """The kept waiting rows of one timescale as a sequence for ``Paginator``: its length is the
    summary's count (no COUNT query), a slice one query for that range of positions, as
    WaitingChild with the days waiting on ``today``."""

    def __init__(self, timescale: Timescale, count: int, today: date):
        self.timescale = timescale
        self.count = count
        self.today = today

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: slice) -> list[WaitingChild]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("WaitingPage is read a page (a slice) at a time")
        start, stop = index.start or 0, self.count if index.stop is None else index.stop
        rows = (
            WaitingRow.objects.filter(
                organisation_id=self.timescale.organisation_id,
                timescale=self.timescale,
                position__gte=start,
                position__lt=stop,
            )
            .order_by("position")
            .values_list("reference", "route", "since")
        )
        return waiting_children_from(rows, self.timescale, self.today)


def waiting_children(timescale: Timescale, today: date) -> list[WaitingChild]:
    """Children past the timescale's target who have not reached its later milestone, longest
    wait first. One query."""
    return waiting_children_from(waiting_rows(timescale, today), timescale, today)


def waiting_counts(organisation: Organisation, today: date) -> list[tuple[Timescale, int]]:
    """How many children wait past each usable timescale's target, counted now from the child
    rows (one query per timescale). Pages read ``pathway_summary`` instead."""
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


def completeness_issues(
    organisation: Organisation,
    *,
    frame: pd.DataFrame | None = None,
    milestones: list[Milestone] | None = None,
    references: dict[int, str] | None = None,
) -> list[CompletenessIssue]:
    """Children with a later milestone of a timescale but not the earlier one, or with a
    milestone dated before an earlier milestone of the pathway. Disabled milestones, and
    milestones not on the child's route, are ignored. Four queries whatever the number of
    children (fewer given the active ``milestones`` and their ``frame`` of dates)."""
    if milestones is None:
        milestones = list(Milestone.objects.for_organisation(organisation).active().order_by("order"))
    if frame is None:
        frame = dates_by_child(organisation, milestones)
    if frame.empty:
        return []
    if references is None:
        # All of the organisation's references in one query (a pk__in list could pass SQLite's limit).
        references = dict(Child.objects.for_organisation(organisation).order_by().values_list("pk", "reference"))
    routes = frame["route"].to_numpy()
    issues: list[tuple[str, int, CompletenessIssue]] = []
    children = frame.index.to_numpy()
    pairs = {(t.from_milestone_id, t.to_milestone_id) for t in usable_timescales(organisation)}
    names = {milestone.pk: milestone.name for milestone in milestones}
    codes = {milestone.pk: milestone.code for milestone in milestones}
    for from_id, to_id in sorted(pairs, key=lambda pair: list(names).index(pair[0])):
        expected = ~pd.Series(routes, dtype=object).isin(routes_without(codes[from_id])).to_numpy()
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
                f"“{milestone.name}” ({day_text(column[i].astype(date))}) is before "
                f"“{earlier.name}” ({day_text(latest[i].astype(date))})"
            )
            issues.append((reference, 1, CompletenessIssue(reference, "order", text)))
        newer = present & (np.isnat(latest) | (column > latest))
        latest = np.where(newer, column, latest)
        latest_index = np.where(newer, j, latest_index)
    issues.sort(key=lambda item: (item[0], item[1]))
    return [issue for _, _, issue in issues]
