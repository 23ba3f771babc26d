"""The demo's testing and implementation work: ramps, every voice, an implemented change, and
library items; running it twice changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from measures.models import Annotation
from pdsa.models import ChangeIdea, Feedback, Implementation, PDSACycle, PublishedItem, SelfAudit

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (PDSACycle, Feedback, Implementation, SelfAudit, PublishedItem, Annotation, ChangeIdea)
    )


def test_demo_seeds_ramps_voices_an_implemented_change_and_is_idempotent() -> None:
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    for idea in ChangeIdea.objects.filter(title="Book the legal advice meeting at the first LAC review"):
        assert list(idea.cycles.values_list("number", flat=True)) == [1, 2, 3]
        assert [c.scale_cases for c in idea.cycles.all()] == [1, 3, 8]
    assert set(Feedback.objects.values_list("voice", flat=True)) == set(Feedback.Voice.values)
    live = Implementation.objects.filter(live_on__isnull=False)
    assert live.exists()
    for implementation in live:
        assert implementation.change_idea.status == ChangeIdea.Status.IMPLEMENTED
        assert implementation.audits.filter(result_percent__isnull=False).count() == 3
        assert implementation.approvals.filter(decision="approved").count() == 2
    assert set(PublishedItem.objects.values_list("kind", flat=True)) == set(PublishedItem.Kind.values)
    assert Annotation.objects.filter(source_key__startswith="pdsa-cycle:").exists()
