from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Exercise, Item, Level, Programme

COPIED_FIELDS = [
    "instructions",
    "what_to_feel",
    "breathing_cue",
    "kind",
    "body_region",
    "position",
    "equipment",
    "image",
]


def copy_name(name: str, *, max_length: int, number: int = 1) -> str:
    """"Name (copy)", shortening the original so the suffix always fits the field."""
    if number == 1:
        template, extra = _("%(name)s (copy)"), {}
    else:
        template, extra = _("%(name)s (copy %(number)s)"), {"number": number}
    room = max_length - len(template % {"name": "", **extra})
    return template % {"name": name[:room].rstrip(), **extra}


def free_copy_name(*, clinic, name: str) -> str:
    """A name for a copy that does not clash with the clinic's own exercises."""
    taken = {
        n.lower() for n in Exercise.objects.filter(clinic=clinic).values_list("name", flat=True)
    }
    max_length = Exercise._meta.get_field("name").max_length
    number = 1
    candidate = copy_name(name, max_length=max_length)
    while candidate.lower() in taken:
        number += 1
        candidate = copy_name(name, max_length=max_length, number=number)
    return candidate


@transaction.atomic
def duplicate_exercise(*, exercise: Exercise, user) -> Exercise:
    """Copy a library entry (built-in or the clinic's own) into an editable clinic exercise."""
    copy = Exercise(
        clinic=user.clinic,
        name=free_copy_name(clinic=user.clinic, name=exercise.name),
        based_on=exercise,
        created_by=user,
        **{field: getattr(exercise, field) for field in COPIED_FIELDS},
    )
    copy.save()
    return copy


LEVEL_FIELDS = [
    "exercise_id",
    "position",
    "sets",
    "hold_seconds",
    "reps",
    "rest_seconds",
    "effort_target",
    "resistance",
    "cues",
]


def copy_level_fields(level) -> dict:
    return {field: getattr(level, field) for field in LEVEL_FIELDS}


@transaction.atomic
def save_ladder(*, item, formset) -> None:
    """Save an item's levels from a valid ladder formset, numbered 1, 2, 3 … in order."""
    item.save()
    for form in formset.deleted_forms:
        if form.instance.pk:
            form.instance.delete()
    for order, form in enumerate(formset.ordered_forms_to_keep(), start=1):
        level = form.save(commit=False)
        setattr(level, formset.fk.name, item)
        level.order = order
        level.save()


def next_item_order(programme) -> int:
    last = programme.items.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


@transaction.atomic
def move_item(*, item, siblings, step: int) -> None:
    """Swap an item with its neighbour above (step -1) or below (+1)."""
    ordered = list(siblings.order_by("order", "id"))
    index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for order, other in enumerate(ordered):
        if other.order != order:
            other.order = order
            other.save(update_fields=["order"])


@transaction.atomic
def duplicate_programme(*, programme: Programme, user) -> Programme:
    copy = Programme.objects.create(
        clinic=programme.clinic,
        name=copy_name(programme.name, max_length=Programme._meta.get_field("name").max_length),
        description=programme.description,
        created_by=user,
    )
    for item in programme.items.prefetch_related("levels"):
        new_item = Item.objects.create(programme=copy, order=item.order, title=item.title)
        Level.objects.bulk_create(
            Level(item=new_item, order=level.order, **copy_level_fields(level))
            for level in item.levels.all()
        )
    return copy


def set_archived(*, programme: Programme, archived: bool) -> None:
    programme.archived_at = timezone.now() if archived else None
    programme.save(update_fields=["archived_at", "updated_at"])
