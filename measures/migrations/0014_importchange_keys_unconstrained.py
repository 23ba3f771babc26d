# The change rows' keys without database constraints: a commit no longer pays three deferred
# foreign-key checks per child at COMMIT (see ImportChange; issue 16). Django still cascades.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0013_child_code_not_indexed"),
        ("pace_hub", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importchange",
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
            model_name="importchange",
            name="milestone_import",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="changes",
                to="measures.milestoneimport",
            ),
        ),
        migrations.AlterField(
            model_name="importchange",
            name="child",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="measures.child",
            ),
        ),
    ]
