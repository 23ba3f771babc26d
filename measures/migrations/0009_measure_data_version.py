"""The chart cache's version stamp on each measure (measures.chart_cache)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measures", "0008_pathway_summary_and_one_child_per_reference")]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="data_version",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name="historicalmeasure",
            name="data_version",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
    ]
