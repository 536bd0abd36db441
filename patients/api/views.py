import uuid
from datetime import UTC

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from physio import api_examples as ex
from physio.idempotency import idempotent
from programmes.api.views import ExerciseViewSet as LibraryViewSet
from programmes.models import Exercise, Programme

from .. import services
from ..models import (
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    AssignmentStatus,
    CheckIn,
    Decision,
    Patient,
    PatientStatus,
    Session,
)
from .serializers import (
    AssignmentCreateSerializer,
    AssignmentSerializer,
    CheckInSerializer,
    DecisionSerializer,
    DeclineSerializer,
    PatientSerializer,
    SessionCreateSerializer,
    SessionSerializer,
    SetLevelSerializer,
)


class PatientCreatesOnly(permissions.BasePermission):
    """Anyone signed in reads what is theirs to read; only patients create."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_patient


class SessionFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(method="performed_since")

    def performed_since(self, sessions, name, value):
        # In UTC, so odd offsets such as -23:59 reach the database as plain instants.
        try:
            value = value.astimezone(UTC)
        except OverflowError as error:
            raise ValidationError({"since": [_("That date is out of range.")]}) from error
        return sessions.filter(performed_at__gte=value)

    class Meta:
        model = Session
        fields = ["assignment", "since"]


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string per submission: a retry with the same key and body returns "
    "the first response and creates nothing; the same key with another body is a 409.",
)


class ExerciseViewSet(LibraryViewSet):
    __doc__ = LibraryViewSet.__doc__

    def get_queryset(self):
        user = self.request.user
        if getattr(user, "is_patient", False):
            used = AssignmentLevel.objects.filter(
                item__assignment__patient__user=user,
                item__assignment__status__in=[AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED],
            ).values("exercise_id")
            return Exercise.objects.filter(pk__in=used).order_by("name", "id")
        return super().get_queryset()


SESSION_EXAMPLE = ex.response("A green session with its check-in", ex.SESSION)


@extend_schema_view(
    list=extend_schema(examples=[SESSION_EXAMPLE]),
    retrieve=extend_schema(examples=[SESSION_EXAMPLE]),
)
class SessionViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Sessions: patients create their own (send an `Idempotency-Key` to make retries safe);
    clinicians read their clinic's."""

    filterset_class = SessionFilter
    permission_classes = [permissions.IsAuthenticated, PatientCreatesOnly]

    def get_queryset(self):
        return (
            Session.objects.visible_to(self.request.user)
            .select_related("check_in")
            .prefetch_related("entries")
            .order_by("-performed_at", "-id")
        )

    def get_serializer_class(self):
        return SessionCreateSerializer if self.action == "create" else SessionSerializer

    @extend_schema(
        request=SessionCreateSerializer,
        responses={201: SessionSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            ex.request("One exercise, three holds of 10 s", ex.SESSION_REQUEST),
            ex.response("Saved, waiting for the morning check-in", ex.NEW_SESSION),
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        incoming = SessionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        key = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()
        # The body is part of the session's key: a key reused with another body (once its
        # stored answer is purged) makes a new session instead of finding the old one.
        submission_key = (
            uuid.uuid5(
                uuid.NAMESPACE_URL,
                f"isohold:{request.user.pk}:{key}:{request.idempotency_digest}",
            )
            if key
            else uuid.uuid4()
        )
        entries = [
            services.EntryInput(
                item_id=entry.pop("item"), per_set=tuple(entry.pop("per_set")), **entry
            )
            for entry in data["entries"]
        ]
        try:
            logged = services.log_session(
                assignment=data["assignment"],
                patient_user=request.user,
                submission_key=submission_key,
                entries=entries,
                notes=data["notes"],
            )
        except services.UnknownAssignment as error:
            raise ValidationError({"assignment": [str(error)]}) from error
        except services.SessionError as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from error
        # A new session comes back whole from logging it; one found again is read afresh.
        session = (
            logged.session if logged.created else self.get_queryset().get(pk=logged.session.pk)
        )
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(examples=[ex.response("A settled morning", ex.CHECK_IN)]),
    create=extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            ex.request("A settled morning", ex.CHECK_IN_REQUEST),
            ex.response("Recorded", ex.CHECK_IN),
        ],
    ),
)
class CheckInViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Morning check-ins: patients answer for their own sessions; clinicians read."""

    serializer_class = CheckInSerializer
    permission_classes = [permissions.IsAuthenticated, PatientCreatesOnly]

    def get_queryset(self):
        return CheckIn.objects.filter(
            session__in=Session.objects.visible_to(self.request.user)
        ).order_by("-created_at")

    @idempotent
    def create(self, request, *args, **kwargs):
        incoming = CheckInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        session = (
            Session.objects.visible_to(request.user)
            .filter(pk=incoming.validated_data["session_id"])
            .first()
        )
        if session is None:
            raise ValidationError({"session": [_("No such session of yours.")]})
        try:
            check_in = services.record_check_in(
                session=session,
                pain_now=incoming.validated_data["pain_now"],
                worse_than_usual=incoming.validated_data["worse_than_usual"],
            )
        except services.CheckInError as error:
            raise ValidationError({"session": [str(error)]}) from error
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


DECISION_EXAMPLES = [
    ex.response("Ready to progress, waiting for approval", ex.READY),
    ex.response("A red session: one level down", ex.REGRESSED),
    ex.response("Approved by a clinician", ex.APPROVED),
]


@extend_schema_view(
    list=extend_schema(examples=DECISION_EXAMPLES),
    retrieve=extend_schema(examples=DECISION_EXAMPLES),
)
class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """What the rules or a clinician did to a level, with reasons."""

    serializer_class = DecisionSerializer
    filterset_fields = ["item", "action"]

    def get_queryset(self):
        return (
            Decision.objects.visible_to(self.request.user)
            .select_related("actor")
            .order_by("-created_at", "-id")
        )


class IsClinician(permissions.BasePermission):
    message = gettext_lazy("This is for clinicians.")

    def has_permission(self, request, view):
        return request.user.is_clinician


class InviteResponseSerializer(serializers.Serializer):
    link = serializers.URLField()
    expires_at = serializers.DateTimeField()


PATIENT_EXAMPLE = ex.response("A signed-up patient", ex.PATIENT)


@extend_schema_view(
    list=extend_schema(examples=[PATIENT_EXAMPLE]),
    retrieve=extend_schema(examples=[PATIENT_EXAMPLE]),
    create=extend_schema(
        examples=[
            ex.request("A new patient", ex.NEW_PATIENT_REQUEST),
            ex.response("Added, not signed up yet", ex.NEW_PATIENT),
        ]
    ),
    update=extend_schema(
        examples=[
            ex.request("All fields", ex.PATIENT_REQUEST),
            ex.response("Updated", ex.PATIENT),
        ]
    ),
    partial_update=extend_schema(
        examples=[
            ex.request("New usual pain", ex.pick(ex.PATIENT, "baseline_pain")),
            ex.response("Updated", ex.PATIENT),
        ]
    ),
)
class PatientViewSet(viewsets.ModelViewSet):
    """The clinic's patients. `POST {id}/invite/` makes a fresh single-use invitation link."""

    serializer_class = PatientSerializer
    permission_classes = [permissions.IsAuthenticated, IsClinician]
    filterset_fields = ["status", "clinician"]
    search_fields = ["first_name", "last_name", "email"]

    def get_queryset(self):
        return Patient.objects.visible_to(self.request.user).order_by(
            "last_name", "first_name", "id"
        )

    def perform_create(self, serializer):
        serializer.save(clinic=self.request.user.clinic)

    def perform_update(self, serializer):
        if serializer.instance.erased_at is not None:
            # Writing personal data back into an erased record would undo the erasure.
            raise ValidationError(
                {"patient": [_("This patient's personal data was erased; the record is closed.")]}
            )
        serializer.save()

    def perform_destroy(self, patient):
        # Archiving keeps the clinical record; nothing is deleted.
        services.set_patient_archived(patient=patient, archived=True)

    @extend_schema(
        request=None,
        responses={201: InviteResponseSerializer},
        examples=[ex.response("A link valid for 7 days", ex.INVITATION)],
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None, format=None):
        patient = self.get_object()
        if patient.status != PatientStatus.ACTIVE:
            raise ValidationError({"patient": [_("Archived patients cannot be invited.")]})
        issued = services.issue_invitation(patient=patient, by=request.user)
        link = request.build_absolute_uri(
            reverse("patients:accept-invitation", args=[issued.token])
        )
        services.email_invitation(patient=patient, link=link)
        return Response(
            {"link": link, "expires_at": issued.invitation.expires_at},
            status=status.HTTP_201_CREATED,
        )


def _item_of(view, request, pk, item):
    assignment = view.get_object()
    found = assignment.items.filter(pk=item).first()
    if found is None:
        raise NotFound(_("No such item in this programme."))
    return found


ITEM = OpenApiParameter(
    "item", OpenApiTypes.INT, OpenApiParameter.PATH, description="An item of this assignment."
)
DECISION = OpenApiParameter(
    "decision",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The decision that made the item ready to progress.",
)


class ClinicianActions:
    """Level actions on an assignment's items; the same services as the patient page."""

    @extend_schema(
        request=SetLevelSerializer,
        responses={201: DecisionSerializer},
        parameters=[ITEM],
        examples=[
            ex.request("Back to level 1 after a flare", ex.SET_LEVEL),
            ex.response("Moved by the clinician", ex.MOVED),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"items/(?P<item>\d+)/set-level",
        permission_classes=[permissions.IsAuthenticated, IsClinician],
    )
    def set_level(self, request, pk=None, item=None, format=None):
        target = _item_of(self, request, pk, item)
        incoming = SetLevelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            decision = services.move_level(
                item=target,
                by=request.user,
                **{
                    "to_level": incoming.validated_data["level"],
                    "reason": incoming.validated_data["reason"],
                },
            )
        except services.DecisionError as error:
            raise ValidationError({"level": [str(error)]}) from error
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={201: DecisionSerializer},
        parameters=[DECISION],
        examples=[ex.response("Moved up to level 2", ex.APPROVED)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"decisions/(?P<decision>\d+)/approve",
        permission_classes=[permissions.IsAuthenticated, IsClinician],
    )
    def approve(self, request, pk=None, decision=None, format=None):
        target = self._ready_item(decision)
        try:
            result = services.approve_progression(item=target, by=request.user)
        except services.DecisionError as error:
            raise ValidationError({"decision": [str(error)]}) from error
        return Response(DecisionSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DeclineSerializer,
        responses={201: DecisionSerializer},
        parameters=[DECISION],
        examples=[
            ex.request("Not yet", ex.DECLINE),
            ex.response("Stays at level 1", ex.DECLINED),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"decisions/(?P<decision>\d+)/decline",
        permission_classes=[permissions.IsAuthenticated, IsClinician],
    )
    def decline(self, request, pk=None, decision=None, format=None):
        target = self._ready_item(decision)
        incoming = DeclineSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            result = services.decline_progression(
                item=target, by=request.user, reason=incoming.validated_data["reason"]
            )
        except services.DecisionError as error:
            raise ValidationError({"decision": [str(error)]}) from error
        return Response(DecisionSerializer(result).data, status=status.HTTP_201_CREATED)

    def _ready_item(self, decision_id):
        assignment = self.get_object()
        target = assignment.items.filter(awaiting_approval_id=decision_id).first()
        if target is None:
            if not Decision.objects.filter(pk=decision_id, item__assignment=assignment).exists():
                raise NotFound("No such decision in this programme.")
            raise ValidationError({"decision": ["This decision is not waiting for approval."]})
        return target


ASSIGNMENT_EXAMPLE = ex.response("Ready to progress on its first item", ex.ASSIGNMENT)


@extend_schema_view(
    list=extend_schema(examples=[ASSIGNMENT_EXAMPLE]),
    retrieve=extend_schema(examples=[ASSIGNMENT_EXAMPLE]),
)
class AssignmentViewSet(ClinicianActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Programmes given to patients, with each item's ladder and current level. Clinicians
    create one from a programme (`POST`), and move, approve or decline levels."""

    serializer_class = AssignmentSerializer

    def get_serializer_class(self):
        return AssignmentCreateSerializer if self.action == "create" else AssignmentSerializer

    @extend_schema(
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer},
        examples=[
            ex.request("Strict profile, 5 sessions a week", ex.ASSIGN),
            ex.request("Pain-monitoring, 4 greens to progress", ex.ASSIGN_PAIN_MONITORING),
            ex.response("Assigned, every item at level 1", ex.NEW_ASSIGNMENT),
        ],
    )
    def create(self, request, *args, **kwargs):
        if not request.user.is_clinician:
            raise PermissionDenied("Only clinicians assign programmes.")
        incoming = AssignmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        patient = (
            Patient.objects.visible_to(request.user)
            .filter(pk=data["patient"], status=PatientStatus.ACTIVE)
            .first()
        )
        programme = (
            Programme.objects.visible_to(request.user).active().filter(pk=data["programme"]).first()
        )
        errors = {}
        if patient is None:
            errors["patient"] = ["No such active patient in your clinic."]
        if programme is None:
            errors["programme"] = ["No such programme in your clinic."]
        if errors:
            raise ValidationError(errors)
        try:
            assignment = services.assign_programme(
                patient=patient,
                programme=programme,
                by=request.user,
                start_date=data.get("start_date") or timezone.localdate(),
                sessions_per_week=data["sessions_per_week"],
                rule_profile=data["rule_profile"],
                rule_numbers=data.get("rule_numbers"),
                auto_advance=data["auto_advance"],
            )
        except services.AssignmentError as error:
            raise ValidationError({"patient": [str(error)]}) from error
        return Response(
            AssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    filterset_fields = ["status", "patient"]

    def get_queryset(self):
        return (
            Assignment.objects.visible_to(self.request.user)
            .prefetch_related(
                Prefetch(
                    "items",
                    queryset=AssignmentItem.objects.prefetch_related(
                        Prefetch(
                            "levels", queryset=AssignmentLevel.objects.select_related("exercise")
                        )
                    ),
                )
            )
            .order_by("-created_at", "-id")
        )
