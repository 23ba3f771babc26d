"""Background work for milestone data: thin wrappers that take ids and call services.

Every task here may run more than once (a lost worker's task is delivered again; the outbox may
send it twice): the services make a second run a no-op or a restart from the saved state, and a
task whose row was deleted meanwhile does nothing.
"""

from celery import shared_task
from django.utils import timezone

from measures.milestones import derived, imports
from measures.models import Child, MilestoneImport
from pace_hub.background import enqueue
from pace_hub.models import Organisation


def _import(milestone_import_id: int, *related: str) -> MilestoneImport | None:
    return MilestoneImport.objects.select_related("organisation", *related).filter(pk=milestone_import_id).first()


@shared_task
def milestone_import_validate_task(milestone_import_id: int) -> None:
    milestone_import = _import(milestone_import_id)
    if milestone_import is not None:
        imports.milestone_import_validate(milestone_import=milestone_import, today=timezone.localdate())


@shared_task
def milestone_import_commit_task(milestone_import_id: int) -> None:
    milestone_import = _import(milestone_import_id)
    if milestone_import is not None:
        imports.milestone_import_commit(milestone_import=milestone_import, today=timezone.localdate())


@shared_task
def milestone_import_rollback_task(milestone_import_id: int) -> None:
    milestone_import = _import(milestone_import_id, "rolled_back_by")
    if milestone_import is not None:
        imports.milestone_import_run_rollback(milestone_import=milestone_import, today=timezone.localdate())


@shared_task
def derived_measures_recompute_task(organisation_id: int) -> None:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is not None:
        derived.derived_measures_recompute(organisation=organisation, today=timezone.localdate())


@shared_task
def pathway_summary_refresh_task(organisation_id: int) -> None:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is not None:
        derived.pathway_summary_refresh(organisation=organisation, today=timezone.localdate())


@shared_task
def pathway_summaries_refresh_task() -> int:
    """Each morning (beat): every organisation with milestone data gets its "waiting as of today"
    counts, one task each (a slow organisation does not hold up the others)."""
    organisations = list(
        Organisation.objects.filter(pk__in=Child.objects.order_by().values("organisation_id")).values_list(
            "pk", flat=True
        )
    )
    for organisation_id in organisations:
        enqueue("measures.milestones.tasks.pathway_summary_refresh_task", organisation_id)
    return len(organisations)
