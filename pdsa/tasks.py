"""Background work for testing: thin wrappers over services."""

from celery import shared_task

from pdsa.models import ChangeIdea
from pdsa.services.annotations import sync_annotations_for_idea


@shared_task
def sync_all_annotations() -> int:
    """Re-sync every change idea's chart annotations.

    Ideas re-sync themselves when they change; this catches the one change they cannot see:
    an aim gaining or losing measures (aims may not call up into pdsa).
    """
    synced = 0
    for idea in ChangeIdea.objects.filter(aims__isnull=False).distinct().select_related("organisation").iterator():
        sync_annotations_for_idea(idea)
        synced += 1
    return synced
