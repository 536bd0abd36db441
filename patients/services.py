"""Writes that touch more than one row. Views, admin and the API all call these."""

import secrets
from dataclasses import asdict, dataclass
from dataclasses import fields as dataclass_fields
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from physio.models import Role
from physio.nplusone import deliberate_loop
from programmes.models import Item
from programmes.progression import (
    KEEP_GOING,
    PAUSE,
    PROFILES,
    PROGRESS,
    PROVISIONAL,
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
from programmes.services import copy_level_fields

from . import events, tasks
from .audit import ASSIGNED, ENGINE, act_as
from .models import (
    INVITATION_LIFETIME,
    Alert,
    AlertKind,
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    AssignmentStatus,
    CheckIn,
    Decision,
    Invitation,
    Patient,
    PatientStatus,
    PsfsActivity,
    PsfsRating,
    Session,
    SessionEntry,
    SessionNote,
    hash_token,
)

# A check-in stops being asked for this long after the session (DESIGN section 3).
CHECK_IN_WINDOW = timedelta(hours=PROFILES[STRICT].check_in_wait_hours)
PSFS_INTERVAL = timedelta(days=14)


class InvitationError(Exception):
    """The link cannot be used; the message says why in the patient's words."""


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


@transaction.atomic
def issue_invitation(*, patient: Patient, by, now=None) -> IssuedInvitation:
    """A fresh single-use link; any earlier unused link of the patient stops working."""
    now = now or timezone.now()
    patient.invitations.usable(now).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        patient=patient,
        token_hash=hash_token(token),
        created_by=by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    return IssuedInvitation(invitation=invitation, token=token)


def email_invitation(*, patient: Patient, link: str) -> None:
    if not patient.email:
        return
    context = {"patient": patient, "link": link, "clinic": patient.clinic}
    send_mail(
        subject=_("Your exercise programme at %(clinic)s") % {"clinic": patient.clinic},
        message=render_to_string("patients/invitation_email.txt", context),
        from_email=None,
        recipient_list=[patient.email],
    )


def find_invitation(token: str, now=None) -> Invitation:
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_related("patient__clinic")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationError(
            _("This invitation link is not valid. Ask your clinic to send you a new one.")
        )
    if invitation.used_at is not None:
        raise InvitationError(
            _("This invitation link was already used. Sign in with your username and password.")
        )
    if invitation.expires_at <= now:
        raise InvitationError(
            _("This invitation link has expired. Ask your clinic to send you a new one.")
        )
    return invitation


def free_username(patient: Patient) -> str:
    parts = [slugify(part) for part in (patient.first_name, patient.last_name)]
    base = ".".join(part for part in parts if part)[:140] or "patient"
    user_model = get_user_model()
    candidate, number = base, 2
    while user_model.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{number}"
        number += 1
    return candidate


@transaction.atomic
def accept_invitation(*, token: str, password: str, now=None):
    """Create (or re-open) the patient's login with their chosen password; the link dies."""
    now = now or timezone.now()
    invitation = find_invitation(token, now)
    # Lock the row: two tabs submitting at once must not both succeed.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable(now):
        raise InvitationError(_("This invitation link was already used."))
    patient = Patient.objects.select_for_update().get(pk=invitation.patient_id)
    user = patient.user
    if user is None:
        user = get_user_model()(
            username=free_username(patient),
            first_name=patient.first_name,
            last_name=patient.last_name,
            email=patient.email,
            role=Role.PATIENT,
            clinic_id=patient.clinic_id,
        )
    user.is_active = True
    user.set_password(password)
    user.save()
    if patient.user_id != user.pk:
        patient.user = user
        patient.save(update_fields=["user", "updated_at"])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    return user


class PatientError(Exception):
    pass


@transaction.atomic
def set_patient_archived(*, patient: Patient, archived: bool) -> None:
    if not archived and patient.erased_at is not None:
        raise PatientError(_("An erased patient cannot be made active again."))
    patient.status = PatientStatus.ARCHIVED if archived else PatientStatus.ACTIVE
    patient.save(update_fields=["status", "updated_at"])
    if archived:
        now = timezone.now()
        patient.invitations.usable().update(revoked_at=now)
        # Saved one by one (there is at most one current programme) so the history
        # records that archiving the patient finished it.
        for assignment in patient.assignments.current().select_for_update():
            assignment.status, assignment.status_changed_at = AssignmentStatus.FINISHED, now
            assignment.save(update_fields=["status", "status_changed_at"])
        if patient.user_id:
            # An archived patient keeps their data but can no longer sign in.
            type(patient.user).objects.filter(pk=patient.user_id).update(is_active=False)
    elif patient.user_id:
        type(patient.user).objects.filter(pk=patient.user_id).update(is_active=True)


class AssignmentError(Exception):
    pass


@transaction.atomic
def assign_programme(
    *,
    patient: Patient,
    programme,
    by,
    start_date: date,
    sessions_per_week: int = 5,
    rule_profile: str,
    rule_numbers: dict | None = None,
    auto_advance: bool = False,
    starting_levels: dict[int, int] | None = None,
) -> Assignment:
    """Copy a programme's items and ladders to the patient.

    `starting_levels` maps a template item's id to the level number (1-based)
    the patient starts on; the default is level 1.
    """
    Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.assignments.current().exists():
        raise AssignmentError(
            _("%(patient)s already has a current programme. Finish it first.")
            % {"patient": patient}
        )
    starting_levels = starting_levels or {}
    profile = profile_for(rule_profile, rule_numbers)
    assignment = Assignment(
        patient=patient,
        programme=programme,
        name=programme.name,
        start_date=start_date,
        sessions_per_week=sessions_per_week,
        rule_profile=rule_profile,
        rule_numbers=profile.as_numbers(),
        auto_advance=auto_advance,
        created_by=by,
    )
    act_as(assignment, user=by, reason=ASSIGNED).save(force_insert=True)
    # By id: the caller's programme instance may be stale, the copy reads the template now.
    for item in Item.objects.filter(programme_id=programme.pk).prefetch_related("levels"):
        copy = AssignmentItem(assignment=assignment, order=item.order, title=item.title)
        act_as(copy, user=by, reason=ASSIGNED).save(force_insert=True)
        # The copies' history rows are written too, all named as part of this assignment.
        levels = bulk_create_with_history(
            [
                AssignmentLevel(item=copy, order=level.order, **copy_level_fields(level))
                for level in item.levels.all()
            ],
            AssignmentLevel,
            default_user=by,
            default_change_reason=ASSIGNED,
        )
        if levels:
            start = min(max(starting_levels.get(item.pk, 1), 1), len(levels))
            copy.current_level = levels[start - 1]
            copy.save(update_fields=["current_level"])
    return assignment


TRANSITIONS = {
    "pause": ({AssignmentStatus.ACTIVE}, AssignmentStatus.PAUSED),
    "resume": ({AssignmentStatus.PAUSED}, AssignmentStatus.ACTIVE),
    "finish": ({AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED}, AssignmentStatus.FINISHED),
}


@transaction.atomic
def change_assignment_status(*, assignment: Assignment, action: str) -> Assignment:
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    allowed_from, target = TRANSITIONS[action]
    if assignment.status not in allowed_from:
        raise AssignmentError(
            _("A %(status)s programme cannot be changed that way.")
            % {"status": assignment.get_status_display().lower()}
        )
    assignment.status = target
    assignment.status_changed_at = timezone.now()
    assignment.save(update_fields=["status", "status_changed_at"])
    return assignment


def keep_current_level_valid(item: AssignmentItem) -> None:
    """After a ladder edit the current level may be gone: fall back to level 1, the safe rung."""
    levels = list(item.levels.order_by("order", "id"))
    if not levels:
        item.current_level = None
    elif item.current_level_id not in {level.pk for level in levels}:
        item.current_level = levels[0]
    else:
        return
    item.save(update_fields=["current_level"])


# --- Sessions, check-ins and PSFS -------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    """What the patient reported for one item, already validated by a form or serializer."""

    item_id: int
    sets_done: int
    per_set: tuple[int, ...]
    effort: int
    pain_before: int
    pain_during: int
    pain_after: int
    held_breath: bool = False
    braced_too_hard: bool = False
    increased_pain: bool = False
    comment: str = ""


def reported_fields(entry: EntryInput) -> dict:
    """The patient's own numbers, as SessionEntry stores them."""
    values = asdict(entry)
    values.pop("item_id")
    values["per_set"] = list(entry.per_set)
    return values


class SessionError(Exception):
    pass


class UnknownAssignment(SessionError):
    """No such assignment, or not the patient's own: the same answer for both."""


@dataclass(frozen=True)
class LoggedSession:
    session: Session
    created: bool


def log_session(
    *,
    assignment: Assignment | int,
    submission_key,
    entries: list[EntryInput],
    notes: str = "",
    now=None,
    patient_user=None,
) -> LoggedSession:
    """Save a session once per submission key, however often the same form arrives.

    The assignment row is locked so two copies of one submission arriving together
    queue up; the second finds the first and returns it. The unique constraint on
    (patient, submission key) is the backstop where the database cannot lock rows.

    `assignment` may be an id; with `patient_user`, it must be that patient's own, which
    is checked on the locked row itself rather than by reading it twice.
    """
    if not entries:
        raise SessionError(_("Log at least one exercise."))
    if len({entry.item_id for entry in entries}) != len(entries):
        raise SessionError(_("Log each exercise once per session."))
    assignment_id = getattr(assignment, "pk", assignment)
    try:
        with transaction.atomic():
            return _log_session_locked(
                assignment_id, patient_user, submission_key, entries, notes, now
            )
    except IntegrityError:
        # The same key may have come with another assignment of the same patient.
        owner = Assignment.objects.filter(pk=assignment_id).values("patient_id")[:1]
        existing = Session.objects.filter(patient_id=owner, submission_key=submission_key).first()
        if existing is None:
            raise  # not a copy of an earlier submission: some other constraint
        return LoggedSession(session=existing, created=False)


def _log_session_locked(
    assignment_id, patient_user, submission_key, entries, notes, now
) -> LoggedSession:
    assignment = _locked_assignment(assignment_id, patient_user=patient_user)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise SessionError(_("This programme is not active, so sessions cannot be logged."))
    # No look for an earlier copy of this submission first: the session's unique
    # submission key turns a copy into an IntegrityError, and `log_session` returns the
    # first one then. The common case, a new session, is spared a query.
    now = now or timezone.now()
    items = ladders_of(assignment)
    session = Session(
        assignment=assignment,
        patient=assignment.patient,
        clinic_id=assignment.patient.clinic_id,
        performed_at=now,
        submission_key=submission_key,
        notes=notes,
    )
    # Nothing has a check-in yet; saying so spares a query per read of `check_in`.
    Session.check_in.related.set_cached_value(session, None)
    profile = profile_for(assignment.rule_profile, assignment.rule_numbers)
    rows = []
    for entry in entries:
        item = items.get(entry.item_id)
        if item is None or item.current_level is None:
            raise SessionError(_("That exercise is not part of your programme."))
        level = item.current_level
        row = SessionEntry(
            session=session,
            item=item,
            level=level,
            level_number=level_number(item, level.pk),
            exercise_name=level.exercise.name,
            prescribed_sets=level.sets,
            prescribed_hold_seconds=level.hold_seconds,
            prescribed_reps=level.reps,
            effort_target=level.effort_target,
            **reported_fields(entry),
        )
        # Read on arrival, so the entry is written once with its reading.
        reading = classify_entry(
            row, baseline=assignment.patient.baseline_pain, profile=profile, now=now
        )
        row.response, row.response_reasons = reading.response, list(reading.reasons)
        rows.append(row)
    session.save(force_insert=True)
    for row in rows:
        row.session = session  # picks up the new id
    SessionEntry.objects.bulk_create(rows)
    rows.sort(key=lambda row: (row.item.order, row.pk))
    remember_related(session, "entries", rows)
    # A provisional reading (the usual one, before the morning check-in) can only make
    # the engine wait, so only amber and red readings go on to a decision.
    judged = [row.item for row in rows if row.response != PROVISIONAL]
    if judged:
        with deliberate_loop("patients.AssignmentItem.decisions"):
            for item in judged:
                evaluate_item(item=item, now=now, session=session)
    events.session_created(session, clinic_id=assignment.patient.clinic_id, now=now)
    return LoggedSession(session=session, created=True)


def add_session_note(*, session: Session, author, text: str) -> SessionNote:
    return SessionNote.objects.create(session=session, author=author, text=text.strip())


def pending_check_ins(*, patient: Patient, now=None):
    """Sessions from an earlier day whose morning check-in is still open (under 36 hours)."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Session.objects.filter(
            patient=patient,
            check_in__isnull=True,
            performed_at__lt=start_of_today,
            performed_at__gte=now - CHECK_IN_WINDOW,
        )
        .select_related("assignment")
        .order_by("performed_at")
    )


class CheckInError(Exception):
    pass


@transaction.atomic
def record_check_in(
    *, session: Session, pain_now: int, worse_than_usual: bool, now=None
) -> CheckIn:
    now = now or timezone.now()
    # The same lock order as logging a session: the assignment first.
    assignment = _locked_assignment(session.assignment_id)
    session = Session.objects.get(pk=session.pk)
    if CheckIn.objects.filter(session=session).exists():
        raise CheckInError(_("This session already has its check-in."))
    if now - session.performed_at > CHECK_IN_WINDOW:
        raise CheckInError(_("The check-in for this session has closed (after 36 hours)."))
    check_in = CheckIn.objects.create(
        session=session, pain_now=pain_now, worse_than_usual=worse_than_usual, created_at=now
    )
    evaluate_session(session=session, now=now)
    events.check_in_created(check_in, clinic_id=assignment.patient.clinic_id, now=now)
    return check_in


def ladders_of(assignment: Assignment) -> dict[int, AssignmentItem]:
    """The assignment's items by id, each with its levels in order and its current
    level's exercise, read in one query (levels with their items) instead of two."""
    items = {}
    levels = (
        AssignmentLevel.objects.filter(item__assignment=assignment)
        .select_related("item", "exercise")
        .order_by("item_id", "order", "pk")
    )
    by_item = {}
    for level in levels:
        item = items.setdefault(level.item_id, level.item)
        by_item.setdefault(item.pk, []).append(level)
        if level.pk == item.current_level_id:
            item.current_level = level
    for item in items.values():
        item.assignment = assignment
        remember_related(item, "levels", by_item[item.pk])
    return items


def remember_related(instance, name: str, objects: list) -> None:
    """Leave `objects` where `prefetch_related(name)` would have put them, so reading
    `instance.<name>.all()` runs no query. Only for rows this code has just read or
    written itself, and in the related model's own order."""
    related = getattr(instance, name).all()  # lazy: nothing is read here
    related._result_cache = list(objects)
    related._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = related


def _locked_assignment(pk: int, *, patient_user=None) -> Assignment:
    """The assignment row, locked, with its patient read in the same query (not locked:
    only the assignment serialises sessions and check-ins). With `patient_user`, only
    that patient's own assignment is found."""
    assignments = Assignment.objects.select_for_update(of=("self",)).select_related("patient")
    if patient_user is not None:
        assignments = assignments.filter(patient__user=patient_user)
    try:
        return assignments.get(pk=pk)
    except Assignment.DoesNotExist:
        raise UnknownAssignment(_("No such programme of yours.")) from None


def psfs_due(*, named: bool, last_rated_at, now=None) -> str | None:
    """'setup' when no activities are named yet, 'rescore' every 14 days, else None.

    `named` and `last_rated_at` come from `Assignment.objects.with_today_summary()`.
    """
    now = now or timezone.now()
    if not named:
        return "setup"
    if last_rated_at is None or now - last_rated_at >= PSFS_INTERVAL:
        return "rescore"
    return None


@transaction.atomic
def save_psfs(*, assignment: Assignment, ratings: dict[str, int], now=None) -> PsfsRating:
    """`ratings` maps an activity name (new ones are added, 3 to 5 in all) to its 0-10 score."""
    now = now or timezone.now()
    existing = {activity.name: activity for activity in assignment.psfs_activities.all()}
    scores = {}
    for order, (name, score) in enumerate(ratings.items()):
        activity = existing.get(name) or PsfsActivity.objects.create(
            assignment=assignment, name=name, order=order
        )
        scores[str(activity.pk)] = score
    mean = Decimal(sum(scores.values())) / Decimal(len(scores))
    return PsfsRating.objects.create(
        assignment=assignment,
        scores=scores,
        score=mean.quantize(Decimal("0.01")),
        rated_at=now,
    )


# --- Symptom-gated progression -------------------------------------------------------


def level_number(item: AssignmentItem, level_id) -> int:
    ordered = sorted(item.levels.all(), key=lambda lvl: (lvl.order, lvl.pk))
    return next((n for n, lvl in enumerate(ordered, start=1) if lvl.pk == level_id), 0)


def level_at(item: AssignmentItem, number: int) -> AssignmentLevel:
    ordered = sorted(item.levels.all(), key=lambda lvl: (lvl.order, lvl.pk))
    return ordered[max(1, min(number, len(ordered))) - 1]


def classify_entry(entry: SessionEntry, *, baseline: int, profile, now) -> Classification:
    session = entry.session
    try:
        check_in = session.check_in
    except CheckIn.DoesNotExist:
        check_in = None
    return classify(
        prescription=Prescription(
            sets=entry.prescribed_sets,
            hold_seconds=entry.prescribed_hold_seconds,
            reps=entry.prescribed_reps,
            effort_target=entry.effort_target,
        ),
        readings=SessionReadings(
            performed_at=session.performed_at,
            **{
                field.name: getattr(entry, field.name)
                for field in dataclass_fields(SessionReadings)
                if field.name != "performed_at"
            },
        ),
        check_in=MorningCheckIn(check_in.pain_now, check_in.worse_than_usual) if check_in else None,
        baseline=baseline,
        profile=profile,
        now=now,
    )


def evaluate_item(*, item: AssignmentItem, now=None, session: Session | None = None):
    """Classify the item's open sessions and act on the latest. The caller holds the
    assignment lock; `session` is the one whose check-in just arrived, if any.

    Only entries whose reading can still change are classified again: the latest few
    (the decision needs no more than the green streak it counts to), those still waiting
    for a check-in, and the triggering session's. Older readings are final, so the work
    stays the same on the hundredth session as on the first.
    """
    now = now or timezone.now()
    assignment = item.assignment
    profile = profile_for(assignment.rule_profile, assignment.rule_numbers)
    baseline = assignment.patient.baseline_pain
    item_entries = SessionEntry.objects.filter(item=item).select_related("session__check_in")
    newest_first = list(
        item_entries.order_by("-session__performed_at", "-id")[: profile.greens_to_progress + 1]
    )
    if not newest_first:
        return None
    still_open = Q(response__in=["", PROVISIONAL])
    if session is not None:
        still_open |= Q(session=session)
    by_pk = {entry.pk: entry for entry in newest_first}
    for entry in item_entries.filter(still_open):
        by_pk.setdefault(entry.pk, entry)
    entries = list(reversed(newest_first))
    scored_by_entry = {}
    for entry in by_pk.values():
        classification = classify_entry(entry, baseline=baseline, profile=profile, now=now)
        scored_by_entry[entry.pk] = classification
        if (entry.response, entry.response_reasons) != (
            classification.response,
            list(classification.reasons),
        ):
            entry.response = classification.response
            entry.response_reasons = list(classification.reasons)
            entry.save(update_fields=["response", "response_reasons"])
    latest = entries[-1]
    at_level = [
        entry
        for entry in entries
        if entry.level_id == item.current_level_id
        and entry.session.performed_at >= item.level_since
    ]
    if item.paused or not at_level or at_level[-1].pk != latest.pk:
        return None
    levels = sorted(item.levels.all(), key=lambda lvl: (lvl.order, lvl.pk))
    current = level_number(item, item.current_level_id)
    outcome = decide(
        sessions=[
            ScoredSession(e.session_id, e.session.performed_at, scored_by_entry[e.pk])
            for e in at_level
        ],
        level=current,
        top_level=len(levels),
        auto_advance=assignment.auto_advance,
        profile=profile,
        previous_response=entries[-2].response if len(entries) > 1 else None,
    )
    if outcome.action in (WAIT, KEEP_GOING):
        return None
    last = item.decisions.order_by("-created_at", "-id").first()
    if last and last.action == outcome.action and last.sessions_used[-1:] == [latest.session_id]:
        return None  # already decided on this session (e.g. the check-in changed nothing)
    if outcome.action == PROGRESS and item.awaiting_approval_id:
        return None
    decision = Decision(
        item=item,
        patient_id=assignment.patient_id,
        clinic_id=assignment.patient.clinic_id,
        action=outcome.action,
        from_level=outcome.from_level,
        to_level=outcome.to_level,
        reasons=list(outcome.reasons),
        profile=outcome.profile,
        numbers=outcome.numbers,
        rule_version=outcome.rule_version,
        sessions_used=list(outcome.sessions_used),
        created_at=now,
    )
    # The engine acts, not whoever's request (a patient's upload, a clinician's page) ran it.
    act_as(decision, user=None, reason=ENGINE).save(force_insert=True)
    _apply(item, decision, now=now)
    events.decision_created(decision, clinic_id=assignment.patient.clinic_id, now=now)
    if outcome.alert:
        kind = AlertKind.PAUSED if outcome.action == PAUSE else AlertKind.RED
        raise_alert(patient=assignment.patient, decision=decision, kind=kind, now=now)
    if outcome.needs_attention and outcome.action != PAUSE:
        raise_alert(patient=assignment.patient, decision=decision, kind=AlertKind.TWO_REDS, now=now)
    return decision


def _apply(item: AssignmentItem, decision: Decision, *, now) -> None:
    act_as(
        item,
        user=decision.actor,
        reason=ENGINE if decision.actor_id is None else decision.action,
    )
    fields = []
    if decision.action == PROGRESS:
        item.awaiting_approval = decision
        fields.append("awaiting_approval")
    elif decision.action == PAUSE:
        item.paused, item.awaiting_approval = True, None
        fields += ["paused", "awaiting_approval"]
    if decision.to_level != decision.from_level or decision.action in (MOVED, DECLINED):
        if decision.to_level != decision.from_level:
            item.current_level = level_at(item, decision.to_level)
            fields.append("current_level")
        item.level_since, item.awaiting_approval = now, None
        fields += ["level_since", "awaiting_approval"]
    if fields:
        item.save(update_fields=sorted(set(fields)))


def raise_alert(*, patient: Patient, decision: Decision, kind: str, now) -> Alert:
    item = decision.item
    message = _("%(item)s: %(kind)s. %(reasons)s") % {
        "item": item.title or item.current_level.exercise.name,
        "kind": AlertKind(kind).label,
        "reasons": " ".join(decision.reasons),
    }
    alert = Alert.objects.create(
        patient=patient, decision=decision, kind=kind, message=message, created_at=now
    )
    transaction.on_commit(lambda: tasks.email_alert.enqueue(alert.pk))
    events.alert_raised(alert, clinic_id=patient.clinic_id, now=now)
    return alert


def evaluate_session(*, session: Session, now=None) -> list[Decision]:
    items = (
        AssignmentItem.objects.filter(entries__session=session)
        .select_related("assignment__patient", "current_level__exercise")
        .prefetch_related("levels__exercise")
        .distinct()
    )
    # Each item of the session is judged on its own history (entries, last decision), a
    # query or two per item; a session holds a handful of items.
    with deliberate_loop("patients.AssignmentItem.decisions"):
        decisions = [evaluate_item(item=item, now=now, session=session) for item in items]
    return [decision for decision in decisions if decision is not None]


MOVED = "moved"
DECLINED = "declined"
APPROVED = "approved"


class DecisionError(Exception):
    pass


def _locked_item(item: AssignmentItem) -> AssignmentItem:
    Assignment.objects.select_for_update().get(pk=item.assignment_id)
    return (
        AssignmentItem.objects.select_related("assignment__patient", "current_level__exercise")
        .prefetch_related("levels")
        .get(pk=item.pk)
    )


def _clinician_decision(item, *, action, to_level, reasons, by, now) -> Decision:
    assignment = item.assignment
    decision = Decision(
        item=item,
        patient_id=assignment.patient_id,
        clinic_id=assignment.patient.clinic_id,
        action=action,
        from_level=level_number(item, item.current_level_id),
        to_level=to_level,
        reasons=reasons,
        profile=assignment.rule_profile,
        numbers=assignment.rule_numbers,
        rule_version=RULE_VERSION,
        actor=by,
        created_at=now,
    )
    act_as(decision, user=by, reason=action).save(force_insert=True)
    _apply(item, decision, now=now)
    events.decision_created(decision, clinic_id=assignment.patient.clinic_id, now=now)
    return decision


@transaction.atomic
def approve_progression(*, item: AssignmentItem, by, now=None) -> Decision:
    now = now or timezone.now()
    item = _locked_item(item)
    ready = item.awaiting_approval
    if ready is None:
        raise DecisionError(_("This item is not waiting for approval any more."))
    return _clinician_decision(
        item,
        action=APPROVED,
        to_level=ready.from_level + 1,
        reasons=[_("Progression approved by %(name)s.") % {"name": by}, *ready.reasons],
        by=by,
        now=now,
    )


@transaction.atomic
def decline_progression(*, item: AssignmentItem, by, reason: str, now=None) -> Decision:
    now = now or timezone.now()
    item = _locked_item(item)
    if item.awaiting_approval is None:
        raise DecisionError(_("This item is not waiting for approval any more."))
    current = level_number(item, item.current_level_id)
    return _clinician_decision(
        item,
        action=DECLINED,
        to_level=current,
        reasons=[
            _("Progression declined by %(name)s: %(reason)s") % {"name": by, "reason": reason}
        ],
        by=by,
        now=now,
    )


@transaction.atomic
def move_level(*, item: AssignmentItem, to_level: int, by, reason: str, now=None) -> Decision:
    now = now or timezone.now()
    item = _locked_item(item)
    top = item.levels.count()
    if not 1 <= to_level <= top:
        raise DecisionError(_("Choose a level between 1 and %(top)s.") % {"top": top})
    decision = _clinician_decision(
        item,
        action=MOVED,
        to_level=to_level,
        reasons=[
            _("Moved to level %(level)s by %(name)s: %(reason)s")
            % {"level": to_level, "name": by, "reason": reason}
        ],
        by=by,
        now=now,
    )
    if item.paused:
        item.paused = False
        item.save(update_fields=["paused"])
    return decision


def acknowledge_alert(*, alert: Alert, by, now=None) -> None:
    Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now or timezone.now(), acknowledged_by=by
    )


def expire_pending_check_ins(now=None, clinic_id=None, patient_id=None) -> int:
    """Sessions whose check-in never came count as amber after the wait: decide on them."""
    now = now or timezone.now()
    cutoff = now - CHECK_IN_WINDOW
    if patient_id is not None:
        # From the patient's own sessions (one index range), each checked against the
        # small index of entries still waiting; not from every waiting entry of every clinic.
        stale = Session.objects.filter(patient_id=patient_id, performed_at__lte=cutoff).filter(
            Exists(SessionEntry.objects.filter(session=OuterRef("pk"), response=PROVISIONAL))
        )
        if clinic_id is not None:
            stale = stale.filter(patient__clinic_id=clinic_id)
        stale = stale.order_by().values_list("assignment_id", flat=True).distinct()
    else:
        stale = SessionEntry.objects.filter(response=PROVISIONAL, session__performed_at__lte=cutoff)
        if clinic_id is not None:
            stale = stale.filter(session__patient__clinic_id=clinic_id)
        # No ordering: the model's default ordering would make DISTINCT one row per entry.
        stale = stale.order_by().values_list("session__assignment_id", flat=True).distinct()
    count = 0
    for assignment_id in stale:
        count += _expire_assignment(assignment_id, now)
    return count


def expire_shown_check_ins(sessions, now=None) -> bool:
    """Decide the given sessions if their check-in wait ran out.

    For a page that shows a few sessions with their responses (each session with its
    `assignment_id`, `performed_at` and `responses`, those of its entries): it costs no
    query unless one of them is due, which only happens when the scheduled job is late.
    Returns whether anything was decided (the page then reads its sessions again).
    """
    now = now or timezone.now()
    cutoff = now - CHECK_IN_WINDOW
    due = {
        session.assignment_id
        for session in sessions
        if session.performed_at <= cutoff and PROVISIONAL in session.responses
    }
    for assignment_id in sorted(due):
        _expire_assignment(assignment_id, now)
    return bool(due)


def _expire_assignment(assignment_id, now) -> int:
    with transaction.atomic():
        Assignment.objects.select_for_update().get(pk=assignment_id)
        items = (
            AssignmentItem.objects.filter(assignment_id=assignment_id)
            .select_related("assignment__patient", "current_level__exercise")
            .prefetch_related("levels")
        )
        count = 0
        for item in items:
            evaluate_item(item=item, now=now)
            count += 1
    return count
