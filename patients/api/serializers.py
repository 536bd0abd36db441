from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programmes.models import MAX_SETS

from ..models import (
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    CheckIn,
    Decision,
    Patient,
    RuleProfileChoice,
    Session,
    SessionEntry,
)

PAIN = {"min_value": 0, "max_value": 10, "help_text": "0 = no pain, 10 = worst imaginable"}


# JSON columns pass through unchanged; these only tell the schema the shape they always have.
@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SentencesField(serializers.JSONField):
    pass


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IntegersField(serializers.JSONField):
    pass


@extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
class RuleNumbersField(serializers.JSONField):
    pass


# Lists serialise hundreds of rows: the read-only serializers below write their
# output directly instead of building DRF's fields for every request and walking
# them for every row. tests/api/test_serializer_output.py checks that the result
# is the same as DRF's field-by-field representation.
_DATETIME = serializers.DateTimeField()


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


DECISION_ACTIONS = (
    "The engine's: progress (ready, waiting for approval), advance, keep-going, hold, wait, "
    "regress, pause, ladder-done; a clinician's: approved, declined, moved."
)


class AssignmentLevelSerializer(serializers.ModelSerializer):
    exercise = serializers.CharField(source="exercise.name")
    exercise_id = serializers.IntegerField()

    class Meta:
        model = AssignmentLevel
        fields = [
            "id",
            "order",
            "exercise_id",
            "exercise",
            "position",
            "sets",
            "hold_seconds",
            "reps",
            "rest_seconds",
            "effort_target",
            "resistance",
            "cues",
        ]


class DecisionSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(help_text='"engine" or the clinician\'s name.')
    reasons = SentencesField(read_only=True)
    numbers = RuleNumbersField(read_only=True, help_text="The rule profile's thresholds used.")
    sessions_used = IntegersField(read_only=True, help_text="Ids of the sessions weighed.")

    class Meta:
        model = Decision
        fields = [
            "id",
            "item",
            "action",
            "from_level",
            "to_level",
            "reasons",
            "profile",
            "numbers",
            "rule_version",
            "sessions_used",
            "actor",
            "created_at",
        ]
        extra_kwargs = {"action": {"help_text": DECISION_ACTIONS}}

    def get_actor(self, decision) -> str:
        return "engine" if decision.actor_id is None else str(decision.actor)

    def to_representation(self, decision):
        return {
            "id": decision.id,
            "item": decision.item_id,
            "action": decision.action,
            "from_level": decision.from_level,
            "to_level": decision.to_level,
            "reasons": decision.reasons,
            "profile": decision.profile,
            "numbers": decision.numbers,
            "rule_version": decision.rule_version,
            "sessions_used": decision.sessions_used,
            "actor": self.get_actor(decision),
            "created_at": _datetime(decision.created_at),
        }


class AssignmentItemSerializer(serializers.ModelSerializer):
    levels = AssignmentLevelSerializer(many=True)
    current_level = serializers.IntegerField(source="current_level_id", allow_null=True)
    ready_to_progress = serializers.SerializerMethodField()

    class Meta:
        model = AssignmentItem
        fields = ["id", "order", "title", "levels", "current_level", "paused", "ready_to_progress"]

    def get_ready_to_progress(self, item) -> bool:
        return item.awaiting_approval_id is not None


class AssignmentSerializer(serializers.ModelSerializer):
    items = AssignmentItemSerializer(many=True)
    rule_numbers = RuleNumbersField(read_only=True, help_text="The profile's thresholds.")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "patient",
            "name",
            "start_date",
            "sessions_per_week",
            "rule_profile",
            "rule_numbers",
            "auto_advance",
            "status",
            "items",
        ]


class EntrySerializer(serializers.ModelSerializer):
    per_set = IntegersField(read_only=True, help_text="Seconds held or reps, one per set done.")
    response = serializers.CharField(
        read_only=True,
        help_text="The engine's reading: green, amber, red, or provisional until the check-in.",
    )
    response_reasons = SentencesField(read_only=True)

    class Meta:
        model = SessionEntry
        fields = [
            "item",
            "level_number",
            "exercise_name",
            "prescribed_sets",
            "prescribed_hold_seconds",
            "prescribed_reps",
            "effort_target",
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
            "response",
            "response_reasons",
        ]

    def to_representation(self, entry):
        return {
            "item": entry.item_id,
            "level_number": entry.level_number,
            "exercise_name": entry.exercise_name,
            "prescribed_sets": entry.prescribed_sets,
            "prescribed_hold_seconds": entry.prescribed_hold_seconds,
            "prescribed_reps": entry.prescribed_reps,
            "effort_target": entry.effort_target,
            "sets_done": entry.sets_done,
            "per_set": entry.per_set,
            "effort": entry.effort,
            "pain_before": entry.pain_before,
            "pain_during": entry.pain_during,
            "pain_after": entry.pain_after,
            "held_breath": entry.held_breath,
            "braced_too_hard": entry.braced_too_hard,
            "increased_pain": entry.increased_pain,
            "comment": entry.comment,
            "response": entry.response,
            "response_reasons": entry.response_reasons,
        }


class CheckInSerializer(serializers.ModelSerializer):
    # A plain id: whether a session exists is only told to those who may see it.
    session = serializers.IntegerField(source="session_id")

    class Meta:
        model = CheckIn
        fields = ["id", "session", "pain_now", "worse_than_usual", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"pain_now": PAIN}

    def to_representation(self, check_in):
        return {
            "id": check_in.id,
            "session": check_in.session_id,
            "pain_now": check_in.pain_now,
            "worse_than_usual": check_in.worse_than_usual,
            "created_at": _datetime(check_in.created_at),
        }


class SessionSerializer(serializers.ModelSerializer):
    entries = EntrySerializer(many=True)
    check_in = CheckInSerializer(allow_null=True)

    class Meta:
        model = Session
        fields = ["id", "assignment", "patient", "performed_at", "notes", "entries", "check_in"]

    def to_representation(self, session):
        entry = EntrySerializer()
        # No check-in yet: the reverse one-to-one raises, which DRF turns into null.
        check_in = getattr(session, "check_in", None)
        return {
            "id": session.id,
            "assignment": session.assignment_id,
            "patient": session.patient_id,
            "performed_at": _datetime(session.performed_at),
            "notes": session.notes,
            "entries": [entry.to_representation(row) for row in session.entries.all()],
            "check_in": None
            if check_in is None
            else CheckInSerializer().to_representation(check_in),
        }


class EntryInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    sets_done = serializers.IntegerField(min_value=0, max_value=MAX_SETS)
    per_set = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=600), max_length=MAX_SETS
    )
    effort = serializers.IntegerField(min_value=0, max_value=10)
    pain_before = serializers.IntegerField(**PAIN)
    pain_during = serializers.IntegerField(**PAIN)
    pain_after = serializers.IntegerField(**PAIN)
    held_breath = serializers.BooleanField(default=False)
    braced_too_hard = serializers.BooleanField(default=False)
    increased_pain = serializers.BooleanField(default=False)
    comment = serializers.CharField(allow_blank=True, default="", max_length=2000)

    def validate(self, data):
        if len(data["per_set"]) != data["sets_done"]:
            raise serializers.ValidationError({"per_set": _("Give one number per set done.")})
        return data


class SessionCreateSerializer(serializers.Serializer):
    assignment = serializers.IntegerField()
    notes = serializers.CharField(allow_blank=True, default="", max_length=4000)
    entries = EntryInputSerializer(many=True, allow_empty=False)


class PatientSerializer(serializers.ModelSerializer):
    signed_up = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "date_of_birth",
            "clinician",
            "baseline_pain",
            "notes",
            "status",
            "signed_up",
            "created_at",
        ]
        read_only_fields = ["id", "status", "signed_up", "created_at"]
        extra_kwargs = {"baseline_pain": PAIN}

    def get_signed_up(self, patient) -> bool:
        return patient.user_id is not None

    def validate_clinician(self, clinician):
        if (
            clinician.clinic_id != self.context["request"].user.clinic_id
            or not clinician.is_clinician
        ):
            raise serializers.ValidationError(_("Choose a clinician of your clinic."))
        return clinician


class AssignmentCreateSerializer(serializers.Serializer):
    patient = serializers.IntegerField()
    programme = serializers.IntegerField()
    start_date = serializers.DateField(required=False)
    sessions_per_week = serializers.IntegerField(min_value=1, max_value=14, default=5)
    rule_profile = serializers.ChoiceField(choices=RuleProfileChoice.choices, default="strict")
    rule_numbers = serializers.DictField(
        child=serializers.IntegerField(min_value=0), required=False
    )
    auto_advance = serializers.BooleanField(default=False)


class SetLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=500)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
