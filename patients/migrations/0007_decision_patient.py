import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_in_patients(apps, schema_editor):
    """Each decision's patient is its item's assignment's; the history rows get it too."""
    AssignmentItem = apps.get_model("patients", "AssignmentItem")
    owner = Subquery(
        AssignmentItem.objects.filter(pk=OuterRef("item_id")).values("assignment__patient_id")[:1]
    )
    for name in ("Decision", "HistoricalDecision"):
        apps.get_model("patients", name).objects.filter(patient__isnull=True).update(
            patient_id=owner
        )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_decision_newest_first_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="patient",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="decisions",
                to="patients.patient",
                verbose_name="patient",
            ),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="patient",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="patients.patient",
                verbose_name="patient",
            ),
        ),
        migrations.RunPython(fill_in_patients, migrations.RunPython.noop, elidable=False),
    ]
