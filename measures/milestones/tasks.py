"""Background work for milestone data: thin wrappers that take ids and call services."""

from celery import shared_task
from django.utils import timezone

from measures.milestones import derived, imports
from measures.models import MilestoneImport
from pace_hub.models import Organisation


@shared_task
def milestone_import_validate_task(milestone_import_id: int) -> None:
    milestone_import = MilestoneImport.objects.select_related("organisation").get(pk=milestone_import_id)
    imports.milestone_import_validate(milestone_import=milestone_import, today=timezone.localdate())


@shared_task
def milestone_import_commit_task(milestone_import_id: int) -> None:
    milestone_import = MilestoneImport.objects.select_related("organisation").get(pk=milestone_import_id)
    imports.milestone_import_commit(milestone_import=milestone_import, today=timezone.localdate())


@shared_task
def milestone_import_rollback_task(milestone_import_id: int) -> None:
    milestone_import = MilestoneImport.objects.select_related("organisation", "rolled_back_by").get(
        pk=milestone_import_id
    )
    imports.milestone_import_run_rollback(milestone_import=milestone_import, today=timezone.localdate())


@shared_task
def derived_measures_recompute_task(organisation_id: int) -> None:
    organisation = Organisation.objects.get(pk=organisation_id)
    derived.derived_measures_recompute(organisation=organisation, today=timezone.localdate())
