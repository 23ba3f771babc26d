"""Background work for the measures app: thin wrappers that take ids and call services. The
milestone data's own tasks are in measures/milestones/tasks.py."""

from celery import shared_task
from django.utils import timezone

from measures.milestones import benchmark
from pace_hub.models import Organisation


@shared_task
def benchmark_publish_task(organisation_id: int) -> None:
    """Replace the organisation's rows in the national benchmarking table (DESIGN.md §4d)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    benchmark.benchmark_publish(organisation=organisation, today=timezone.localdate())
