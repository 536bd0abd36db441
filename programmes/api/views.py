from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from ..models import Exercise, Level, Programme
from ..services import duplicate_programme, set_archived
from .serializers import ExerciseSerializer, ProgrammeSerializer


class IsClinicianOrReadOnly(permissions.BasePermission):
    """Patients read; only clinicians write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_clinician


class ExerciseFilter(filters.FilterSet):
    class Meta:
        model = Exercise
        fields = ["kind", "position", "body_region", "equipment"]


EXERCISE_EXAMPLE = OpenApiExample(
    "A clinic's own exercise",
    value={
        "name": "Towel squeeze hold",
        "kind": "isometric",
        "position": "sitting",
        "body_region": "hips",
        "equipment": "chair",
        "instructions": "Sit tall with a rolled towel between your knees and squeeze gently.",
        "what_to_feel": "Your inner thighs and lower tummy working lightly.",
        "breathing_cue": "Breathe out slowly through the hold.",
    },
)


@extend_schema_view(
    list=extend_schema(summary="Library: built-ins and your clinic's own"),
    create=extend_schema(examples=[EXERCISE_EXAMPLE]),
    update=extend_schema(examples=[EXERCISE_EXAMPLE]),
    partial_update=extend_schema(examples=[EXERCISE_EXAMPLE]),
)
class ExerciseViewSet(viewsets.ModelViewSet):
    """The exercise library. Clinicians read built-ins and their clinic's own and write their
    clinic's own; patients read the exercises of their programme."""

    serializer_class = ExerciseSerializer
    permission_classes = [permissions.IsAuthenticated, IsClinicianOrReadOnly]
    filterset_class = ExerciseFilter
    search_fields = ["name", "instructions", "what_to_feel"]

    def get_queryset(self):
        # Patients' reading is added by the patients app, which knows their programmes.
        user = self.request.user
        return Exercise.objects.visible_to(user).order_by("name", "id")

    def perform_create(self, serializer):
        serializer.save(clinic=self.request.user.clinic, created_by=self.request.user)

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in permissions.SAFE_METHODS and obj.is_built_in:
            raise PermissionDenied("Built-in exercises are read-only; duplicate one to edit it.")


class IsClinician(permissions.BasePermission):
    message = "This is for clinicians."

    def has_permission(self, request, view):
        return request.user.is_clinician


class ProgrammeViewSet(viewsets.ModelViewSet):
    """The clinic's programme templates with their items and ladders. DELETE archives;
    `?archived=true` lists archived ones too; `POST {id}/duplicate/` copies one."""

    serializer_class = ProgrammeSerializer
    permission_classes = [permissions.IsAuthenticated, IsClinician]
    search_fields = ["name", "description"]

    def get_queryset(self):
        programmes = Programme.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("items__levels", queryset=Level.objects.order_by("order", "id"))
        )
        if self.action == "list" and self.request.query_params.get("archived") != "true":
            programmes = programmes.active()
        return programmes.order_by("name", "id")

    def perform_create(self, serializer):
        serializer.save(clinic=self.request.user.clinic, created_by=self.request.user)

    def perform_destroy(self, programme):
        set_archived(programme=programme, archived=True)

    @extend_schema(request=None, responses={201: ProgrammeSerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request, pk=None):
        copy = duplicate_programme(programme=self.get_object(), user=request.user)
        return Response(
            ProgrammeSerializer(self.get_queryset().get(pk=copy.pk)).data,
            status=status.HTTP_201_CREATED,
        )
