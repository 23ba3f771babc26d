"""The Testing section's index pages: every PDSA cycle and every implementation of the
organisation, filtered. Each is a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from pace_hub.models import Membership, Organisation
from pdsa.models import Implementation, PDSACycle


def cycle_localities(organisation: Organisation) -> list[str]:
    """Every setting or locality a cycle of the organisation names, for the filter."""
    return list(
        PDSACycle.objects.for_organisation(organisation)
        .exclude(setting="")
        .order_by("setting")
        .values_list("setting", flat=True)
        .distinct()
    )


def cycles_for_index(
    organisation: Organisation, *, status: str = "", lead: Membership | None = None, locality: str = ""
) -> QuerySet[PDSACycle]:
    cycles = (
        PDSACycle.objects.for_organisation(organisation)
        .select_related("organisation", "change_idea", "lead__user")
        .order_by("-start_date", "change_idea__title", "number")
    )
    if status:
        cycles = cycles.filter(status=status)
    if lead is not None:
        cycles = cycles.filter(lead=lead)
    if locality:
        cycles = cycles.filter(setting=locality)
    return cycles


@dataclass(frozen=True)
class Stage:
    value: str
    label: str
    condition: Q


# Where an implementation has got to, in order: decided (approvals and the change package under
# way), implementing (started), live.
STAGES = [
    Stage("decided", "Decided, not started", Q(started_on__isnull=True)),
    Stage("implementing", "Implementing", Q(started_on__isnull=False, live_on__isnull=True)),
    Stage("live", "Live", Q(live_on__isnull=False)),
]
STAGES_BY_VALUE = {stage.value: stage for stage in STAGES}


def stage_of(implementation: Implementation) -> Stage:
    if implementation.live_on:
        return STAGES_BY_VALUE["live"]
    if implementation.started_on:
        return STAGES_BY_VALUE["implementing"]
    return STAGES_BY_VALUE["decided"]


def implementations_for_index(organisation: Organisation, *, stage: str = "") -> list[Implementation]:
    """Implementations, newest decision first, with their approvals and readiness counted."""
    rows = (
        Implementation.objects.for_organisation(organisation)
        .select_related("organisation", "change_idea__organisation")
        .annotate(
            approvals_total=Count("approvals", distinct=True),
            approvals_given=Count("approvals", filter=Q(approvals__decision="approved"), distinct=True),
            readiness_total=Count("readiness", distinct=True),
            readiness_done=Count("readiness", filter=Q(readiness__done=True), distinct=True),
        )
        .order_by("-decided_on", "change_idea__title")
    )
    if stage in STAGES_BY_VALUE:
        rows = rows.filter(STAGES_BY_VALUE[stage].condition)
    rows = list(rows)
    for row in rows:
        row.stage = stage_of(row)
    return rows


def implementation_stage_counts(organisation: Organisation) -> dict[str, int]:
    """How many implementations are at each stage: one query."""
    return Implementation.objects.for_organisation(organisation).aggregate(
        **{stage.value: Count("pk", filter=stage.condition) for stage in STAGES}
    )
