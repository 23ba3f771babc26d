"""Writes to measures and their data. Keyword-only, typed, one transaction each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from measures.chart_cache import measures_changed
from measures.data_entry import EntryRow
from measures.models import Annotation, DataPoint, Measure, Phase
from pace_hub.models import Organisation

MEASURE_FIELDS = (
    "title",
    "kind",
    "description",
    "numerator",
    "denominator",
    "inclusions",
    "exclusions",
    "unit",
    "better",
    "chart",
    "rule_profile",
    "period",
    "target",
    "baseline_points",
    "rate_per",
    "event_name",
)


def _require_manual(measure: Measure) -> None:
    if measure.source == Measure.Source.DERIVED:
        raise ValidationError("This measure is derived from milestone data: its data points cannot be edited here.")


@transaction.atomic
def measure_create(*, organisation: Organisation, **fields: object) -> Measure:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields: {sorted(unknown)}")
    measure = Measure(organisation=organisation, source=Measure.Source.MANUAL, **fields)
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def measure_update(*, measure: Measure, **fields: object) -> Measure:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.full_clean()
    measure.save()
    return measure


@dataclass(frozen=True)
class SaveCounts:
    created: int
    updated: int

    def __str__(self) -> str:
        parts = []
        if self.created:
            parts.append(f"{self.created} new point{'s' if self.created != 1 else ''}")
        if self.updated:
            parts.append(f"{self.updated} updated")
        return " and ".join(parts) or "nothing changed"


@transaction.atomic
def datapoints_save(*, measure: Measure, rows: list[EntryRow]) -> SaveCounts:
    """Add or update one point per period. A row's note replaces the stored note only when the
    row has a note column (EntryRow.note is not None)."""
    _require_manual(measure)
    existing = {point.period: point for point in measure.points.select_for_update()}
    new, changed = [], []
    now = timezone.now()
    for row in rows:
        point = existing.get(row.period)
        if point is None:
            point = DataPoint(organisation=measure.organisation, measure=measure, period=row.period)
            new.append(point)
        else:
            point.updated_at = now
            changed.append(point)
        point.value, point.numerator, point.denominator = row.value, row.numerator, row.denominator
        if row.note is not None:
            point.note = row.note
    if new:
        bulk_create_with_history(new, DataPoint, batch_size=500)
    if changed:
        bulk_update_with_history(
            changed, DataPoint, ["value", "numerator", "denominator", "note", "updated_at"], batch_size=500
        )
    if new or changed:
        # Bulk writes send no signals: the chart cache is told here.
        measures_changed([measure.pk])
    return SaveCounts(created=len(new), updated=len(changed))


@transaction.atomic
def datapoint_save(
    *,
    measure: Measure,
    period: datetime.date,
    value: float | None,
    numerator: float | None = None,
    denominator: float | None = None,
    note: str = "",
    astronomical: bool = False,
) -> DataPoint:
    """One point from the data-entry grid: created or updated in place."""
    _require_manual(measure)
    point, _ = DataPoint.objects.select_for_update().get_or_create(
        measure=measure, period=period, defaults={"organisation": measure.organisation}
    )
    point.value, point.numerator, point.denominator = value, numerator, denominator
    point.note, point.astronomical = note, astronomical
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def datapoint_delete(*, measure: Measure, period: datetime.date) -> bool:
    _require_manual(measure)
    deleted, _ = DataPoint.objects.filter(measure=measure, period=period).delete()
    return bool(deleted)


@transaction.atomic
def annotation_create(*, measure: Measure, date: datetime.date, text: str, link: str = "") -> Annotation:
    annotation = Annotation(organisation=measure.organisation, measure=measure, date=date, text=text, link=link)
    annotation.full_clean()
    annotation.save()
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation) -> None:
    annotation.delete()


@transaction.atomic
def phase_create(*, measure: Measure, start: datetime.date, reason: str, baseline_points: int | None = None) -> Phase:
    """Start a new phase: the centre line and limits are recomputed from `start` on.

    Only a person does this, with a reason; the app suggests it after a sustained shift but
    never rebases by itself.
    """
    if Phase.objects.filter(measure=measure, start=start).exists():
        raise ValidationError(f"A phase already starts on {start:%d %B %Y}.")
    phase = Phase(
        organisation=measure.organisation,
        measure=measure,
        start=start,
        reason=reason,
        baseline_points=baseline_points,
    )
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def phase_delete(*, phase: Phase) -> None:
    phase.delete()


# What a derived point holds besides its measure and period (compared to decide what changed).
DERIVED_FIELDS = ("value", "numerator", "denominator", "provisional", "note")


@dataclass(frozen=True)
class ReplaceCounts:
    created: int
    updated: int
    deleted: int
    unchanged: int


@transaction.atomic
def derived_points_replace(*, measures: list[Measure], points: list[DataPoint]) -> ReplaceCounts:
    """Make the stored points of these derived measures exactly ``points`` (unsaved DataPoints,
    at most one per measure and period).

    Derived data is reproducible from the import log, so it keeps no per-row history (DESIGN
    §3; hand-entered points keep theirs through datapoints_save): unchanged points are left
    alone, changed ones are rewritten with the same code, and months that are gone are
    deleted — a delete and a bulk insert, no history rows and no per-row signals. Only the
    measures whose points changed get a new chart-cache stamp."""
    if any(measure.source != Measure.Source.DERIVED for measure in measures):
        raise ValidationError("Only derived measures' points are replaced by the recompute.")
    ids = {measure.pk for measure in measures}
    wanted = {}
    for point in points:
        if point.measure_id not in ids:
            raise ValueError(f"point for measure {point.measure_id}, which is not being replaced")
        wanted[(point.measure_id, point.period)] = point
    stale, keep_codes, touched = [], {}, set()
    unchanged = 0
    existing = (
        DataPoint.objects.filter(measure__in=ids)
        .order_by()
        .values_list("pk", "code", "measure_id", "period", *DERIVED_FIELDS)
    )
    for pk, code, measure_id, period, *values in existing:
        point = wanted.get((measure_id, period))
        if point is not None and tuple(values) == tuple(getattr(point, name) for name in DERIVED_FIELDS):
            wanted.pop((measure_id, period))
            unchanged += 1
            continue
        stale.append(pk)
        touched.add(measure_id)
        if point is not None:
            keep_codes[(measure_id, period)] = code
    created = [point for key, point in wanted.items() if key not in keep_codes]
    for key, code in keep_codes.items():
        wanted[key].code = code
    for start in range(0, len(stale), 5000):
        # A raw delete: no history rows, no signals; derived points have nothing pointing at them.
        DataPoint.objects.filter(pk__in=stale[start : start + 5000]).order_by()._raw_delete(DataPoint.objects.db)
    # bulk_create renews the stamps of the measures it writes to (ChartRowQuerySet); the
    # measures that only lost points are renewed here.
    DataPoint.objects.bulk_create(list(wanted.values()), batch_size=2000)
    measures_changed(touched - {point.measure_id for point in wanted.values()})
    return ReplaceCounts(
        created=len(created), updated=len(keep_codes), deleted=len(stale) - len(keep_codes), unchanged=unchanged
    )
