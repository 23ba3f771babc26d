# The children waiting past each timescale's target kept as rows by the summary refresh (issue
# 16: the waiting page read every child's dates to show a page of 100). Summaries kept before
# have no rows yet, so they are marked as not counted, as in 0015.

import uuid

import django.db.models.deletion
from django.db import migrations, models


def summaries_to_recount(apps, schema_editor):
    apps.get_model("measures", "PathwaySummary").objects.update(as_of=None, refresh_requested_on=None)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0015_completeness_problems"),
        ("pace_hub", "0004_historicalinvitation_email_sent_at_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="WaitingRow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False)),
                ("position", models.PositiveIntegerField()),
                ("reference", models.CharField(max_length=40)),
                (
                    "route",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("home", "Home (return or stay)"),
                            ("kinship", "Kinship (s11 / kinship care order)"),
                            ("po", "Permanence order"),
                            ("poa", "Permanence order with authority to adopt"),
                            ("adoption", "Adoption"),
                        ],
                        max_length=10,
                    ),
                ),
                ("since", models.DateField()),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="pace_hub.organisation",
                    ),
                ),
                (
                    "timescale",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="measures.timescale",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["timescale", "position"], name="waiting_by_position")],
            },
        ),
        migrations.RunPython(summaries_to_recount, migrations.RunPython.noop),
    ]
