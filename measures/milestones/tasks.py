"""Background work for milestone data: thin wrappers that take ids and call services.

Every task here may run more than once (a lost worker's task is delivered again; the outbox may
send it twice): the services make a second run a no-op or a restart from the saved state, and a
task whose row was deleted meanwhile does nothing.
"""

from celery import shared_task
from django.utils import timezone

from measures.milestones import derived, imports
from measures.models import MilestoneImport
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
