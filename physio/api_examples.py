"""Example payloads for the API schema, telling one consistent story.

Sam Taylor, a patient of Alex Morgan at Riverside Physiotherapy, does the
"Isometric back stability" programme: an abdominal-control ladder that starts with
the supported abdominal brace, 3 sets of 10 s holds with 30 s rest at effort 6/10,
lengthens the hold and then sits up. After three green evenings the engine asks
Alex to approve level 2.

Each payload is written once here and the views pick requests and responses from
it, so a renamed field is changed in one place and the ids in one example lead to
the others. Plain data only: `physio` imports no other app of the project.
"""

from drf_spectacular.utils import OpenApiExample

# --- Building blocks ---------------------------------------------------------


def request(name: str, value: dict, *, description: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, description=description, request_only=True)


def response(name: str, value: dict, *, description: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, description=description, response_only=True)


def without(payload: dict, *keys: str) -> dict:
    """The payload minus read-only keys: what a client sends to get it."""
    return {key: value for key, value in payload.items() if key not in keys}


def pick(payload: dict, *keys: str) -> dict:
    return {key: payload[key] for key in keys}


STAMPED = ("id", "created_at", "updated_at")

# --- Accounts ---------------------------------------------------------------------

CLINIC = {"id": 1, "name": "Riverside Physiotherapy"}
CLINICIAN_NAME = "Alex Morgan"

ME_CLINICIAN = {
    "id": 3,
    "username": "alex.morgan",
    "first_name": "Alex",
    "last_name": "Morgan",
    "role": "clinician",
    "clinic": CLINIC,
}
ME_PATIENT = {
    "id": 9,
    "username": "sam.taylor",
    "first_name": "Sam",
    "last_name": "Taylor",
    "role": "patient",
    "clinic": CLINIC,
}
SIGN_IN = {"username": "alex.morgan", "password": "correct horse battery staple"}
TOKEN = {"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}
LOCKED_OUT = {
    "detail": (
        "Too many failed sign-in attempts for this account from your network. "
        "It is locked for 15 minutes; please try again after that."
    ),
    "code": "locked_out",
    "retry_after_seconds": 900,
}

# --- Exercise library -----------------------------------------------------------

SUPPORTED_BRACE = {
    "id": 3,
    "name": "Supported Abdominal Brace",
    "kind": "isometric",
    "position": "supported",
    "body_region": "trunk",
    "equipment": "mat",
    "instructions": (
        "Lie on your back with knees bent and feet flat. Gently tighten your tummy as if "
        "getting ready for a light poke, without flattening or arching your back."
    ),
    "what_to_feel": "A light, even tightening around your waist, like a wide belt.",
    "breathing_cue": "Breathe out slowly through the hold.",
    "built_in": True,
    "created_at": "2026-09-01T08:00:00Z",
    "updated_at": "2026-09-01T08:00:00Z",
}
SEATED_BRACE = {
    **SUPPORTED_BRACE,
    "id": 13,
    "name": "Seated Abdominal Brace",
    "position": "sitting",
    "equipment": "chair",
    "instructions": (
        "Sit tall on a firm chair, feet flat. Tighten your tummy gently, about a third of "
        "your maximum, without holding your breath or leaning back."
    ),
}
TOWEL_SQUEEZE = {
    "id": 41,
    "name": "Towel Squeeze Hold",
    "kind": "isometric",
    "position": "sitting",
    "body_region": "hips",
    "equipment": "chair",
    "instructions": "Sit tall with a rolled towel between your knees and squeeze gently.",
    "what_to_feel": "Your inner thighs and lower tummy working lightly.",
    "breathing_cue": "Breathe out slowly through the hold.",
    "built_in": False,
    "created_at": "2026-10-14T09:12:00Z",
    "updated_at": "2026-10-14T09:12:00Z",
}
OWN_EXERCISE_REQUEST = without(TOWEL_SQUEEZE, *STAMPED, "built_in")
EXERCISE_NAMES = {e["id"]: e["name"] for e in (SUPPORTED_BRACE, SEATED_BRACE, TOWEL_SQUEEZE)}

# --- Programme templates ------------------------------------------------------------


def level(order, exercise, *, hold_seconds, position="supported", cues=""):
    """One rung at the source's starting dose: 3 sets, 30 s rest, effort at most 6/10."""
    return {
        "order": order,
        "exercise": exercise["id"],
        "position": position,
        "sets": 3,
        "hold_seconds": hold_seconds,
        "reps": None,
        "rest_seconds": 30,
        "effort_target": 6,
        "resistance": "",
        "cues": cues,
    }


LADDER = [
    level(1, SUPPORTED_BRACE, hold_seconds=10, cues="Brace gently — about a third of your max."),
    level(2, SUPPORTED_BRACE, hold_seconds=20),
    level(3, SEATED_BRACE, hold_seconds=20, position="sitting", cues="Sit tall; ribs soft."),
]
PROGRAMME = {
    "id": 7,
    "name": "Isometric back stability",
    "description": (
        "For people whose back pain makes movement feel risky: lengthen the hold first, "
        "then move to a more functional position."
    ),
    "archived": False,
    "items": [{"id": 15, "order": 0, "title": "Abdominal control", "levels": LADDER}],
    "created_at": "2026-10-20T14:05:00Z",
    "updated_at": "2026-10-20T14:05:00Z",
}
PROGRAMME_REQUEST = {
    **without(PROGRAMME, *STAMPED, "archived"),
    "items": [
        {"title": item["title"], "levels": [without(rung, "order") for rung in item["levels"]]}
        for item in PROGRAMME["items"]
    ],
}
PROGRAMME_RENAME = {"name": "Isometric back stability (early stage)"}
PROGRAMME_RENAMED = {**PROGRAMME, **PROGRAMME_RENAME, "updated_at": "2026-10-27T16:40:00Z"}
PROGRAMME_COPY = {
    **PROGRAMME,
    "id": 8,
    "name": "Isometric back stability (copy)",
    "items": [{**item, "id": item["id"] + 1} for item in PROGRAMME["items"]],
    "created_at": "2026-11-03T10:30:00Z",
    "updated_at": "2026-11-03T10:30:00Z",
}

# --- Patients ---------------------------------------------------------------------

PATIENT = {
    "id": 12,
    "first_name": "Sam",
    "last_name": "Taylor",
    "email": "sam.taylor@example.org",
    "date_of_birth": "1979-04-16",
    "clinician": ME_CLINICIAN["id"],
    "baseline_pain": 4,
    "notes": "Non-specific low back pain for 5 months; desk job; avoids bending.",
    "status": "active",
    "signed_up": True,
    "created_at": "2026-10-28T11:20:00Z",
}
NEW_PATIENT = {
    **PATIENT,
    "id": 13,
    "first_name": "Rowan",
    "last_name": "Price",
    "email": "rowan.price@example.org",
    "date_of_birth": "1988-09-02",
    "baseline_pain": 3,
    "notes": "Recurrent low back pain after lifting at work; worse sitting for long.",
    "signed_up": False,
    "created_at": "2026-11-03T09:00:00Z",
}
PATIENT_READ_ONLY = ("id", "status", "signed_up", "created_at")
PATIENT_REQUEST = without(PATIENT, *PATIENT_READ_ONLY)
NEW_PATIENT_REQUEST = without(NEW_PATIENT, *PATIENT_READ_ONLY)
INVITATION = {
    "link": "https://isohold.example.org/invite/Z3QkM0x2c1pWb1dIY2dBdWpZ/",
    "expires_at": "2026-11-10T09:05:00Z",
}

# --- Assignments: a patient's copy of a programme -------------------------------------

STRICT_NUMBERS = {
    "greens_to_progress": 3,
    "red_any_pain": 7,
    "red_pain_rise": 3,
    "red_morning_rise": 2,
    "green_max_pain_during": 3,
    "red_pain_during_above": 5,
    "check_in_wait_hours": 36,
}
FIRST_LEVEL_ID = 141


def assigned_level(rung, level_id):
    return {
        "id": level_id,
        "exercise_id": rung["exercise"],
        "exercise": EXERCISE_NAMES[rung["exercise"]],
        **without(rung, "exercise"),
    }


ITEM_ID = 58
ASSIGNED_ITEM = {
    "id": ITEM_ID,
    "order": 0,
    "title": "Abdominal control",
    "levels": [assigned_level(rung, FIRST_LEVEL_ID + i) for i, rung in enumerate(LADDER)],
    "current_level": FIRST_LEVEL_ID,
    "paused": False,
    "ready_to_progress": True,
}
ASSIGNMENT = {
    "id": 21,
    "patient": PATIENT["id"],
    "name": PROGRAMME["name"],
    "start_date": "2026-11-02",
    "sessions_per_week": 5,
    "rule_profile": "strict",
    "rule_numbers": STRICT_NUMBERS,
    "auto_advance": False,
    "status": "active",
    "items": [ASSIGNED_ITEM],
}
NEW_ASSIGNMENT = {**ASSIGNMENT, "items": [{**ASSIGNED_ITEM, "ready_to_progress": False}]}
ASSIGN = {
    "patient": PATIENT["id"],
    "programme": PROGRAMME["id"],
    "start_date": ASSIGNMENT["start_date"],
    "sessions_per_week": 5,
    "rule_profile": "strict",
    "auto_advance": False,
}
ASSIGN_PAIN_MONITORING = {
    **ASSIGN,
    "sessions_per_week": 3,
    "rule_profile": "pain-monitoring",
    "rule_numbers": {"greens_to_progress": 4},
}

# --- Sessions and morning check-ins --------------------------------------------------

ENTRY = {
    "item": ITEM_ID,
    "level_number": 1,
    "exercise_name": SUPPORTED_BRACE["name"],
    "prescribed_sets": 3,
    "prescribed_hold_seconds": 10,
    "prescribed_reps": None,
    "effort_target": 6,
    "sets_done": 3,
    "per_set": [10, 10, 10],
    "effort": 5,
    "pain_before": 4,
    "pain_during": 3,
    "pain_after": 3,
    "held_breath": False,
    "braced_too_hard": False,
    "increased_pain": False,
    "comment": "",
    "response": "green",
    "response_reasons": [
        "all 3 sets done",
        "effort 5 ≤ 6",
        "pain 4 → 3 → 3",
        "morning pain 3 ≤ usual 4",
    ],
}
REPORTED = (
    "item",
    "sets_done",
    "per_set",
    "effort",
    "pain_before",
    "pain_during",
    "pain_after",
    "held_breath",
    "braced_too_hard",
    "increased_pain",
    "comment",
)
CHECK_IN = {
    "id": 77,
    "session": 140,
    "pain_now": 3,
    "worse_than_usual": False,
    "created_at": "2026-11-07T07:45:00Z",
}
CHECK_IN_REQUEST = without(CHECK_IN, "id", "created_at")
SESSION = {
    "id": CHECK_IN["session"],
    "assignment": ASSIGNMENT["id"],
    "patient": PATIENT["id"],
    "performed_at": "2026-11-06T18:30:00Z",
    "notes": "Felt steady; easier than Monday.",
    "entries": [ENTRY],
    "check_in": CHECK_IN,
}
# Just saved: the engine waits for the next morning before it calls the session green.
NEW_SESSION = {
    **SESSION,
    "id": 141,
    "performed_at": "2026-11-07T18:40:00Z",
    "notes": "Felt steady.",
    "entries": [
        {
            **ENTRY,
            "response": "provisional",
            "response_reasons": ["waiting for the morning check-in before it can count as green"],
        }
    ],
    "check_in": None,
}
SESSION_REQUEST = {
    "assignment": NEW_SESSION["assignment"],
    "notes": NEW_SESSION["notes"],
    "entries": [pick(ENTRY, *REPORTED)],
}

# --- Decisions ----------------------------------------------------------------------

READY = {
    "id": 305,
    "item": ITEM_ID,
    "action": "progress",
    "from_level": 1,
    "to_level": 1,
    "reasons": [
        "3 green sessions at level 1 (4, 5 and 6 Nov)",
        "ready for level 2: waiting for a clinician to approve",
    ],
    "profile": "strict",
    "numbers": STRICT_NUMBERS,
    "rule_version": "2026.11-1",
    "sessions_used": [138, 139, 140],
    "actor": "engine",
    "created_at": CHECK_IN["created_at"],
}
REGRESSED = {
    **READY,
    "id": 318,
    "action": "regress",
    "from_level": 2,
    "to_level": 1,
    "reasons": [
        "red session on 12 Nov: pain rose by 3 over 'before' (3 → 6; red from +3)",
        "back to level 1 at once",
    ],
    "sessions_used": [146],
    "created_at": "2026-11-12T19:02:00Z",
}


def by_clinician(decision_id, *, action, to_level, reasons):
    return {
        **READY,
        "id": decision_id,
        "action": action,
        "to_level": to_level,
        "reasons": reasons,
        "sessions_used": [],
        "actor": CLINICIAN_NAME,
        "created_at": "2026-11-07T09:10:00Z",
    }


APPROVED = by_clinician(
    306,
    action="approved",
    to_level=2,
    reasons=[f"Progression approved by {CLINICIAN_NAME}.", *READY["reasons"]],
)
DECLINE = {"reason": "Another week at 10 s holds before her long-haul flight."}
DECLINED = by_clinician(
    306,
    action="declined",
    to_level=1,
    reasons=[f"Progression declined by {CLINICIAN_NAME}: {DECLINE['reason']}"],
)
SET_LEVEL = {"level": 1, "reason": "Flare after gardening at the weekend; back to 10 s holds."}
MOVED = {
    **by_clinician(
        319,
        action="moved",
        to_level=SET_LEVEL["level"],
        reasons=[f"Moved to level 1 by {CLINICIAN_NAME}: {SET_LEVEL['reason']}"],
    ),
    "from_level": 2,
}
