"""Measures derived from milestone dates (DESIGN.md §3): median days, % within target, children
waiting past target, and data completeness.

The arithmetic is in plain functions over numpy arrays of dates (``datetime64[D]``, NaT when a
child has no date), so that tests can call them directly; ``derived_measures_recompute`` loads
every active milestone's dates with one query and replaces the data points of the derived
measures in one transaction.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Expression, QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat
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


def _periods(months: np.ndarray) -> list[date]:
    """The first days of ``months`` (any ``datetime64`` array) as dates."""
    return np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").tolist()


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
    first_open = None if today is None else today.replace(day=1)
    # Read as lists of Python numbers (iterrows built a Series a month, most of the time here).
    return [
        Point(
            period=period,
            value=median,
            denominator=float(size),
            note=count_text(size, "child"),
            provisional=first_open is not None and period >= first_open,
        )
        for period, median, size in zip(
            _periods(grouped.index.to_numpy()), grouped["median"].tolist(), grouped["size"].tolist(), strict=True
        )
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
    months, cohort = np.unique(_month(start), return_inverse=True)
    numerators = np.bincount(cohort[within], minlength=len(months)).tolist()
    denominators = np.bincount(cohort, minlength=len(months)).tolist()
    still_open = (np.bincount(cohort[open_case], minlength=len(months)) > 0).tolist()
    return [
        Point(
            period=period,
            value=round(100.0 * numerator / denominator, 1),
            numerator=float(numerator),
            denominator=float(denominator),
            provisional=is_open,
        )
        for period, numerator, denominator, is_open in zip(
            _periods(months), numerators, denominators, still_open, strict=True
        )
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
    # Waiting on a day: past the deadline (deadline < day) and not reached by then. Counted for
    # every month at once by binary search in sorted days (not a months × children matrix): the
    # children past the deadline, less those also reached, i.e. with max(deadline + 1, end) ≤ day.
    reached = ~np.isnat(end)
    past = np.searchsorted(np.sort(deadline), as_of, side="left")
    settled = np.sort(np.maximum(deadline[reached] + 1, end[reached]))
    counts = past - np.searchsorted(settled, as_of, side="right")
    return [
        Point(period=period, value=float(count), provisional=month_end > today)
        for period, month_end, count in zip(_periods(months), month_ends.tolist(), counts.tolist(), strict=True)
    ]


# A missing date in the text of a child's dates that ``dates_by_child`` reads: an ISO date's width.
NO_DAY = " " * 10


def dates_by_child(
    organisation: Organisation, milestones: list[Milestone], *, with_references: bool = False
) -> pd.DataFrame:
    """One row per child with any date among ``milestones`` (indexed by child id); one
    ``datetime64`` column per milestone id (NaT where the child has none), the child's
    ``route`` and, ``with_references``, its ``reference``. One query, over the children's date
    maps, without the model's ordering."""
    children = Child.objects.for_organisation(organisation).order_by().annotate(days=_days_text(milestones))
    fields = ["pk", "route", *(["reference"] if with_references else []), "days"]
    rows = np.array(list(children.values_list(*fields)), dtype=object).reshape(-1, len(fields))
    days = _days_from_fixed_width(rows[:, -1].tolist(), len(milestones))
    dated = ~np.isnat(days).all(axis=1)
    frame = pd.DataFrame(
        {milestone.pk: days[dated, index].astype("datetime64[s]") for index, milestone in enumerate(milestones)},
        index=pd.Index(rows[dated, 0].astype(np.int64), name="child"),
        columns=[milestone.pk for milestone in milestones],
    )
    texts = {"route": rows[dated, 1]} | ({"reference": rows[dated, 2]} if with_references else {})
    return frame.assign(**{name: values if len(frame) else pd.Series(dtype=object) for name, values in texts.items()})


def _days_text(milestones: list[Milestone]) -> Expression:
    """A child's dates among ``milestones`` as one text, ten characters a milestone in their
    order (``dates ->> code``, ISO, NO_DAY where none): one text a child from the database
    instead of one a date, which at 100,000 children were most of the read (issue 16)."""
    parts = [Coalesce(KeyTextTransform(m.code, "dates"), Value(NO_DAY), output_field=TextField()) for m in milestones]
    if len(parts) < 2:  # Concat takes two or more
        return parts[0] if parts else Value("", output_field=TextField())
    return Concat(*parts, output_field=TextField())


def _days_from_fixed_width(texts: list[str], count: int) -> np.ndarray:
    """children × ``count`` ``datetime64[D]`` from texts of ``count`` yyyy-mm-dd dates or
    NO_DAYs (NaT) each; ValueError for any other text. The texts are cut into their cells in one
    numpy view, and numpy parses each distinct date once (a few thousand days among the
    children's dates)."""
    if set(map(len, texts)) - {10 * count}:
        raise ValueError("a milestone date is not an ISO date (yyyy-mm-dd)")
    if not count:
        return np.empty((len(texts), 0), dtype="datetime64[D]")
    cells = np.array(texts, dtype=f"<U{10 * count}").view("<U10").reshape(len(texts), count)
    labels, distinct = pd.factorize(cells.ravel())
    days = np.array([NAT if text == NO_DAY else np.datetime64(text, "D") for text in distinct], dtype="datetime64[D]")
    return days[labels].reshape(len(texts), count)


def _column(frame: pd.DataFrame, milestone_id: int) -> np.ndarray:
    return frame[milestone_id].to_numpy(dtype="datetime64[D]")


class DatedChildren:
    """The frame of ``dates_by_child`` (read ``with_references``) as numpy arrays for the
    recompute and the summary: each milestone's column converted once, and each route filter
    worked out once, instead of again for every timescale and use (issue 16)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.children = frame.index.to_numpy()
        self.routes = frame["route"].to_numpy()
        self.references = frame["reference"].to_numpy()
        self._columns: dict[int, np.ndarray] = {}
        self._on_route: dict[tuple[str, ...], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def column(self, milestone_id: int) -> np.ndarray:
        """The children's dates of this milestone, ``datetime64[D]``."""
        if milestone_id not in self._columns:
            self._columns[milestone_id] = _column(self.frame, milestone_id)
        return self._columns[milestone_id]

    def on_route(self, code: str) -> np.ndarray:
        """Which children are on a route that goes through the milestone with this code."""
        excluded = tuple(routes_without(code))
        if excluded not in self._on_route:
            self._on_route[excluded] = ~self.frame["route"].isin(excluded).to_numpy()
        return self._on_route[excluded]


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


def _active_milestones(organisation: Organisation) -> list[Milestone]:
    return list(Milestone.objects.for_organisation(organisation).active().order_by("order"))


@transaction.atomic
def derived_measures_recompute(*, organisation: Organisation, today: date) -> int:
    """Replace the data points of every derived measure of the organisation; return how many
    points were written. Timescales that are off, or use a disabled milestone, get none."""
    _lock_recompute(organisation)
    timescales = usable_timescales(organisation)
    # One read of the dates serves the measures and the summary: every active milestone (the
    # timescales use only active ones; a child dated only elsewhere has NaT here, so counts nowhere).
    milestones = _active_milestones(organisation)
    dated = DatedChildren(dates_by_child(organisation, milestones, with_references=True))
    measures = Measure.objects.filter(organisation=organisation, source=Measure.Source.DERIVED)
    by_key = {(measure.timescale_id, measure.derivation): measure for measure in measures}
    points = []
    for timescale in timescales:
        # Children whose route never reaches the later milestone are not waiting for it.
        on_route = dated.on_route(timescale.to_milestone.code)
        start = dated.column(timescale.from_milestone_id)[on_route]
        end = dated.column(timescale.to_milestone_id)[on_route]
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
    pathway_summary_refresh(organisation=organisation, today=today, dated=dated, milestones=milestones)
    # An organisation that shares its aggregates across Scotland republishes them (DESIGN.md §4d).
    if BenchmarkSharing.objects.filter(organisation=organisation, sharing=True).exists():
        enqueue("measures.tasks.benchmark_publish_task", organisation.pk)
    return len(points)


def _waiting_mask(dated: DatedChildren, timescale: Timescale, today: date) -> np.ndarray:
    """Children past the timescale's target on ``today`` without its later milestone, on a
    route that reaches it: the rule of ``_waiting``, over loaded dates."""
    deadline = np.datetime64(today, "D") - np.timedelta64(timescale.target_days, "D")
    start = dated.column(timescale.from_milestone_id)
    end = dated.column(timescale.to_milestone_id)
    on_route = dated.on_route(timescale.to_milestone.code)
    return ~np.isnat(start) & (start < deadline) & np.isnat(end) & on_route


@transaction.atomic
def pathway_summary_refresh(
    *,
    organisation: Organisation,
    today: date | None = None,
    dated: DatedChildren | None = None,
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
    if dated is None or milestones is None:  # else the recompute's read of every active milestone
        milestones = _active_milestones(organisation)
        dated = DatedChildren(dates_by_child(organisation, milestones, with_references=True))
    timescales = usable_timescales(organisation)
    problems = _completeness_problems(dated, milestones, timescales)
    missing = sum(1 for _, kind, _ in problems if kind == "missing")
    counts, waiting_rows_kept = {}, []
    for timescale in timescales:
        waiting = _waiting_mask(dated, timescale, today)
        routes = dated.routes[waiting]
        values, route_counts = np.unique(routes.astype(str), return_counts=True)
        counts[str(timescale.pk)] = {
            "waiting": int(waiting.sum()),
            "by_route": {str(route): int(count) for route, count in zip(values, route_counts, strict=True)},
        }
        # The children themselves, longest wait first (the order of ``waiting_rows``).
        since = dated.column(timescale.from_milestone_id)[waiting].tolist()
        references, children = dated.references[waiting].tolist(), dated.children[waiting].tolist()
        waiting_children = sorted(zip(since, references, children, routes.tolist(), strict=True))
        waiting_rows_kept.extend(
            (timescale.pk, position, reference, route or "", day)
            for position, (day, reference, _, route) in enumerate(waiting_children)
        )
    completeness_problems_replace(organisation=organisation, problems=problems)
    WaitingRow.objects.filter(organisation=organisation).order_by()._raw_delete(WaitingRow.objects.db)
    _insert_rows(
        WaitingRow, organisation, ["timescale_id", "position", "reference", "route", "since"], waiting_rows_kept
    )
    summary, _ = PathwaySummary.objects.update_or_create(
        organisation=organisation,
        defaults={
            "completeness_issues": len(problems),
            "completeness_children": len({reference for reference, _, _ in problems}),
            "completeness_missing": missing,
            "completeness_order": len(problems) - missing,
            "timescales": counts,
            "as_of": today,
            "computed_at": timezone.now(),
        },
    )
    return summary


PROBLEM_BATCH = 5000


def completeness_problems_replace(*, organisation: Organisation, problems: list[tuple[str, str, str]]) -> None:
    """Keep ``problems`` (reference, kind, text) as the organisation's completeness problems, in
    their order, in place of the last refresh's (a raw delete and a bulk insert: derived rows,
    reproducible from the dates, with no history)."""
    CompletenessProblem.objects.filter(organisation=organisation).order_by()._raw_delete(CompletenessProblem.objects.db)
    _insert_rows(
        CompletenessProblem,
        organisation,
        ["position", "reference", "kind", "text"],
        [(position, *problem) for position, problem in enumerate(problems)],
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


def completeness_issues(organisation: Organisation) -> list[CompletenessIssue]:
    """Children with a later milestone of a timescale but not the earlier one, or with a
    milestone dated before an earlier milestone of the pathway. Disabled milestones, and
    milestones not on the child's route, are ignored. Three queries whatever the number of
    children."""
    milestones = _active_milestones(organisation)
    dated = DatedChildren(dates_by_child(organisation, milestones, with_references=True))
    problems = _completeness_problems(dated, milestones, usable_timescales(organisation))
    return [CompletenessIssue(*problem) for problem in problems]


def _completeness_problems(
    dated: DatedChildren, milestones: list[Milestone], timescales: list[Timescale]
) -> list[tuple[str, str, str]]:
    """(reference, kind, text) of ``completeness_issues``, by reference, a child's missing
    earlier milestones first: plain tuples, each day's text formatted once (a dataclass and a
    Django date format per problem were about a third of the summary, issue 16)."""
    if not len(dated):
        return []
    found = _missing_earlier(dated, milestones, timescales) + _out_of_order(dated, milestones)
    found.sort(key=lambda problem: problem[:2])  # stable: a child's problems keep their order
    return [(reference, "order" if kind else "missing", text) for reference, kind, text in found]


def _missing_earlier(
    dated: DatedChildren, milestones: list[Milestone], timescales: list[Timescale]
) -> list[tuple[str, int, str]]:
    """(reference, 0, text): a timescale's later milestone without its earlier one."""
    found = []
    names = {milestone.pk: milestone.name for milestone in milestones}
    codes = {milestone.pk: milestone.code for milestone in milestones}
    pairs = {(t.from_milestone_id, t.to_milestone_id) for t in timescales}
    for from_id, to_id in sorted(pairs, key=lambda pair: list(names).index(pair[0])):
        gap = np.isnat(dated.column(from_id)) & ~np.isnat(dated.column(to_id)) & dated.on_route(codes[from_id])
        text = f"has “{names[to_id]}” but no date for “{names[from_id]}”"
        found.extend((reference, 0, text) for reference in dated.references[gap].tolist())
    return found


def _out_of_order(dated: DatedChildren, milestones: list[Milestone]) -> list[tuple[str, int, str]]:
    """(reference, 1, text): a milestone dated before the latest of the earlier ones."""
    found = []
    shown = functools.cache(day_text)
    latest = np.full(len(dated), NAT)
    latest_index = np.full(len(dated), -1)
    for j, milestone in enumerate(milestones):
        column = dated.column(milestone.pk)
        present = ~np.isnat(column)
        before = np.flatnonzero(present & ~np.isnat(latest) & (column < latest))
        found.extend(
            (
                reference,
                1,
                f"“{milestone.name}” ({shown(day)}) is before “{milestones[earlier].name}” ({shown(earlier_day)})",
            )
            for reference, day, earlier, earlier_day in zip(
                dated.references[before].tolist(),
                column[before].tolist(),
                latest_index[before].tolist(),
                latest[before].tolist(),
                strict=True,
            )
        )
        newer = present & (np.isnat(latest) | (column > latest))
        latest = np.where(newer, column, latest)
        latest_index = np.where(newer, j, latest_index)
    return found
