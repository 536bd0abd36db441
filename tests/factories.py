import factory

from patients.models import Patient
from physio.models import Clinic, Role, User
from programmes.models import (
    BodyRegion,
    Equipment,
    Exercise,
    Item,
    Kind,
    Level,
    Position,
    Programme,
)


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    clinic = factory.SubFactory(ClinicFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class ClinicianFactory(UserFactory):
    role = Role.CLINICIAN


class PatientUserFactory(UserFactory):
    role = Role.PATIENT


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Clinic exercise {n}")
    instructions = "Lie on your back with knees bent and press gently into the floor."
    what_to_feel = "A light tension low in your tummy."
    kind = Kind.ISOMETRIC
    position = Position.SUPPORTED
    body_region = BodyRegion.TRUNK
    equipment = Equipment.MAT


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    description = "Early-stage trunk stability."


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    programme = factory.SubFactory(ProgrammeFactory)
    order = factory.Sequence(lambda n: n)


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level

    item = factory.SubFactory(ItemFactory)
    exercise = factory.SubFactory(
        ExerciseFactory, clinic=factory.SelfAttribute("..item.programme.clinic")
    )
    order = factory.Sequence(lambda n: n)
    position = Position.SUPPORTED
    sets = 3
    hold_seconds = 10
    rest_seconds = 30
    effort_target = 6


def programme_with_ladders(*, clinic, items=2, levels=3, name=None):
    """A programme whose ladders climb by hold time: 10 s, 20 s, 30 s …"""
    programme = ProgrammeFactory(clinic=clinic, **({"name": name} if name else {}))
    for item_number in range(items):
        item = ItemFactory(programme=programme, order=item_number)
        exercise = ExerciseFactory(clinic=clinic)
        for level_number in range(1, levels + 1):
            LevelFactory(
                item=item, exercise=exercise, order=level_number, hold_seconds=10 * level_number
            )
    return programme


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    clinician = factory.SubFactory(ClinicianFactory, clinic=factory.SelfAttribute("..clinic"))
    baseline_pain = 3
