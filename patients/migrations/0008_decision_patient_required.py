import django.db.models.deletion
from django.db import migrations, models


# Apart from 0007: on PostgreSQL its updates leave foreign-key checks pending until
# commit, and a table with pending checks cannot be altered in the same transaction.
class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_decision_patient"),
    ]

    operations = [
        migrations.AlterField(
            model_name="decision",
            name="patient",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="decisions",
                to="patients.patient",
                verbose_name="patient",
            ),
        ),
    ]
