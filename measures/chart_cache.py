"""Each measure's chart result, kept in the cache until anything that draws it changes.

The chart analysis (measures.charts.chart_payload) is pure: it depends only on the measure's
own settings, its points, annotations and phases. So a result is cached under a key holding the
measure's version stamp, ``Measure.data_version``; every write gives the measure a new stamp, and
the old entry is simply never read again (it expires after ``TIMEOUT``). Nothing is deleted.

What gives a measure a new stamp:
- saving the measure itself (``Measure.save``: chart type, target, direction, baseline…);
- saving or deleting one point, annotation or phase (the signals below, whichever code does it:
  services, the PDSA annotation sync, the admin);
- writes that send no signals — ``bulk_create``, ``bulk_update`` and ``update`` on points,
  annotations and phases — renew it in their queryset (``measures.models.ChartRowQuerySet``),
  and the raw delete of ``measures.services.derived_points_replace`` (the milestone recompute
  after imports, roll-backs and pathway changes) calls ``measures_changed``.

A derived measure's chart for people who may not see child-level data is analysed without the
small counts (measures.disclosure), so it is a different result: it has its own entry, the
"viewer" variant in the key. Hand-entered measures have one result for everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from measures.models import Annotation, DataPoint, Measure, Phase
from measures.models.measures import renew_data_versions

# Bump when chart_payload's output changes shape, so entries written by older code are not read.
FORMAT = 1
TIMEOUT = 60 * 60 * 24 * 7

Entry = dict[str, Any]


def variant(measure: Measure, *, hide_small_counts: bool) -> str:
    """Which result a person gets: "viewer" (small counts withheld before the analysis) or
    "full". Only derived measures describe children, so for the others both are one entry."""
    return "viewer" if hide_small_counts and measure.source == Measure.Source.DERIVED else "full"


def chart_key(
    measure: Measure, *, chart: str | None = None, hide_small_counts: bool = False, part: str = "chart"
) -> str:
    """``part`` "list" is the small entry a list row draws (measures.selectors.list_entries_for),
    made from the "chart" one: same stamp, so every write renews both."""
    kind = variant(measure, hide_small_counts=hide_small_counts)
    key = f"measure-chart:{FORMAT}:{measure.pk}:{measure.data_version.hex}:{chart or '-'}:{kind}"
    return key if part == "chart" else f"{key}:{part}"


def chart_entries(
    measures: Iterable[Measure],
    compute: Callable[[list[Measure]], dict[int, Entry]],
    *,
    chart: str | None = None,
    hide_small_counts: bool = False,
    part: str = "chart",
) -> dict[int, Entry]:
    """Each measure's cached entry by pk; ``compute(missing)`` builds those not in the cache
    (one batch, so that their rows are read in a few queries) and they are stored."""
    measures = list(measures)
    keys = {
        measure.pk: chart_key(measure, chart=chart, hide_small_counts=hide_small_counts, part=part)
        for measure in measures
    }
    found = cache.get_many(list(keys.values())) if keys else {}
    entries = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [measure for measure in measures if measure.pk not in entries]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[pk]: entry for pk, entry in computed.items()}, TIMEOUT)
        entries.update(computed)
    return entries


def measures_changed(measure_ids: Iterable[int]) -> None:
    """Give these measures a new version stamp: their cached charts are not read again. One
    query. Call it from any write that sends no model signals (bulk_create, bulk_update, raw
    deletes)."""
    renew_data_versions(measure_ids)


def _row_changed(sender: type, instance: DataPoint | Annotation | Phase, **kwargs: Any) -> None:
    # Rows deleted in a cascade (their measure, timescale or organisation is being deleted):
    # nothing is left to redraw. These rows point only at a measure and an organisation.
    origin = kwargs.get("origin")
    origin_model = type(origin) if isinstance(origin, Model) else getattr(origin, "model", sender)
    if origin_model is not sender:
        return
    measures_changed([instance.measure_id])


for _model in (DataPoint, Annotation, Phase):
    post_save.connect(_row_changed, sender=_model, dispatch_uid=f"chart-cache-save-{_model.__name__}")
    post_delete.connect(_row_changed, sender=_model, dispatch_uid=f"chart-cache-delete-{_model.__name__}")
