"""An implementation happens in order: decided, then started, then live."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pace_hub.roles import Role
from pdsa.services.implementation import approval_record, implementation_decide, implementation_start, package_update
from tests.factories import ResourceFactory
from tests.pdsa.factories import ChangeIdeaFactory

pytestmark = pytest.mark.django_db


def _ready(cast, decided_on: datetime.date):
    implementation = implementation_decide(
        idea=ChangeIdeaFactory(organisation=cast.org),
        decided_by=cast.members[Role.LEAD],
        decided_on=decided_on,
        meeting="Leads group",
        decision_text="Implement it.",
        evidence_cycles=[],
        evidence_feedback=[],
        evidence_measure=None,
        approvers=[cast.members[Role.LEAD]],
    )
    for approval in implementation.approvals.select_related("approver"):
        approval_record(approval=approval, membership=approval.approver, decision="approved", comment="")
    package_update(
        implementation=implementation,
        guidance_what="Set the first review date on the day of placement.",
        guidance_why="Reviews were late.",
        contacts="PACE Lead",
        resources=[ResourceFactory(organisation=cast.org)],
        start_date=decided_on,
    )
    return implementation


def test_an_implementation_cannot_start_before_it_was_decided(cast) -> None:
    decided = timezone.localdate() - datetime.timedelta(days=10)
    implementation = _ready(cast, decided)
    early = decided - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        implementation_start(implementation=implementation, on=early)
    assert error.value.messages == [f"It cannot start ({early:%-d %b %Y}) before it was decided ({decided:%-d %b %Y})."]
    implementation.refresh_from_db()
    assert implementation.started_on is None
    implementation_start(implementation=implementation, on=decided)
    assert implementation.started_on == decided
