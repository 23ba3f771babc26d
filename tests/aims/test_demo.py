"""The aims and change-ideas demo data: complete, linked, and safe to run twice."""

import pytest

from aims import demo as aims_demo
from aims.models import Aim, AimVersion, Driver
from measures import demo as measures_demo
from pace_hub.demo import seed_organisation
from pdsa.demo import ideas as demo_ideas
from pdsa.models import ChangeIdea, IdeaSubmission

pytestmark = pytest.mark.django_db


def test_demo_aims_and_ideas_are_complete_and_idempotent() -> None:
    demo = seed_organisation("Demo Council", "demo-council", "demo")
    measures_demo.seed(demo)
    for _ in range(2):
        aims_demo.seed(demo)
        demo_ideas.seed(demo)
    org = demo.organisation
    aims = {aim.title: aim for aim in Aim.objects.filter(organisation=org)}
    assert len(aims) == 3
    national = aims["Permanence recommendation within 6 months"]
    assert national.outcome_measure is not None and national.measures.count() == 3
    assert national.statement.startswith("90% of children who become looked after")
    assert AimVersion.objects.filter(aim=national).count() == 1
    assert Driver.objects.filter(aim=national, parent=None).count() == 4
    assert {idea.status for idea in ChangeIdea.objects.filter(organisation=org)} == set(ChangeIdea.Status.values)
    assert ChangeIdea.objects.filter(organisation=org).count() == 8
    assert national.change_ideas.count() >= 4
    assert {s.status for s in IdeaSubmission.objects.filter(organisation=org)} == {"new", "merged", "declined"}
    assert IdeaSubmission.objects.filter(organisation=org).count() == 4
