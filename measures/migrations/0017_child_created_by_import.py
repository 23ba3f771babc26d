# A child records the import that created it (Child.created_by_import) instead of a change row
# per child created: a first upload of 100,000 children wrote a second 100,000-row table in its
# commit (issue 16). The children's organisation key loses its database constraint and its own
# index (the deferred check of 100,000 keys at COMMIT; the (organisation, reference) index serves
# reads by organisation). Existing "created" change rows move onto their children, and back.

import uuid

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def created_onto_children(apps, schema_editor) -> None:
    """Each "created" change row becomes its child's ``created_by_import``, then goes. (A child
    is created once: rolling back the import that created it deletes it.)"""
    Child = apps.get_model("measures", "Child")
    ImportChange = apps.get_model("measures", "ImportChange")
    created = ImportChange.objects.filter(created_child=True).order_by()
    for import_id in sorted(set(created.values_list("milestone_import_id", flat=True))):
        children = created.filter(milestone_import_id=import_id).values("child_id")
        Child.objects.filter(pk__in=children).update(created_by_import_id=import_id)
    created.delete()


def created_back_to_change_rows(apps, schema_editor) -> None:
    """A "created" change row for each child with ``created_by_import``, as the commit wrote it:
    no dates, the route it was created with (the first later change of its route says what that
    was; else its route now)."""
    Child = apps.get_model("measures", "Child")
    ImportChange = apps.get_model("measures", "ImportChange")
    first_route = {}
    route_changes = (
        ImportChange.objects.exclude(old_route=models.F("new_route"))
        .order_by("milestone_import__committed_at", "pk")
        .values_list("child_id", "old_route")
    )
    for child_id, old_route in route_changes:
        first_route.setdefault(child_id, old_route)
    created = (
        Child.objects.filter(created_by_import__isnull=False)
        .order_by("pk")
        .values_list("pk", "organisation_id", "created_by_import_id", "route", "created_at")
    )
    rows = [
        ImportChange(
            code=uuid.uuid4(),
            organisation_id=organisation_id,
            milestone_import_id=import_id,
            child_id=child_id,
            created_child=True,
            old_route="",
            new_route=first_route.get(child_id, route),
            old_dates={},
            new_dates={},
            created_at=created_at,
            updated_at=created_at,
        )
        for child_id, organisation_id, import_id, route, created_at in created.iterator(chunk_size=BATCH)
    ]
    ImportChange.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0016_waiting_rows"),
        ("pace_hub", "0004_historicalinvitation_email_sent_at_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="created_by_import",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="measures.milestoneimport",
            ),
        ),
        migrations.RunPython(created_onto_children, created_back_to_change_rows),
        migrations.RemoveField(
            model_name="importchange",
            name="created_child",
        ),
        migrations.AlterField(
            model_name="child",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="pace_hub.organisation",
            ),
        ),
    ]
