from rest_framework import serializers

from ..models import Exercise


class ExerciseSerializer(serializers.ModelSerializer):
    built_in = serializers.BooleanField(source="is_built_in", read_only=True)

    class Meta:
        model = Exercise
        fields = [
            "id",
            "name",
            "kind",
            "position",
            "body_region",
            "equipment",
            "instructions",
            "what_to_feel",
            "breathing_cue",
            "built_in",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "built_in", "created_at", "updated_at"]

    def validate_name(self, value):
        clinic = self.context["request"].user.clinic
        name = value.strip()
        clashes = Exercise.objects.filter(clinic=clinic, name__iexact=name)
        clashes |= Exercise.objects.built_in().filter(name__iexact=name)
        if self.instance is not None:
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            raise serializers.ValidationError(
                "An exercise with this name is already in your library."
            )
        return name
