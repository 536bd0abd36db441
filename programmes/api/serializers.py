from django.db import transaction
from rest_framework import serializers

from physio.nplusone import deliberate_loop

from ..ladders import fit_dose
from ..models import (
    DEFAULT_EFFORT_TARGET,
    DEFAULT_HOLD_SECONDS,
    DEFAULT_SETS,
    Exercise,
    Item,
    Kind,
    Level,
    Position,
    Programme,
)


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


class ProgrammeLevelSerializer(serializers.ModelSerializer):
    exercise = serializers.PrimaryKeyRelatedField(queryset=Exercise.objects.all())
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    confirm_high_effort = serializers.BooleanField(
        write_only=True, default=False, help_text="Needed for an effort target above 6/10."
    )

    class Meta:
        model = Level
        fields = [
            "order",
            "exercise",
            "position",
            "sets",
            "hold_seconds",
            "reps",
            "rest_seconds",
            "effort_target",
            "resistance",
            "cues",
            "confirm_high_effort",
        ]
        read_only_fields = ["order"]

    def validate_exercise(self, exercise):
        user = self.context["request"].user
        if not Exercise.objects.visible_to(user).filter(pk=exercise.pk).exists():
            raise serializers.ValidationError("No such exercise in your library.")
        return exercise

    def validate(self, data):
        effort = data.get("effort_target", DEFAULT_EFFORT_TARGET)
        if effort > DEFAULT_EFFORT_TARGET and not data.get("confirm_high_effort"):
            raise serializers.ValidationError(
                {
                    "effort_target": "Above 6/10 goes beyond the source advice; "
                    "send confirm_high_effort: true to keep it."
                }
            )
        # A PATCH of the programme skips "required" checks all the way down, but a
        # level replaced through it is written whole, so it still needs its exercise.
        exercise = data.get("exercise")
        if exercise is None:
            raise serializers.ValidationError({"exercise": "This field is required."})
        data.setdefault("position", exercise.position)
        if exercise.kind != Kind.DYNAMIC:
            data.setdefault("hold_seconds", DEFAULT_HOLD_SECONDS)
        data["sets"], data["hold_seconds"], data["reps"] = fit_dose(
            kind=exercise.kind,
            sets=data.get("sets"),
            hold_seconds=data.get("hold_seconds"),
            reps=data.get("reps"),
        )
        data["sets"] = data["sets"] or DEFAULT_SETS
        missing = "reps" if exercise.kind == Kind.DYNAMIC else "hold_seconds"
        if not data[missing]:
            raise serializers.ValidationError({missing: "This level needs it for its exercise."})
        return data


class ProgrammeItemSerializer(serializers.ModelSerializer):
    levels = ProgrammeLevelSerializer(many=True, allow_empty=False)

    class Meta:
        model = Item
        fields = ["id", "order", "title", "levels"]
        read_only_fields = ["id", "order"]

    def validate(self, data):
        # Items sent in a PATCH replace the old ones whole, so each needs its ladder.
        if not data.get("levels"):
            raise serializers.ValidationError({"levels": "Each item needs at least one level."})
        return data


class ProgrammeSerializer(serializers.ModelSerializer):
    items = ProgrammeItemSerializer(many=True, required=False)
    archived = serializers.BooleanField(source="is_archived", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name", "description", "archived", "items", "created_at", "updated_at"]
        read_only_fields = ["id", "archived", "created_at", "updated_at"]

    @transaction.atomic
    def to_internal_value(self, data):
        # Each level's exercise is looked up and checked on its own as DRF validates it: a
        # programme holds a handful of levels, and the write happens once.
        with deliberate_loop("programmes.Exercise.get()"):
            return super().to_internal_value(data)

    def create(self, validated_data):
        items = validated_data.pop("items", [])
        programme = Programme.objects.create(**validated_data)
        self._write_items(programme, items)
        return programme

    @transaction.atomic
    def update(self, programme, validated_data):
        items = validated_data.pop("items", None)
        for field, value in validated_data.items():
            setattr(programme, field, value)
        programme.save()
        if items is not None:
            # Items are replaced as a whole: patients' copies are separate, so nothing is lost.
            programme.items.all().delete()
            self._write_items(programme, items)
        return programme

    def _write_items(self, programme, items):
        for item_order, item_data in enumerate(items):
            levels = item_data.pop("levels")
            item = Item.objects.create(programme=programme, order=item_order, **item_data)
            Level.objects.bulk_create(
                Level(
                    item=item,
                    order=level_order,
                    **{k: v for k, v in level.items() if k != "confirm_high_effort"},
                )
                for level_order, level in enumerate(levels, start=1)
            )
