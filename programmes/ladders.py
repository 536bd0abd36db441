"""How a ladder reads at a glance, e.g. on the programme builder and print-outs."""

from django.utils.translation import gettext as _

from .models import DEFAULT_DYNAMIC_SETS, DEFAULT_HOLD_SECONDS, DEFAULT_REPS, DEFAULT_SETS, Kind


def ladder_summary(levels) -> str:
    """'Dead bug hold 3 × 10 s → 3 × 20 s → Sitting: Seated brace 3 × 10 s → …'.

    The exercise name and position are written only where they change, so the
    duration, intensity and context steps stand out.
    """
    parts = []
    previous = None
    for level in levels:
        words = []
        if previous is None or level.position != previous.position:
            if previous is not None:
                words.append(f"{level.get_position_display().split(' (')[0]}:")
        if previous is None or level.exercise_id != previous.exercise_id:
            words.append(level.exercise.name)
        words.append(level.dose)
        if level.resistance and (previous is None or level.resistance != previous.resistance):
            words.append(f"({level.resistance})")
        parts.append(" ".join(words))
        previous = level
    return " → ".join(parts) if parts else _("no levels yet")


def fit_dose(*, kind: str, sets, hold_seconds, reps) -> tuple:
    """(sets, hold seconds, reps) fitted to the exercise's kind.

    The measure the kind does not use is cleared. A dynamic exercise picked while the
    isometric starting dose (3 × 10 s) is still in place gets the dynamic starting dose,
    2 × 6 reps, rather than an error: that is what the clinician would type next.
    """
    if kind != Kind.DYNAMIC:
        return sets, hold_seconds, None
    untouched = sets in (None, DEFAULT_SETS) and hold_seconds in (None, DEFAULT_HOLD_SECONDS)
    if not reps and untouched:
        return DEFAULT_DYNAMIC_SETS, None, DEFAULT_REPS
    return sets, None, reps
