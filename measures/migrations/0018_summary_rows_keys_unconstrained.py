# The kept summary rows' keys (completeness problems, waiting rows) without database
# constraints: the refresh after a commit no longer pays a deferred check per row and key at
# COMMIT (tens of thousands at 100,000 children; issue 16). Django still cascades.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0017_child_created_by_import"),
        ("pace_hub", "0004_historicalinvitation_email_sent_at_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name="completenessproblem",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="pace_hub.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="waitingrow",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="pace_hub.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="waitingrow",
            name="timescale",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="measures.timescale",
            ),
        ),
    ]
