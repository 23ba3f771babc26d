"""The pathway's demo data and the data migration that gives existing organisations defaults."""

from datetime import date
from importlib import import_module
from statistics import median

from django.apps import apps

from measures.milestones import demo as demo_pathway
from measures.models import Annotation, Child, Measure, Milestone, Timescale
from pace_hub.demo import DemoOrganisation
from pace_hub.roles import Role


def test_demo_children_improve_after_the_dated_change_and_it_is_annotated(cast):
    demo = DemoOrganisation(cast.org, {Role.DATA: cast.members["data"]})
    demo_pathway.seed(demo)
    assert Child.objects.filter(organisation=cast.org).count() == demo_pathway.CHILDREN
    measure = Measure.objects.get(
        organisation=cast.org, derivation="median_days", timescale__to_milestone__code="permanence_rec"
    )
    points = list(measure.points.filter(provisional=False).values_list("period", "value"))
    before = median(value for period, value in points if date(2024, 1, 1) <= period < date(2025, 4, 1))
    after = median(value for period, value in points if period >= date(2025, 10, 1))
    assert before - after > 50
    annotation = Annotation.objects.get(measure=measure, source_key=demo_pathway.CHANGE_KEY)
    assert annotation.date == demo_pathway.CHANGE_DATE

    demo_pathway.seed(demo)  # idempotent
    assert Child.objects.filter(organisation=cast.org).count() == demo_pathway.CHILDREN


def test_the_data_migration_gives_existing_organisations_the_default_pathway(cast):
    migration = import_module("measures.migrations.0003_pathway_defaults")
    migration.create_defaults(apps, None)
    assert Milestone.objects.filter(organisation=cast.org).count() == 9
    assert Timescale.objects.filter(organisation=cast.org).count() == 6
    assert Measure.objects.filter(organisation=cast.org, source="derived").count() == 18
    migration.create_defaults(apps, None)
    assert Milestone.objects.filter(organisation=cast.other_org).count() == 9
    assert Milestone.objects.filter(organisation=cast.org).count() == 9
