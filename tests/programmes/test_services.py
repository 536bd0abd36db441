import pytest

from programmes.models import Exercise, Programme
from programmes.services import copy_name, duplicate_exercise, duplicate_programme
from tests.factories import ExerciseFactory, programme_with_ladders


def test_a_copy_name_keeps_its_suffix_within_the_field():
    assert copy_name("Bridge", max_length=120) == "Bridge (copy)"
    long = copy_name("x" * 150, max_length=150)
    assert len(long) == 150 and long.endswith("x (copy)")
    assert copy_name("x" * 150, max_length=150, number=12).endswith("(copy 12)")


@pytest.mark.django_db
def test_copies_of_names_at_full_length_are_saved(clinician):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=1, name="p" * 150)
    copy = duplicate_programme(programme=programme, user=clinician)
    assert len(copy.name) == Programme._meta.get_field("name").max_length
    exercise = ExerciseFactory(clinic=clinician.clinic, name="e" * 120)
    first = duplicate_exercise(exercise=exercise, user=clinician)
    second = duplicate_exercise(exercise=exercise, user=clinician)
    assert first.name.endswith("(copy)") and second.name.endswith("(copy 2)")
    assert {len(first.name), len(second.name)} == {Exercise._meta.get_field("name").max_length}
