"""PDSA cycles and implementations as annotations on the charts of the measures they serve.

A change idea serves aims; each aim has an outcome measure and process/balancing measures. A
cycle that starts or ends, and an implementation that goes live, is marked on each of those
charts. Rows made here carry a ``source_key`` so a later save updates them instead of adding
more, and annotations whose source no longer holds (dates cleared, aim unlinked, cycle deleted)
are removed.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q

from measures.models import Annotation, Measure
from pdsa.models import ChangeIdea, Implementation, PDSACycle

CYCLE_PREFIX = "pdsa-cycle:"
IMPLEMENTATION_PREFIX = "implementation:"


def measures_for_idea(idea: ChangeIdea) -> list[Measure]:
    aims = list(idea.aims.all().prefetch_related("measures"))
    found: dict[int, Measure] = {}
    for aim in aims:
        if aim.outcome_measure_id:
            found.setdefault(aim.outcome_measure_id, aim.outcome_measure)
        for measure in aim.measures.all():
            found.setdefault(measure.pk, measure)
    return list(found.values())


def wanted_annotations(idea: ChangeIdea) -> dict[str, tuple[date, str, str]]:
    """source_key → (date, text, link) for everything the idea should show on its charts."""
    wanted: dict[str, tuple[date, str, str]] = {}
    for cycle in idea.cycles.select_related("organisation"):
        link = cycle.get_absolute_url()
        where = f" in {cycle.setting}" if cycle.setting else ""
        if cycle.start_date:
            wanted[f"{CYCLE_PREFIX}{cycle.code}:start"] = (
                cycle.start_date,
                f"PDSA {cycle.number} started{where}: {idea.title}"[:300],
                link,
            )
        if cycle.end_date:
            wanted[f"{CYCLE_PREFIX}{cycle.code}:end"] = (
                cycle.end_date,
                f"PDSA {cycle.number} ended{where}: {idea.title}"[:300],
                link,
            )
    implementation = Implementation.objects.filter(change_idea=idea).first()
    if implementation is not None and implementation.live_on:
        wanted[f"{IMPLEMENTATION_PREFIX}{implementation.code}:live"] = (
            implementation.live_on,
            f"Implemented: {idea.title}"[:300],
            implementation.get_absolute_url(),
        )
    return wanted


def _idea_keys_filter(idea: ChangeIdea) -> Q:
    """Annotations that belong to this idea: its cycles', its implementation's, and orphans
    left by deleted cycles or implementations of the organisation."""
    codes = [str(code) for code in PDSACycle.objects.filter(change_idea=idea).values_list("code", flat=True)]
    mine = Q(pk__in=[])
    for code in codes:
        mine |= Q(source_key__startswith=f"{CYCLE_PREFIX}{code}:")
    implementation_code = Implementation.objects.filter(change_idea=idea).values_list("code", flat=True).first()
    if implementation_code:
        mine |= Q(source_key__startswith=f"{IMPLEMENTATION_PREFIX}{implementation_code}:")
    return mine


def _orphans(organisation) -> list[int]:
    live_cycles = {str(c) for c in PDSACycle.objects.for_organisation(organisation).values_list("code", flat=True)}
    live_impls = {str(c) for c in Implementation.objects.for_organisation(organisation).values_list("code", flat=True)}
    orphans = []
    rows = Annotation.objects.for_organisation(organisation).filter(
        Q(source_key__startswith=CYCLE_PREFIX) | Q(source_key__startswith=IMPLEMENTATION_PREFIX)
    )
    for pk, key in rows.values_list("pk", "source_key"):
        prefix, code = key.split(":")[0], key.split(":")[1]
        live = live_cycles if prefix == "pdsa-cycle" else live_impls
        if code not in live:
            orphans.append(pk)
    return orphans


@transaction.atomic
def sync_annotations_for_idea(idea: ChangeIdea) -> int:
    """Upsert the idea's annotations on every chart it serves; remove stale ones. Returns the
    number of annotation rows the idea now has."""
    measures = measures_for_idea(idea)
    wanted = wanted_annotations(idea)
    existing = {
        (a.measure_id, a.source_key): a
        for a in Annotation.objects.for_organisation(idea.organisation).filter(_idea_keys_filter(idea))
    }
    keep: set[int] = set()
    for measure in measures:
        for key, (when, text, link) in wanted.items():
            row = existing.get((measure.pk, key))
            if row is None:
                row = Annotation.objects.create(
                    organisation=idea.organisation, measure=measure, source_key=key, date=when, text=text, link=link
                )
            elif (row.date, row.text, row.link) != (when, text, link):
                row.date, row.text, row.link = when, text, link
                row.save(update_fields=["date", "text", "link", "updated_at"])
            keep.add(row.pk)
    stale = [row.pk for row in existing.values() if row.pk not in keep] + _orphans(idea.organisation)
    if stale:
        Annotation.objects.filter(pk__in=stale).delete()
    return len(keep)
