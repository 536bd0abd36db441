import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A patient's newest sessions and decisions, in the order their page shows them, each
    one index range. The new indexes come first, so the tables are never without one that
    leads with the patient; the ones they cover go after (the patient column alone, and
    sessions by patient and time without the id)."""

    dependencies = [
        ("patients", "0011_session_decision_clinic_required"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                fields=["patient", "-created_at", "-id"], name="decision_patient_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                fields=["patient", "-performed_at", "-id"], name="session_patient_newest"
            ),
        ),
        migrations.RemoveIndex(
            model_name="session",
            name="patients_se_patient_26eedb_idx",
        ),
        migrations.AlterField(
            model_name="decision",
            name="patient",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="decisions",
                to="patients.patient",
                verbose_name="patient",
            ),
        ),
        migrations.AlterField(
            model_name="session",
            name="patient",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sessions",
                to="patients.patient",
                verbose_name="patient",
            ),
        ),
    ]
