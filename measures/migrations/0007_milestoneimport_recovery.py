"""Milestone imports that recover from a lost worker (a heartbeat and an attempt count) and that
keep only their first problems with counts of all (error_count, problem_counts)."""

from collections import Counter

from django.db import migrations, models


def count_stored_problems(apps, schema_editor) -> None:
    """Imports checked before this kept every problem: count them from what is stored."""
    MilestoneImport = apps.get_model("measures", "MilestoneImport")
    for milestone_import in MilestoneImport.objects.exclude(problems=[]).only("pk", "problems").iterator():
        problems = milestone_import.problems
        MilestoneImport.objects.filter(pk=milestone_import.pk).update(
            error_count=sum(1 for problem in problems if problem.get("severity") == "error"),
            problem_counts=dict(sorted(Counter(problem.get("code", "") for problem in problems).items())),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0006_statistics_charts_and_benchmarking"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmilestoneimport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="historicalmilestoneimport",
            name="error_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="historicalmilestoneimport",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalmilestoneimport",
            name="problem_counts",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="milestoneimport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="milestoneimport",
            name="error_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="milestoneimport",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="milestoneimport",
            name="problem_counts",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(count_stored_problems, migrations.RunPython.noop),
    ]
