"""Background work for the measures app: thin wrappers that take ids and call services. The
milestone data's own tasks are in measures/milestones/tasks.py."""

from celery import shared_task
from django.utils import timezone

from measures.milestones import benchmark
from measures.selectors import charts_warm
from pace_hub.models import Organisation


@shared_task
def benchmark_publish_task(organisation_id: int) -> None:
    """Replace the organisation's rows in the national benchmarking table (DESIGN.md §4d)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    benchmark.benchmark_publish(organisation=organisation, today=timezone.localdate())


@shared_task
def charts_warm_task(organisation_id: int) -> int:
    """Cache the list charts of the organisation's measures that a write has changed (enqueued
    after the derived recompute), full and viewer results, so the first page view is a hit.
    Idempotent: a second run finds every entry cached and works nothing out."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:  # deleted since
        return 0
    return charts_warm(organisation)
