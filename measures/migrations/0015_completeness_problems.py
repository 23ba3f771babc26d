# The completeness problems kept as rows by the summary refresh (issue 16: the page read every
# child's dates to show a page of 100). Summaries kept before have no rows yet, so they are
# marked as not counted: the next page view asks the worker for a refresh, as for a new
# organisation, instead of showing counts with an empty list.

import uuid

import django.db.models.deletion
from django.db import migrations, models


def summaries_to_recount(apps, schema_editor):
    apps.get_model("measures", "PathwaySummary").objects.update(as_of=None, refresh_requested_on=None)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0014_importchange_keys_unconstrained"),
        ("pace_hub", "0004_historicalinvitation_email_sent_at_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="CompletenessProblem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False)),
                ("position", models.PositiveIntegerField()),
                ("reference", models.CharField(max_length=40)),
                (
                    "kind",
                    models.CharField(
                        choices=[("missing", "Missing earlier milestone"), ("order", "Out of order")], max_length=7
                    ),
                ),
                ("text", models.TextField()),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="pace_hub.organisation",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["organisation", "position"], name="completeness_by_position")],
            },
        ),
        migrations.RunPython(summaries_to_recount, migrations.RunPython.noop),
    ]
