"""FHIR R4 resources built from Isohold's records, as plain JSON-ready dicts.

No HTTP here: the API views in `patients/api/fhir.py` pass in model instances (loaded with the
queries below, so building never goes back to the database) and wrap the result in a response.
"""

import re
from dataclasses import dataclass

from django.db.models import F, IntegerField, Prefetch, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import LevelPrescription

from .models import (
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    AssignmentStatus,
    CheckIn,
    Patient,
    PatientStatus,
    PsfsRating,
    SessionEntry,
)

PATIENT_SYSTEM = "urn:isohold:patient"
CLINIC_SYSTEM = "urn:isohold:clinic"
CLINICIAN_SYSTEM = "urn:isohold:clinician"
# PSFS has no LOINC code we can vouch for, so it is coded in our own namespace.
PSFS_SYSTEM = "urn:isohold:psfs"
PSFS_ACTIVITY_SYSTEM = "urn:isohold:psfs-activity"

LOINC = "http://loinc.org"
PAIN_CODING = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
SURVEY = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "survey",
                "display": "Survey",
            }
        ]
    }
]

CARE_PLAN_STATUS = {
    AssignmentStatus.ACTIVE: "active",
    AssignmentStatus.PAUSED: "on-hold",
    AssignmentStatus.FINISHED: "completed",
}

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _instant(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def patient_resource(patient: Patient) -> dict:
    """Expects `clinic` and `clinician` loaded with the patient (see `patients_for`)."""
    resource = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"system": PATIENT_SYSTEM, "value": str(patient.pk)}],
        "active": patient.status != PatientStatus.ARCHIVED,
        "name": [
            {
                "use": "official",
                "text": patient.full_name,
                "family": patient.last_name,
                "given": [patient.first_name],
            }
        ],
        # Organisations and practitioners are not exported, so these are logical
        # references (identifier + display) rather than links that would not resolve.
        "managingOrganization": {
            "identifier": {"system": CLINIC_SYSTEM, "value": str(patient.clinic_id)},
            "display": patient.clinic.name,
        },
        "generalPractitioner": [
            {
                "identifier": {"system": CLINICIAN_SYSTEM, "value": str(patient.clinician_id)},
                "display": str(patient.clinician),
            }
        ],
    }
    if patient.date_of_birth:
        resource["birthDate"] = patient.date_of_birth.isoformat()
    if patient.email:
        resource["telecom"] = [{"system": "email", "value": patient.email}]
    return resource


def patients_for(user):
    return Patient.objects.visible_to(user).select_related("clinic", "clinician")


def dose_description(level: LevelPrescription, *, number: int, of: int) -> str:
    if level.is_dynamic:
        dose = _("%(sets)s × %(reps)s reps") % {"sets": level.sets, "reps": level.reps}
    else:
        dose = _("%(sets)s × %(hold)s s holds") % {"sets": level.sets, "hold": level.hold_seconds}
    text = _(
        "Level %(number)s of %(of)s: %(dose)s, %(rest)s s rest, effort at most %(effort)s/10"
    ) % {
        "number": number,
        "of": of,
        "dose": dose,
        "rest": level.rest_seconds,
        "effort": level.effort_target,
    }
    if level.resistance:
        text += _(", %(resistance)s") % {"resistance": level.resistance}
    return text


def _activity_status(assignment: Assignment, item: AssignmentItem, level) -> str:
    if assignment.status == AssignmentStatus.FINISHED:
        return "completed"
    if level is None:
        return "unknown"
    if item.paused or assignment.status == AssignmentStatus.PAUSED:
        return "on-hold"
    return "in-progress"


def _activity(assignment: Assignment, item: AssignmentItem) -> dict:
    levels = sorted(item.levels.all(), key=lambda level: (level.order, level.pk))
    current = next((level for level in levels if level.pk == item.current_level_id), None)
    detail = {
        "status": _activity_status(assignment, item, current),
        "code": {"text": current.exercise.name if current else str(item)},
        "scheduledTiming": {
            "repeat": {"frequency": assignment.sessions_per_week, "period": 1, "periodUnit": "wk"}
        },
    }
    if current is not None:
        detail["description"] = dose_description(
            current, number=levels.index(current) + 1, of=len(levels)
        )
    return {"detail": detail}


def care_plan_resource(assignment: Assignment) -> dict:
    """Expects items with their levels and exercises prefetched (see `care_plans_for`)."""
    period = {"start": assignment.start_date.isoformat()}
    if assignment.status == AssignmentStatus.FINISHED:
        period["end"] = timezone.localdate(assignment.status_changed_at).isoformat()
    resource = {
        "resourceType": "CarePlan",
        "id": str(assignment.pk),
        "status": CARE_PLAN_STATUS[assignment.status],
        "intent": "plan",
        "title": assignment.name,
        "subject": {"reference": f"Patient/{assignment.patient_id}"},
        "period": period,
        "created": _instant(assignment.created_at),
        "activity": [_activity(assignment, item) for item in assignment.items.all()],
    }
    if not resource["activity"]:
        del resource["activity"]  # FHIR forbids empty arrays
    return resource


def care_plans_for(user):
    levels = AssignmentLevel.objects.select_related("exercise")
    items = AssignmentItem.objects.prefetch_related(Prefetch("levels", queryset=levels))
    return Assignment.objects.visible_to(user).prefetch_related(Prefetch("items", queryset=items))


# --- Observations -----------------------------------------------------------------------------

# A searchset page is a slice of one ordered list made of five kinds of row; `rank` says which
# kind (and keeps the order of the three readings of one entry).
BEFORE, DURING, AFTER, MORNING, PSFS = range(5)
READINGS = {BEFORE: "before", DURING: "during", AFTER: "after"}


def _pain_text(rank: int, exercise: str) -> str:
    if rank == BEFORE:
        return _("Pain before exercise (%(exercise)s)") % {"exercise": exercise}
    if rank == DURING:
        return _("Worst pain during exercise (%(exercise)s)") % {"exercise": exercise}
    return _("Pain after exercise (%(exercise)s)") % {"exercise": exercise}


def _observation(id_: str, *, patient_id, assignment_id, moment, code: dict) -> dict:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "category": SURVEY,
        "code": code,
        "subject": {"reference": f"Patient/{patient_id}"},
        "basedOn": [{"reference": f"CarePlan/{assignment_id}"}],
        "effectiveDateTime": _instant(moment),
    }


def pain_observation(entry: SessionEntry, rank: int) -> dict:
    """Expects `entry.session` loaded."""
    reading = READINGS[rank]
    session = entry.session
    observation = _observation(
        f"pain-{entry.pk}-{reading}",
        patient_id=session.patient_id,
        assignment_id=session.assignment_id,
        moment=session.performed_at,
        code={"coding": [PAIN_CODING], "text": _pain_text(rank, entry.exercise_name)},
    )
    observation["valueInteger"] = getattr(entry, f"pain_{reading}")
    return observation


def pain_observations(entry: SessionEntry) -> list[dict]:
    return [pain_observation(entry, rank) for rank in READINGS]


def morning_observation(check_in: CheckIn) -> dict:
    """Expects `check_in.session` loaded."""
    observation = _observation(
        f"checkin-{check_in.pk}",
        patient_id=check_in.session.patient_id,
        assignment_id=check_in.session.assignment_id,
        moment=check_in.created_at,
        code={"coding": [PAIN_CODING], "text": _("Pain next morning")},
    )
    observation["valueInteger"] = check_in.pain_now
    return observation


def psfs_observation(rating: PsfsRating) -> dict:
    """Expects `rating.assignment` with its `psfs_activities` loaded."""
    names = {str(activity.pk): activity for activity in rating.assignment.psfs_activities.all()}
    observation = _observation(
        f"psfs-{rating.pk}",
        patient_id=rating.assignment.patient_id,
        assignment_id=rating.assignment_id,
        moment=rating.rated_at,
        code={
            "coding": [
                {
                    "system": PSFS_SYSTEM,
                    "code": "score",
                    "display": "Patient-Specific Functional Scale score",
                }
            ],
            "text": _("Patient-Specific Functional Scale"),
        },
    )
    observation["valueQuantity"] = {
        "value": float(rating.score),
        "unit": _("score (0-10)"),
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }

    def activity_order(pair):
        activity = names.get(pair[0])
        # A score whose activity is gone still counts in the mean, so it is listed, last.
        return (0, activity.order, activity.pk) if activity else (1, 0, 0)

    ordered = sorted(rating.scores.items(), key=activity_order)
    components = [
        {
            "code": {
                "coding": [{"system": PSFS_ACTIVITY_SYSTEM, "code": activity_id}],
                "text": names[activity_id].name
                if activity_id in names
                else _("Activity %(id)s") % {"id": activity_id},
            },
            "valueInteger": score,
        }
        for activity_id, score in ordered
    ]
    if components:
        observation["component"] = components
    return observation


def _rows(queryset, *, at: str, rank: int):
    return (
        queryset.order_by()
        .annotate(at=F(at), row=F("pk"), rank=Value(rank, output_field=IntegerField()))
        .values_list("at", "row", "rank")
    )


def _observation_rows(patient: Patient):
    """Every observation of the patient as (time, row id, rank), oldest first."""
    entries = SessionEntry.objects.filter(session__patient=patient)
    parts = [_rows(entries, at="session__performed_at", rank=rank) for rank in READINGS]
    check_ins = CheckIn.objects.filter(session__patient=patient)
    parts.append(_rows(check_ins, at="created_at", rank=MORNING))
    parts.append(
        _rows(PsfsRating.objects.filter(assignment__patient=patient), at="rated_at", rank=PSFS)
    )
    return parts[0].union(*parts[1:], all=True).order_by("at", "row", "rank")


# The ids `observation_page` hands out; 18 digits keep a lookup inside a bigint.
OBSERVATION_ID = re.compile(
    r"pain-([0-9]{1,18})-(before|during|after)|checkin-([0-9]{1,18})|psfs-([0-9]{1,18})"
)
RANK_OF_READING = {reading: rank for rank, reading in READINGS.items()}


def observation_resource(patients, observation_id: str) -> dict | None:
    """One observation by the id the searchset gave it, among `patients`' records; else None."""
    match = OBSERVATION_ID.fullmatch(observation_id)
    if match is None:
        return None
    entry_id, reading, check_in_id, rating_id = match.groups()
    if entry_id:
        entry = (
            SessionEntry.objects.filter(pk=entry_id, session__patient__in=patients)
            .select_related("session")
            .first()
        )
        return pain_observation(entry, RANK_OF_READING[reading]) if entry else None
    if check_in_id:
        check_in = (
            CheckIn.objects.filter(pk=check_in_id, session__patient__in=patients)
            .select_related("session")
            .first()
        )
        return morning_observation(check_in) if check_in else None
    rating = (
        PsfsRating.objects.filter(pk=rating_id, assignment__patient__in=patients)
        .select_related("assignment")
        .prefetch_related("assignment__psfs_activities")
        .first()
    )
    return psfs_observation(rating) if rating else None


@dataclass(frozen=True)
class ObservationPage:
    total: int
    resources: list[dict]


def observation_page(patient: Patient, *, offset: int, count: int) -> ObservationPage:
    """One page of the patient's observations in a fixed order, in a fixed number of queries."""
    rows = _observation_rows(patient)
    total = rows.count()
    # Past the end nothing is read, which also keeps absurd offsets away from the database.
    keys = list(rows[offset : offset + count]) if count and offset < total else []
    wanted = {rank: {row for _at, row, kind in keys if kind == rank} for rank in range(5)}
    entry_ids = wanted[BEFORE] | wanted[DURING] | wanted[AFTER]
    # An empty `pk__in` costs no query, so a page of pain scores alone runs fewer.
    entries = SessionEntry.objects.filter(pk__in=entry_ids).select_related("session")
    check_ins = CheckIn.objects.filter(pk__in=wanted[MORNING]).select_related("session")
    ratings = (
        PsfsRating.objects.filter(pk__in=wanted[PSFS])
        .select_related("assignment")
        .prefetch_related("assignment__psfs_activities")
    )
    found = {
        **{(entry.pk, rank): entry for entry in entries for rank in READINGS},
        **{(check_in.pk, MORNING): check_in for check_in in check_ins},
        **{(rating.pk, PSFS): rating for rating in ratings},
    }
    resources = []
    for _at, row, rank in keys:
        record = found[(row, rank)]
        if rank in READINGS:
            resources.append(pain_observation(record, rank))
        elif rank == MORNING:
            resources.append(morning_observation(record))
        else:
            resources.append(psfs_observation(record))
    return ObservationPage(total=total, resources=resources)


def searchset(resources: list[dict], *, total: int, full_url, links: dict[str, str]) -> dict:
    """`full_url(resource)` gives an entry's absolute URL; `links` maps relation to URL."""
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links.items()],
    }
    if resources:
        bundle["entry"] = [
            {"fullUrl": full_url(resource), "resource": resource, "search": {"mode": "match"}}
            for resource in resources
        ]
    return bundle


ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    429: "throttled",
}


def operation_outcome(status: int, messages: list[str]) -> dict:
    code = ISSUE_CODES.get(status, "exception" if status >= 500 else "processing")
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": "error", "code": code, "diagnostics": message} for message in messages
        ],
    }
