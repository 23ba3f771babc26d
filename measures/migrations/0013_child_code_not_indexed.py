"""A child's UUID is neither unique nor indexed, like the other bulk rows': children are written
100,000 at a time and never addressed by URL, and a unique index of random UUIDs is the costliest
index to keep up when writing them (bench/import.py)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0012_remove_milestonedate"),
    ]

    operations = [
        migrations.AlterField(
            model_name="child",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
    ]
