import django.db.models.deletion
from django.db import migrations, models


def required_clinic():
    return models.ForeignKey(
        db_index=False,
        editable=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="physio.clinic",
        verbose_name="clinic",
    )


# Apart from 0010, as 0008 is from 0007: a table with foreign-key checks pending from that
# migration's updates cannot be altered in the same transaction on PostgreSQL.
class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0010_session_decision_clinic"),
    ]

    operations = [
        migrations.AlterField(model_name="session", name="clinic", field=required_clinic()),
        migrations.AlterField(model_name="decision", name="clinic", field=required_clinic()),
        migrations.RemoveIndex(
            model_name="decision",
            name="decision_newest_first",
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                fields=["clinic", "-created_at", "-id"], name="decision_clinic_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                fields=["clinic", "-performed_at", "-id"], name="session_clinic_newest"
            ),
        ),
    ]
