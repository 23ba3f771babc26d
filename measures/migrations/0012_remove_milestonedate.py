"""Milestone dates on the child row, step 3 of 3: drop the row per date and the per-date change
columns (their data were moved by 0011)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("measures", "0011_child_dates_data")]

    operations = [
        migrations.RemoveField(model_name="importchange", name="milestone"),
        migrations.RemoveField(model_name="importchange", name="old_date"),
        migrations.RemoveField(model_name="importchange", name="new_date"),
        migrations.DeleteModel(name="MilestoneDate"),
    ]
