"""How a ladder reads at a glance, e.g. on the programme builder and print-outs."""

from django.utils.translation import gettext as _


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
