from types import SimpleNamespace

import pytest

from programmes.ladders import ladder_summary
from programmes.models import Level, Position


def level(exercise_id, name, position, *, hold=None, reps=None, sets=3, resistance=""):
    return SimpleNamespace(
        exercise_id=exercise_id,
        exercise=SimpleNamespace(name=name),
        position=position,
        get_position_display=lambda: Position(position).label,
        dose=Level(sets=sets, hold_seconds=hold, reps=reps).dose,
        resistance=resistance,
    )


@pytest.mark.parametrize(
    "levels, expected",
    [
        pytest.param([], "no levels yet", id="empty ladder"),
        pytest.param(
            [level(1, "Dead bug hold", "supported", hold=10)],
            "Dead bug hold 3 × 10 s",
            id="single rung",
        ),
        pytest.param(
            [
                level(1, "Abdominal brace", "supported", hold=10),
                level(1, "Abdominal brace", "supported", hold=20),
                level(2, "Seated brace", "sitting", hold=10),
                level(3, "Suitcase hold", "task_specific", hold=20, resistance="4 kg"),
                level(4, "Box lift", "task_specific", reps=6, sets=2),
            ],
            "Abdominal brace 3 × 10 s → 3 × 20 s → Sitting: Seated brace 3 × 10 s → "
            "Task-specific: Suitcase hold 3 × 20 s (4 kg) → Box lift 2 × 6 reps",
            id="duration then context then dynamic",
        ),
    ],
)
def test_ladder_summary_names_only_what_changes(levels, expected):
    assert ladder_summary(levels) == expected
