"""The pathway summary the data home reads, and one child per reference whatever its case.

Uploads now compare child references case- and space-insensitively (C-77001 and c-77001 are one
child). Children already held twice under such spellings are merged here into the first one
held, when that loses nothing: every milestone date of the later one is either missing on the
first or the same, and their routes agree (or one is blank). What each import changed stays
undoable: an import that created the later child now records the dates (and route) it added to
the first one, so rolling it back removes just those. Pairs that disagree are left as they are;
an upload naming them is refused with both spellings, and rolling back the upload that added
the second spelling resolves it.
"""

import uuid
from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models


def _key(reference: str) -> str:
    return "".join(reference.split()).casefold()


def merge_case_duplicates(apps, schema_editor=None) -> int:
    """Merge children whose references differ only in case or spaces; return how many went."""
    Child = apps.get_model("measures", "Child")
    MilestoneDate = apps.get_model("measures", "MilestoneDate")
    ImportChange = apps.get_model("measures", "ImportChange")
    groups = defaultdict(list)
    for child in Child.objects.order_by("pk").only("pk", "organisation_id", "reference", "route"):
        groups[(child.organisation_id, _key(child.reference))].append(child)
    merged = 0
    for children in groups.values():
        if len(children) < 2:
            continue
        first = children[0]
        for later in children[1:]:
            if _merge(first, later, Child, MilestoneDate, ImportChange):
                merged += 1
    return merged


def _merge(first, later, Child, MilestoneDate, ImportChange) -> bool:
    kept = {row.milestone_id: row for row in MilestoneDate.objects.filter(child_id=first.pk)}
    moving = list(MilestoneDate.objects.filter(child_id=later.pk))
    if any(row.milestone_id in kept and kept[row.milestone_id].date != row.date for row in moving):
        return False
    if first.route and later.route and first.route != later.route:
        return False
    added = [row for row in moving if row.milestone_id not in kept]
    take_route = not first.route and bool(later.route)
    # The imports that created the later child: they now added dates (and a route) to the first.
    for change in ImportChange.objects.filter(child_id=later.pk, created_child=True):
        ImportChange.objects.bulk_create(
            [
                ImportChange(
                    organisation_id=change.organisation_id,
                    milestone_import_id=change.milestone_import_id,
                    child_id=first.pk,
                    milestone_id=row.milestone_id,
                    old_date=None,
                    new_date=row.date,
                )
                for row in added
            ]
            + (
                [
                    ImportChange(
                        organisation_id=change.organisation_id,
                        milestone_import_id=change.milestone_import_id,
                        child_id=first.pk,
                        old_route="",
                        new_route=later.route,
                    )
                ]
                if take_route
                else []
            )
        )
        change.delete()
    ImportChange.objects.filter(child_id=later.pk).update(child_id=first.pk)
    MilestoneDate.objects.filter(pk__in=[row.pk for row in added]).update(child_id=first.pk)
    if take_route:
        Child.objects.filter(pk=first.pk).update(route=later.route)
    Child.objects.filter(pk=later.pk).delete()
    return True


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0007_milestoneimport_recovery"),
        ("pace_hub", "0004_historicalinvitation_email_sent_at_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="PathwaySummary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("completeness_issues", models.PositiveIntegerField(default=0)),
                ("completeness_children", models.PositiveIntegerField(default=0)),
                ("completeness_missing", models.PositiveIntegerField(default=0)),
                ("completeness_order", models.PositiveIntegerField(default=0)),
                ("computed_at", models.DateTimeField()),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="pace_hub.organisation"
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "pathway summaries",
                "constraints": [
                    models.UniqueConstraint(fields=("organisation",), name="pathwaysummary_one_per_organisation")
                ],
            },
        ),
        migrations.RunPython(merge_case_duplicates, migrations.RunPython.noop, elidable=True),
    ]
