"""Symptom-gated progression: the rule profiles and their numbers.

Pure Python on purpose: no Django, no database, no clock. Callers pass plain
values in and store what comes out, so the rules can be tested as a table and
explained to a clinician line by line.
"""

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

RULE_VERSION = "2026.11-1"

STRICT = "strict"
PAIN_MONITORING = "pain-monitoring"


@dataclass(frozen=True)
class RuleProfile:
    """The numbers one profile uses; a clinician may change them per assignment."""

    name: str
    greens_to_progress: int = 3
    # Pain on the 0-10 scale at or above this anywhere in a session is a flare.
    red_any_pain: int = 7
    # strict: a rise of this much over "pain before" (during or after) is red.
    red_pain_rise: int = 3
    # strict: next-morning pain at baseline + this is red.
    red_morning_rise: int = 2
    # pain-monitoring: worst pain during a set up to this is still green ...
    green_max_pain_during: int = 3
    # ... and above this is red (in between is amber).
    red_pain_during_above: int = 5
    # Hours after a session when a missing check-in stops waiting.
    check_in_wait_hours: int = 36

    def as_numbers(self) -> dict:
        # Plain ints: no need for asdict's deep copy, which showed in every decision's cost.
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}

    def with_numbers(self, numbers: dict) -> "RuleProfile":
        known = {f.name for f in fields(self)} - {"name"}
        return replace(self, **{key: int(value) for key, value in numbers.items() if key in known})


PROFILES: dict[str, RuleProfile] = {
    STRICT: RuleProfile(name=STRICT),
    # Silbernagel's pain-monitoring model tolerates some pain during the work.
    PAIN_MONITORING: RuleProfile(name=PAIN_MONITORING, red_morning_rise=1),
}

# Which numbers each profile's rules read; the others are shown as not used.
PROFILE_NUMBERS: dict[str, tuple[str, ...]] = {
    STRICT: (
        "greens_to_progress",
        "red_any_pain",
        "red_pain_rise",
        "red_morning_rise",
        "check_in_wait_hours",
    ),
    PAIN_MONITORING: (
        "greens_to_progress",
        "red_any_pain",
        "green_max_pain_during",
        "red_pain_during_above",
        "red_morning_rise",
        "check_in_wait_hours",
    ),
}


def profile_for(name: str, numbers: dict | None = None) -> RuleProfile:
    profile = PROFILES[name]
    return profile.with_numbers(numbers) if numbers else profile


# --- What the engine reads -------------------------------------------------------

GREEN = "green"
AMBER = "amber"
RED = "red"
PROVISIONAL = "provisional"


@dataclass(frozen=True)
class Prescription:
    """The level the session was done at."""

    sets: int
    effort_target: int
    hold_seconds: int | None = None
    reps: int | None = None

    @property
    def per_set_target(self) -> int:
        return self.hold_seconds if self.hold_seconds is not None else (self.reps or 0)


@dataclass(frozen=True)
class SessionReadings:
    """What the patient reported for one item in one session."""

    performed_at: datetime
    sets_done: int
    per_set: tuple[int, ...]
    effort: int
    pain_before: int
    pain_during: int
    pain_after: int
    held_breath: bool = False
    braced_too_hard: bool = False
    increased_pain: bool = False


@dataclass(frozen=True)
class MorningCheckIn:
    pain_now: int
    worse_than_usual: bool


@dataclass(frozen=True)
class Classification:
    response: str
    reasons: tuple[str, ...]
    cues: tuple[str, ...] = ()

    @property
    def is_final(self) -> bool:
        return self.response != PROVISIONAL


BREATHING_CUE = "Breathe out slowly through the hold."
BRACING_CUE = "Brace gently — about a third of your maximum."


def classify(
    *,
    prescription: Prescription,
    readings: SessionReadings,
    check_in: MorningCheckIn | None,
    baseline: int,
    profile: RuleProfile,
    now: datetime,
) -> Classification:
    """Green, amber, red or provisional for one item of one session, with the reasons.

    Cases the design leaves open are decided the safer way:
    - "this increased my pain" is red in both profiles (the source says never to
      continue an exercise that increases pain);
    - a session that is already amber on its own readings stays amber while its
      check-in is awaited (only red can still come of it, and that is re-decided
      when the check-in arrives); only an otherwise-green session is provisional.
    """
    red = _red_reasons(readings, check_in, baseline, profile)
    cues = tuple(
        cue
        for flag, cue in (
            (readings.held_breath, BREATHING_CUE),
            (readings.braced_too_hard, BRACING_CUE),
        )
        if flag
    )
    if red:
        return Classification(RED, tuple(red), cues)
    amber = _amber_reasons(prescription, readings, profile)
    if check_in is None:
        waited = now - readings.performed_at >= timedelta(hours=profile.check_in_wait_hours)
        if waited:
            amber.append(
                f"no morning check-in within {profile.check_in_wait_hours} h, so the "
                "morning cannot count as settled"
            )
        elif not amber:
            return Classification(
                PROVISIONAL,
                ("waiting for the morning check-in before it can count as green",),
                cues,
            )
    elif check_in.pain_now > baseline:
        amber.append(f"morning pain {check_in.pain_now} above usual {baseline}")
    if amber:
        return Classification(AMBER, tuple(amber), cues)
    return Classification(GREEN, tuple(_green_reasons(prescription, readings, check_in, baseline)))


def _red_reasons(readings, check_in, baseline, profile) -> list[str]:
    reasons = []
    if readings.increased_pain:
        reasons.append("the patient said the exercise increased their pain")
    worst = max(readings.pain_before, readings.pain_during, readings.pain_after)
    if worst >= profile.red_any_pain:
        reasons.append(f"pain reached {worst} (red from {profile.red_any_pain})")
    if profile.name == STRICT:
        peak = max(readings.pain_during, readings.pain_after)
        rise = peak - readings.pain_before
        if rise >= profile.red_pain_rise:
            reasons.append(
                f"pain rose by {rise} over 'before' ({readings.pain_before} → {peak}; "
                f"red from +{profile.red_pain_rise})"
            )
    elif readings.pain_during > profile.red_pain_during_above:
        reasons.append(f"pain during {readings.pain_during} above {profile.red_pain_during_above}")
    if check_in is not None:
        if check_in.pain_now >= baseline + profile.red_morning_rise:
            reasons.append(
                f"morning pain {check_in.pain_now} is {check_in.pain_now - baseline} above "
                f"usual {baseline} (red from +{profile.red_morning_rise})"
            )
        if check_in.pain_now >= profile.red_any_pain and worst < profile.red_any_pain:
            reasons.append(f"morning pain reached {check_in.pain_now}")
        if check_in.worse_than_usual:
            reasons.append("the patient's back was worse than usual the next morning")
    return reasons


def _amber_reasons(prescription, readings, profile) -> list[str]:
    reasons = []
    short_sets = readings.sets_done < prescription.sets
    target = prescription.per_set_target
    short_holds = [value for value in readings.per_set if value < target]
    if short_sets:
        reasons.append(f"{readings.sets_done} of {prescription.sets} sets done")
    elif short_holds:
        unit = "s" if prescription.hold_seconds is not None else " reps"
        reasons.append(
            f"a set fell short of {target}{unit} ({', '.join(map(str, readings.per_set))})"
        )
    if readings.effort > prescription.effort_target:
        reasons.append(f"effort {readings.effort} above target {prescription.effort_target}")
    if profile.name == STRICT:
        if (
            readings.pain_during > readings.pain_before
            or readings.pain_after > readings.pain_before
        ):
            reasons.append(
                f"pain went up ({readings.pain_before} → {readings.pain_during} during, "
                f"{readings.pain_after} after)"
            )
    elif readings.pain_during > profile.green_max_pain_during:
        reasons.append(f"pain during {readings.pain_during} above {profile.green_max_pain_during}")
    if readings.held_breath:
        reasons.append("held their breath")
    if readings.braced_too_hard:
        reasons.append("braced too hard")
    return reasons


def _green_reasons(prescription, readings, check_in, baseline) -> list[str]:
    return [
        f"all {prescription.sets} sets done",
        f"effort {readings.effort} ≤ {prescription.effort_target}",
        f"pain {readings.pain_before} → {readings.pain_during} → {readings.pain_after}",
        f"morning pain {check_in.pain_now} ≤ usual {baseline}",
    ]


# --- What the engine decides -----------------------------------------------------

PROGRESS = "progress"  # ready to progress: waits for a clinician's approval
ADVANCE = "advance"  # progressed at once (auto-advance)
KEEP_GOING = "keep-going"  # green, streak not long enough yet
HOLD = "hold"
WAIT = "wait"  # provisional: nothing to decide before the check-in
REGRESS = "regress"
PAUSE = "pause"  # red at level 1: cannot go lower
LADDER_DONE = "ladder-done"


@dataclass(frozen=True)
class ScoredSession:
    """One session at the item's current level, already classified (oldest first in a list)."""

    session_id: int
    performed_at: datetime
    classification: Classification


@dataclass(frozen=True)
class Decision:
    action: str
    from_level: int
    to_level: int
    reasons: tuple[str, ...]
    profile: str
    numbers: dict
    rule_version: str
    sessions_used: tuple[int, ...]
    alert: bool = False
    needs_attention: bool = False
    cues: tuple[str, ...] = ()

    @property
    def changes_level(self) -> bool:
        return self.from_level != self.to_level


def decide(
    *,
    sessions: list[ScoredSession],
    level: int,
    top_level: int,
    auto_advance: bool,
    profile: RuleProfile,
    previous_response: str | None = None,
) -> Decision:
    """What to do with one item after its latest classified session.

    `sessions` are the item's sessions at its current level since the level last
    changed, oldest first; the last one is the session being decided on.
    `previous_response` is the response of the item's session before the latest
    one (at any level), used for "two reds in a row".
    """
    latest = sessions[-1]
    response = latest.classification.response
    common = {
        "from_level": level,
        "profile": profile.name,
        "numbers": profile.as_numbers(),
        "rule_version": RULE_VERSION,
        "cues": latest.classification.cues,
    }
    when = _day(latest.performed_at)
    if response == RED:
        two_reds = previous_response == RED
        reasons = [f"red session on {when}: " + "; ".join(latest.classification.reasons)]
        if two_reds:
            reasons.append("second red session in a row: the clinician should review")
        if level <= 1:
            reasons.append("already at level 1, so the item is paused instead of regressed")
            return Decision(
                PAUSE,
                to_level=level,
                reasons=tuple(reasons),
                sessions_used=(latest.session_id,),
                alert=True,
                needs_attention=True,
                **common,
            )
        reasons.append(f"back to level {level - 1} at once")
        return Decision(
            REGRESS,
            to_level=level - 1,
            reasons=tuple(reasons),
            sessions_used=(latest.session_id,),
            alert=True,
            needs_attention=two_reds,
            **common,
        )
    if response == PROVISIONAL:
        return Decision(
            WAIT,
            to_level=level,
            reasons=latest.classification.reasons,
            sessions_used=(latest.session_id,),
            **common,
        )
    if response == AMBER:
        reasons = (
            f"amber session on {when}: " + "; ".join(latest.classification.reasons),
            f"stay at level {level}; the green streak starts again",
        )
        return Decision(
            HOLD, to_level=level, reasons=reasons, sessions_used=(latest.session_id,), **common
        )

    streak = []
    for scored in reversed(sessions):
        if scored.classification.response != GREEN:
            break
        streak.append(scored)
    streak.reverse()
    needed = profile.greens_to_progress
    used = tuple(s.session_id for s in streak[-needed:])
    if len(streak) < needed:
        reason = f"{len(streak)} of {needed} green sessions at level {level}"
        return Decision(KEEP_GOING, to_level=level, reasons=(reason,), sessions_used=used, **common)
    summary = _streak_summary(streak[-needed:], level)
    if level >= top_level:
        return Decision(
            LADDER_DONE,
            to_level=level,
            reasons=(summary, "top of the ladder: nothing higher to progress to"),
            sessions_used=used,
            **common,
        )
    if auto_advance:
        return Decision(
            ADVANCE,
            to_level=level + 1,
            reasons=(summary, f"moved up to level {level + 1}"),
            sessions_used=used,
            **common,
        )
    return Decision(
        PROGRESS,
        to_level=level,
        reasons=(summary, f"ready for level {level + 1}: waiting for a clinician to approve"),
        sessions_used=used,
        **common,
    )


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment.strftime('%b')}"


def _streak_summary(streak: list[ScoredSession], level: int) -> str:
    # Several sessions on one day name that day once.
    days = list(dict.fromkeys(s.performed_at.date() for s in streak))
    last = f"{days[-1].day} {days[-1].strftime('%b')}"
    earlier = ", ".join(str(day.day) for day in days[:-1])
    dates = f"{earlier} and {last}" if earlier else last
    return f"{len(streak)} green sessions at level {level} ({dates})"
