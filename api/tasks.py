"""Background work for the API: thin wrappers that take ids and call services."""

from celery import shared_task
from django.utils import timezone

from api.services import batches
from measures.models import MilestoneImport


@shared_task
def milestone_batch_process_task(milestone_import_id: int) -> None:
    milestone_import = MilestoneImport.objects.select_related("organisation").get(pk=milestone_import_id)
    batches.milestone_batch_process(milestone_import=milestone_import, today=timezone.localdate())
