"""Symptom-gated progression: the rule profiles and their numbers.

Pure Python on purpose: no Django, no database, no clock. Callers pass plain
values in and store what comes out, so the rules can be tested as a table and
explained to a clinician line by line.
"""

from dataclasses import asdict, dataclass, fields, replace

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
        numbers = asdict(self)
        numbers.pop("name")
        return numbers

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
