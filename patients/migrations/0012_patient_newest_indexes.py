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
        # The patient columns' own indexes are now covered by the new ones. Only the
        # indexes are dropped: Django's AlterField would also drop and re-add the foreign
        # keys, re-checking every row with the tables locked.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} (patient_id)",
                )
                for table, name in (
                    ("patients_decision", "patients_decision_patient_id_c7e8dc84"),
                    ("patients_session", "patients_session_patient_id_65d12873"),
                )
            ],
            state_operations=[
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
            ],
        ),
    ]
