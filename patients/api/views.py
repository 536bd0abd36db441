from programmes.api.views import ExerciseViewSet as LibraryViewSet
from programmes.models import Exercise

from ..models import AssignmentLevel, AssignmentStatus


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
