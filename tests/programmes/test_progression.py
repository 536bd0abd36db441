"""The rule engine as a table: one row per clinical situation, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from programmes.progression import (
    ADVANCE,
    AMBER,
    GREEN,
    HOLD,
    KEEP_GOING,
    LADDER_DONE,
    PAIN_MONITORING,
    PAUSE,
    PROGRESS,
    PROVISIONAL,
    RED,
    REGRESS,
    RULE_VERSION,
    STRICT,
    WAIT,
    Classification,
    MorningCheckIn,
    Prescription,
    ScoredSession,
    SessionReadings,
    classify,
    decide,
    profile_for,
)

DONE_AT = datetime(2026, 11, 14, 18, 0, tzinfo=UTC)
NEXT_MORNING = DONE_AT + timedelta(hours=14)
HOLD_3x10 = Prescription(sets=3, hold_seconds=10, effort_target=6)
REPS_2x6 = Prescription(sets=2, reps=6, effort_target=6)
BASELINE = 3


def readings(**changes):
    values = dict(
        performed_at=DONE_AT,
        sets_done=3,
        per_set=(10, 10, 10),
        effort=5,
        pain_before=3,
        pain_during=3,
        pain_after=2,
    )
    values.update(changes)
    return SessionReadings(**values)


SETTLED = MorningCheckIn(pain_now=3, worse_than_usual=False)


def morning(pain, worse=False):
    return MorningCheckIn(pain_now=pain, worse_than_usual=worse)


# (id, profile, prescription, readings, check-in, hours after the session, expected)
CLASSIFY_TABLE = [
    ("strict: tolerated session is green", STRICT, HOLD_3x10, readings(), SETTLED, 14, GREEN),
    (
        "strict: effort exactly at target is green",
        STRICT,
        HOLD_3x10,
        readings(effort=6),
        SETTLED,
        14,
        GREEN,
    ),
    (
        "strict: effort one above target is amber",
        STRICT,
        HOLD_3x10,
        readings(effort=7),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "strict: pain during equal to before is green",
        STRICT,
        HOLD_3x10,
        readings(pain_during=3),
        SETTLED,
        14,
        GREEN,
    ),
    (
        "strict: pain during one above before is amber",
        STRICT,
        HOLD_3x10,
        readings(pain_during=4),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "strict: pain after two above before is amber",
        STRICT,
        HOLD_3x10,
        readings(pain_after=5),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "strict: pain rise of three is red",
        STRICT,
        HOLD_3x10,
        readings(pain_during=6),
        SETTLED,
        14,
        RED,
    ),
    (
        "strict: pain 5 during from 2 before is red (rise 3)",
        STRICT,
        HOLD_3x10,
        readings(pain_before=2, pain_during=5),
        SETTLED,
        14,
        RED,
    ),
    (
        "strict: pain 6 from 5 is amber",
        STRICT,
        HOLD_3x10,
        readings(pain_before=5, pain_during=6, pain_after=5),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "strict: pain 7 anywhere is red",
        STRICT,
        HOLD_3x10,
        readings(pain_before=6, pain_during=7, pain_after=6),
        morning(6),
        14,
        RED,
    ),
    (
        "strict: increased my pain ticked is red",
        STRICT,
        HOLD_3x10,
        readings(increased_pain=True),
        SETTLED,
        14,
        RED,
    ),
    (
        "strict: one set short is amber",
        STRICT,
        HOLD_3x10,
        readings(sets_done=2, per_set=(10, 10)),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "strict: a hold cut short is amber",
        STRICT,
        HOLD_3x10,
        readings(per_set=(10, 10, 7)),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "strict: held breath is amber",
        STRICT,
        HOLD_3x10,
        readings(held_breath=True),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "strict: braced too hard is amber",
        STRICT,
        HOLD_3x10,
        readings(braced_too_hard=True),
        SETTLED,
        14,
        AMBER,
    ),
    ("strict: morning at baseline is green", STRICT, HOLD_3x10, readings(), morning(3), 14, GREEN),
    (
        "strict: morning one above baseline is amber",
        STRICT,
        HOLD_3x10,
        readings(),
        morning(4),
        14,
        AMBER,
    ),
    (
        "strict: morning two above baseline is red",
        STRICT,
        HOLD_3x10,
        readings(),
        morning(5),
        14,
        RED,
    ),
    (
        "strict: worse than usual is red",
        STRICT,
        HOLD_3x10,
        readings(),
        morning(2, worse=True),
        14,
        RED,
    ),
    (
        "strict: no check-in yet is provisional",
        STRICT,
        HOLD_3x10,
        readings(),
        None,
        10,
        PROVISIONAL,
    ),
    (
        "strict: no check-in at 35 h is still provisional",
        STRICT,
        HOLD_3x10,
        readings(),
        None,
        35,
        PROVISIONAL,
    ),
    ("strict: no check-in after 36 h is amber", STRICT, HOLD_3x10, readings(), None, 36, AMBER),
    (
        "strict: red does not wait for the morning",
        STRICT,
        HOLD_3x10,
        readings(increased_pain=True),
        None,
        1,
        RED,
    ),
    (
        "strict: amber readings without check-in are amber",
        STRICT,
        HOLD_3x10,
        readings(effort=8),
        None,
        1,
        AMBER,
    ),
    (
        "strict: dynamic level, all reps done, green",
        STRICT,
        REPS_2x6,
        readings(sets_done=2, per_set=(6, 6)),
        SETTLED,
        14,
        GREEN,
    ),
    (
        "strict: dynamic level, reps short, amber",
        STRICT,
        REPS_2x6,
        readings(sets_done=2, per_set=(6, 4)),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "pain-monitoring: pain during 3 is green",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(pain_before=1, pain_during=3),
        SETTLED,
        14,
        GREEN,
    ),
    (
        "pain-monitoring: pain during 4 is amber",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(pain_during=4),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "pain-monitoring: pain during 5 is amber",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(pain_during=5),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "pain-monitoring: pain during 6 is red",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(pain_during=6),
        SETTLED,
        14,
        RED,
    ),
    (
        "pain-monitoring: pain 7 after is red",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(pain_after=7),
        SETTLED,
        14,
        RED,
    ),
    (
        "pain-monitoring: rise of 3 within limits is green",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(pain_before=0, pain_during=3, pain_after=3),
        SETTLED,
        14,
        GREEN,
    ),
    (
        "pain-monitoring: effort one above target is amber",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(effort=7),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "pain-monitoring: set short is amber",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(sets_done=2, per_set=(10, 10)),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "pain-monitoring: technique flag is amber",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(held_breath=True),
        SETTLED,
        14,
        AMBER,
    ),
    (
        "pain-monitoring: morning above baseline is red",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(),
        morning(4),
        14,
        RED,
    ),
    (
        "pain-monitoring: morning at baseline is green",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(),
        morning(3),
        14,
        GREEN,
    ),
    (
        "pain-monitoring: worse than usual is red",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(),
        morning(3, worse=True),
        14,
        RED,
    ),
    (
        "pain-monitoring: no check-in after 36 h is amber",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(),
        None,
        40,
        AMBER,
    ),
    (
        "pain-monitoring: increased my pain ticked is red (safer choice)",
        PAIN_MONITORING,
        HOLD_3x10,
        readings(increased_pain=True),
        SETTLED,
        14,
        RED,
    ),
]


@pytest.mark.parametrize(
    "profile_name, prescription, reading, check_in, hours, expected",
    [pytest.param(*row[1:], id=row[0]) for row in CLASSIFY_TABLE],
)
def test_classify(profile_name, prescription, reading, check_in, hours, expected):
    result = classify(
        prescription=prescription,
        readings=reading,
        check_in=check_in,
        baseline=BASELINE,
        profile=profile_for(profile_name),
        now=DONE_AT + timedelta(hours=hours),
    )
    assert result.response == expected, result.reasons
    assert result.reasons


def test_clinician_numbers_change_the_outcome():
    lenient = profile_for(STRICT, {"red_pain_rise": 4})
    result = classify(
        prescription=HOLD_3x10,
        readings=readings(pain_during=6),
        check_in=SETTLED,
        baseline=BASELINE,
        profile=lenient,
        now=NEXT_MORNING,
    )
    assert result.response == AMBER


def test_technique_flags_bring_coaching_cues():
    result = classify(
        prescription=HOLD_3x10,
        readings=readings(held_breath=True, braced_too_hard=True),
        check_in=SETTLED,
        baseline=BASELINE,
        profile=profile_for(STRICT),
        now=NEXT_MORNING,
    )
    assert result.cues == (
        "Breathe out slowly through the hold.",
        "Brace gently — about a third of your maximum.",
    )


def scored(*responses, start_day=14):
    return [
        ScoredSession(
            session_id=index + 1,
            performed_at=datetime(2026, 11, start_day + 2 * index, 18, tzinfo=UTC),
            classification=Classification(response, (f"{response} reason",)),
        )
        for index, response in enumerate(responses)
    ]


# (id, sessions at this level, level, top level, auto-advance, previous response, action, to level)
DECIDE_TABLE = [
    (
        "three greens: ready to progress",
        scored(GREEN, GREEN, GREEN),
        2,
        5,
        False,
        GREEN,
        PROGRESS,
        2,
    ),
    (
        "three greens with auto-advance: moves up",
        scored(GREEN, GREEN, GREEN),
        2,
        5,
        True,
        GREEN,
        ADVANCE,
        3,
    ),
    ("two greens: keep going", scored(GREEN, GREEN), 2, 5, False, GREEN, KEEP_GOING, 2),
    (
        "streak broken by amber: starts again",
        scored(GREEN, GREEN, AMBER, GREEN, GREEN),
        2,
        5,
        False,
        GREEN,
        KEEP_GOING,
        2,
    ),
    ("amber: hold", scored(GREEN, AMBER), 2, 5, False, GREEN, HOLD, 2),
    ("red: regress one level", scored(GREEN, RED), 3, 5, False, GREEN, REGRESS, 2),
    ("red at level 1: paused instead", scored(RED), 1, 5, False, None, PAUSE, 1),
    (
        "green streak at the top level: ladder done",
        scored(GREEN, GREEN, GREEN),
        5,
        5,
        True,
        GREEN,
        LADDER_DONE,
        5,
    ),
    ("provisional: wait for the morning", scored(GREEN, PROVISIONAL), 2, 5, False, GREEN, WAIT, 2),
    (
        "fresh level after a clinician move: one green is not enough",
        scored(GREEN),
        4,
        5,
        False,
        GREEN,
        KEEP_GOING,
        4,
    ),
    (
        "four greens: progress uses the last three",
        scored(GREEN, GREEN, GREEN, GREEN),
        2,
        5,
        False,
        GREEN,
        PROGRESS,
        2,
    ),
]


@pytest.mark.parametrize(
    "sessions, level, top, auto, previous, action, to_level",
    [pytest.param(*row[1:], id=row[0]) for row in DECIDE_TABLE],
)
def test_decide(sessions, level, top, auto, previous, action, to_level):
    decision = decide(
        sessions=sessions,
        level=level,
        top_level=top,
        auto_advance=auto,
        profile=profile_for(STRICT),
        previous_response=previous,
    )
    assert (decision.action, decision.to_level) == (action, to_level), decision.reasons
    assert decision.rule_version == RULE_VERSION
    assert decision.profile == STRICT
    assert decision.numbers["greens_to_progress"] == 3


def test_red_alerts_and_two_reds_need_attention():
    first = decide(
        sessions=scored(RED),
        level=3,
        top_level=5,
        auto_advance=False,
        profile=profile_for(STRICT),
        previous_response=GREEN,
    )
    assert first.alert and not first.needs_attention
    second = decide(
        sessions=scored(RED),
        level=2,
        top_level=5,
        auto_advance=False,
        profile=profile_for(STRICT),
        previous_response=RED,
    )
    assert second.alert and second.needs_attention


def test_progress_reasons_name_the_sessions():
    decision = decide(
        sessions=scored(GREEN, GREEN, GREEN),
        level=2,
        top_level=5,
        auto_advance=False,
        profile=profile_for(STRICT),
        previous_response=GREEN,
    )
    assert decision.reasons[0] == "3 green sessions at level 2 (14, 16 and 18 Nov)"
    assert decision.sessions_used == (1, 2, 3)


def test_greens_needed_follow_the_profile_numbers():
    decision = decide(
        sessions=scored(GREEN, GREEN, GREEN),
        level=2,
        top_level=5,
        auto_advance=False,
        profile=profile_for(STRICT, {"greens_to_progress": 4}),
        previous_response=GREEN,
    )
    assert decision.action == KEEP_GOING
