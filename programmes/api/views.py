from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from physio import api_examples as ex

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


@extend_schema_view(
    list=extend_schema(
        summary="Library: built-ins and your clinic's own",
        examples=[ex.response("A built-in exercise", ex.SUPPORTED_BRACE)],
    ),
    retrieve=extend_schema(examples=[ex.response("A built-in exercise", ex.SUPPORTED_BRACE)]),
    create=extend_schema(
        examples=[
            ex.request("A clinic's own exercise", ex.OWN_EXERCISE_REQUEST),
            ex.response("Created", ex.TOWEL_SQUEEZE),
        ]
    ),
    update=extend_schema(
        examples=[
            ex.request("A clinic's own exercise", ex.OWN_EXERCISE_REQUEST),
            ex.response("Updated", ex.TOWEL_SQUEEZE),
        ]
    ),
    partial_update=extend_schema(
        examples=[
            ex.request("New instructions", ex.pick(ex.TOWEL_SQUEEZE, "instructions")),
            ex.response("Updated", ex.TOWEL_SQUEEZE),
        ]
    ),
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


PROGRAMME_EXAMPLES = [
    ex.request("A three-level brace ladder", ex.PROGRAMME_REQUEST),
    ex.response("The programme with its ladder", ex.PROGRAMME),
]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "archived",
                OpenApiTypes.BOOL,
                description="`true` lists archived programmes too.",
            )
        ],
        examples=[ex.response("A programme with its ladder", ex.PROGRAMME)],
    ),
    retrieve=extend_schema(examples=[ex.response("A programme with its ladder", ex.PROGRAMME)]),
    create=extend_schema(examples=PROGRAMME_EXAMPLES),
    update=extend_schema(examples=PROGRAMME_EXAMPLES),
    partial_update=extend_schema(
        examples=[
            ex.request("Rename only", ex.PROGRAMME_RENAME),
            ex.response("Renamed", ex.PROGRAMME_RENAMED),
        ]
    ),
)
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

    def perform_update(self, serializer):
        programme = serializer.save()
        # The answer shows the items just written: read them back with their ladders, in
        # two queries, rather than one per item from the stale instance.
        serializer.instance = self.get_queryset().get(pk=programme.pk)

    def perform_destroy(self, programme):
        set_archived(programme=programme, archived=True)

    @extend_schema(
        request=None,
        responses={201: ProgrammeSerializer},
        examples=[ex.response("The copy, items and ladders included", ex.PROGRAMME_COPY)],
    )
    @action(detail=True, methods=["post"])
    def duplicate(self, request, pk=None, format=None):
        copy = duplicate_programme(programme=self.get_object(), user=request.user)
        return Response(
            ProgrammeSerializer(self.get_queryset().get(pk=copy.pk)).data,
            status=status.HTTP_201_CREATED,
        )
