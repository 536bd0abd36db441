import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_in_clinics(apps, schema_editor):
    """Each session's and decision's clinic is its patient's; decisions' history rows too."""
    Patient = apps.get_model("patients", "Patient")
    clinic = Subquery(Patient.objects.filter(pk=OuterRef("patient_id")).values("clinic_id")[:1])
    for name in ("Session", "Decision", "HistoricalDecision"):
        apps.get_model("patients", name).objects.filter(clinic__isnull=True).update(
            clinic_id=clinic
        )


def clinic_field(**options):
    return models.ForeignKey(
        editable=False,
        null=True,
        to="physio.clinic",
        verbose_name="clinic",
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0009_item_awaiting_by_assignment"),
        ("physio", "0003_webhooks"),
    ]

    # No index of its own on clinic: 0011 adds the ones that lead with it.
    operations = [
        migrations.AddField(
            model_name="session",
            name="clinic",
            field=clinic_field(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+"
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="clinic",
            field=clinic_field(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+"
            ),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="clinic",
            field=clinic_field(
                blank=True,
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
            ),
        ),
        migrations.RunPython(fill_in_clinics, migrations.RunPython.noop, elidable=False),
    ]
