"""The audit trail of clinical data: one historical row per real change, with who made it.

The request middleware names the signed-in user. Services name the actor explicitly
where the request's user is not the one acting: the rules engine deciding inside a
patient's session upload is "the engine", not that patient.
"""

from simple_history.models import HistoricalRecords

# Stored in history_change_reason; the page turns them into words.
ENGINE = "engine"  # the progression rules changed it (no user)
ASSIGNED = "assigned"  # part of giving a programme: shown once, as the assignment
ERASED = "erased"  # the patient's personal data was erased


def act_as(instance, *, user, reason: str | None = None):
    """Name who makes the next change to `instance` (None: the engine or the system)."""
    instance._history_user = user
    instance._change_reason = reason
    return instance


class ClinicalHistory(HistoricalRecords):
    """Like HistoricalRecords, but a save that changed nothing writes no row.

    Forms and the ladder editor save every row they show; without this the history
    would fill with "changed" rows that changed nothing.
    """

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and not kwargs.get("raw", False) and self._unchanged(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance) -> bool:
        latest = (
            getattr(instance, self.manager_name).order_by("-history_date", "-history_id").first()
        )
        if latest is None:
            return False
        return all(
            getattr(latest, field.attname) == getattr(instance, field.attname)
            for field in self.fields_included(instance)
        )
