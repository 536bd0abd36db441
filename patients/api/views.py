import uuid

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from physio.idempotency import idempotent
from programmes.api.views import ExerciseViewSet as LibraryViewSet
from programmes.models import Exercise

from .. import services
from ..models import (
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    AssignmentStatus,
    CheckIn,
    Decision,
    Session,
)
from .serializers import (
    AssignmentSerializer,
    CheckInSerializer,
    DecisionSerializer,
    SessionCreateSerializer,
    SessionSerializer,
)


class PatientCreatesOnly(permissions.BasePermission):
    """Anyone signed in reads what is theirs to read; only patients create."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_patient


class SessionFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(field_name="performed_at", lookup_expr="gte")

    class Meta:
        model = Session
        fields = ["assignment", "since"]


SESSION_EXAMPLE = OpenApiExample(
    "One exercise, three holds of 10 s",
    request_only=True,
    value={
        "assignment": 1,
        "notes": "Felt steady.",
        "entries": [
            {
                "item": 1,
                "sets_done": 3,
                "per_set": [10, 10, 10],
                "effort": 5,
                "pain_before": 3,
                "pain_during": 3,
                "pain_after": 2,
                "held_breath": False,
                "braced_too_hard": False,
                "increased_pain": False,
            }
        ],
    },
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
        examples=[SESSION_EXAMPLE],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        incoming = SessionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        assignment = (
            Assignment.objects.visible_to(request.user).filter(pk=data["assignment"]).first()
        )
        if assignment is None:
            raise ValidationError({"assignment": ["No such programme of yours."]})
        key = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()
        submission_key = (
            uuid.uuid5(uuid.NAMESPACE_URL, f"isohold:{request.user.pk}:{key}")
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
                assignment=assignment,
                submission_key=submission_key,
                entries=entries,
                notes=data["notes"],
            )
        except services.SessionError as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from error
        session = self.get_queryset().get(pk=logged.session.pk)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


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
            .filter(pk=incoming.validated_data["session"].pk)
            .first()
        )
        if session is None:
            raise ValidationError({"session": ["No such session of yours."]})
        try:
            check_in = services.record_check_in(
                session=session,
                pain_now=incoming.validated_data["pain_now"],
                worse_than_usual=incoming.validated_data["worse_than_usual"],
            )
        except services.CheckInError as error:
            raise ValidationError({"session": [str(error)]}) from error
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Programmes given to patients, with each item's ladder and current level."""

    serializer_class = AssignmentSerializer
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
