"""Milestone dates on the child row (issue 16), step 1 of 3: the new columns.

A child's dates become a JSON map {milestone code: "YYYY-MM-DD"} on its row, and an import's
change rows become one per child (route and dates before and after) instead of one per date.
0011 moves the data both ways; 0012 drops MilestoneDate and the per-date change columns. Three
migrations, so that no table is altered in the transaction that rewrote its rows (PostgreSQL
refuses that while deferred foreign-key checks are pending).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measures", "0009_measure_data_version")]

    operations = [
        migrations.AddField(model_name="child", name="dates", field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(
            model_name="importchange", name="old_dates", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.AddField(
            model_name="importchange", name="new_dates", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.AddField(
            model_name="pathwaysummary", name="timescales", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.AddField(model_name="pathwaysummary", name="as_of", field=models.DateField(blank=True, null=True)),
        migrations.AddField(
            model_name="pathwaysummary", name="refresh_requested_on", field=models.DateField(blank=True, null=True)
        ),
    ]
