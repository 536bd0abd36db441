import pytest
from django.urls import reverse

from programmes.models import Exercise, Kind, Position
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db

SEED_EXERCISES = [
    "Angry Cat / Happy Cat",
    "Seated Trunk Rotation (isometric)",
    "Seated Trunk Rotation (cable)",
    "Abdominal Curl (isometric)",
]


@pytest.fixture
def own_exercise(clinician):
    return ExerciseFactory(clinic=clinician.clinic, name="Towel squeeze hold")


@pytest.fixture
def built_in():
    return Exercise.objects.built_in().get(name="Abdominal Curl (isometric)")


def list_url(**params):
    url = reverse("programmes:exercise-list")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def listed_names(response):
    return [exercise.name for exercise in response.context["exercises"]]


class TestBuiltInLibrary:
    def test_seed_article_exercises_are_built_in(self):
        names = set(Exercise.objects.built_in().values_list("name", flat=True))
        assert set(SEED_EXERCISES) <= names

    def test_at_least_twenty_built_ins(self):
        assert Exercise.objects.built_in().count() >= 20

    def test_every_position_has_an_isometric_hold_for_a_full_ladder(self):
        isometric_positions = set(
            Exercise.objects.built_in()
            .filter(kind=Kind.ISOMETRIC)
            .values_list("position", flat=True)
        )
        assert isometric_positions == set(Position.values)

    def test_dynamic_exercises_exist_to_end_a_ladder(self):
        dynamic_positions = set(
            Exercise.objects.built_in().filter(kind=Kind.DYNAMIC).values_list("position", flat=True)
        )
        assert len(dynamic_positions) >= 3

    def test_built_ins_have_patient_facing_text(self):
        for exercise in Exercise.objects.built_in():
            assert len(exercise.instructions) > 40, exercise.name
            assert exercise.what_to_feel, exercise.name
            assert exercise.breathing_cue, exercise.name


class TestWhoSeesWhat:
    def test_clinician_sees_built_ins_and_own_clinic(self, clinician_client, own_exercise):
        response = clinician_client.get(list_url(q="Towel"))
        assert listed_names(response) == ["Towel squeeze hold"]
        response = clinician_client.get(list_url(q="Abdominal Curl"))
        assert "Abdominal Curl (isometric)" in listed_names(response)

    def test_colleague_sees_the_clinics_exercise(self, login, colleague, own_exercise):
        response = login(colleague).get(
            reverse("programmes:exercise-detail", args=[own_exercise.pk])
        )
        assert response.status_code == 200

    def test_other_clinics_exercise_is_not_listed(self, login, outsider, own_exercise):
        response = login(outsider).get(list_url(q="Towel"))
        assert listed_names(response) == []

    @pytest.mark.parametrize(
        "route, method",
        [
            ("programmes:exercise-detail", "get"),
            ("programmes:exercise-update", "get"),
            ("programmes:exercise-update", "post"),
            ("programmes:exercise-delete", "get"),
            ("programmes:exercise-delete", "post"),
            ("programmes:exercise-duplicate", "post"),
        ],
    )
    def test_other_clinic_gets_404(self, login, outsider, own_exercise, route, method):
        response = getattr(login(outsider), method)(reverse(route, args=[own_exercise.pk]))
        assert response.status_code == 404
        assert Exercise.objects.filter(pk=own_exercise.pk, name="Towel squeeze hold").exists()

    @pytest.mark.parametrize(
        "route, needs_pk",
        [
            ("programmes:exercise-list", False),
            ("programmes:exercise-create", False),
            ("programmes:exercise-detail", True),
            ("programmes:exercise-update", True),
            ("programmes:exercise-delete", True),
        ],
    )
    def test_patient_gets_403_on_library_pages(self, login, patient, own_exercise, route, needs_pk):
        args = [own_exercise.pk] if needs_pk else []
        assert login(patient).get(reverse(route, args=args)).status_code == 403

    def test_patient_cannot_duplicate(self, login, patient, own_exercise):
        url = reverse("programmes:exercise-duplicate", args=[own_exercise.pk])
        assert login(patient).post(url).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(list_url())
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    @pytest.mark.parametrize("route", ["programmes:exercise-update", "programmes:exercise-delete"])
    def test_built_in_is_read_only(self, clinician_client, built_in, route):
        assert clinician_client.get(reverse(route, args=[built_in.pk])).status_code == 403
        assert clinician_client.post(reverse(route, args=[built_in.pk])).status_code == 403
        assert Exercise.objects.filter(pk=built_in.pk).exists()


class TestSearchAndFilters:
    def test_search_matches_name_and_instructions(self, clinician_client, own_exercise):
        assert "Towel squeeze hold" in listed_names(clinician_client.get(list_url(q="towel")))
        hits = listed_names(clinician_client.get(list_url(q="press+gently+into+the+floor")))
        assert "Towel squeeze hold" in hits

    @pytest.mark.parametrize(
        "field, value",
        [
            ("kind", "dynamic"),
            ("position", "task_specific"),
            ("body_region", "hips"),
            ("equipment", "band"),
        ],
    )
    def test_filter_keeps_only_matching_exercises(self, clinician_client, field, value):
        response = clinician_client.get(list_url(**{field: value}))
        exercises = response.context["paginator"].object_list
        assert exercises.exists()
        assert all(getattr(exercise, field) == value for exercise in exercises)

    def test_source_filter_separates_own_from_built_in(self, clinician_client, own_exercise):
        own = clinician_client.get(list_url(source="clinic"))
        assert listed_names(own) == ["Towel squeeze hold"]
        built = clinician_client.get(list_url(source="built_in"))
        assert "Towel squeeze hold" not in [e.name for e in built.context["paginator"].object_list]

    def test_unknown_filter_value_is_a_form_error_not_a_crash(self, clinician_client):
        response = clinician_client.get(list_url(kind="flying"))
        assert response.status_code == 200
        assert "kind" in response.context["filter"].form.errors

    def test_empty_result_says_so(self, clinician_client):
        response = clinician_client.get(list_url(q="zzzz-no-such-exercise"))
        assert "No exercise matches these filters." in response.content.decode()

    def test_list_is_paginated(self, clinician_client):
        response = clinician_client.get(list_url())
        assert response.context["is_paginated"]
        assert len(response.context["exercises"]) == 20
        second = clinician_client.get(list_url(page=2))
        assert second.status_code == 200
        assert set(listed_names(second)).isdisjoint(listed_names(response))

    @pytest.mark.parametrize("extra_rows", [5, 50])
    def test_list_query_count_is_constant(
        self, clinician_client, clinician, django_assert_num_queries, extra_rows
    ):
        ExerciseFactory.create_batch(extra_rows, clinic=clinician.clinic)
        # session, user, count, page of rows
        with django_assert_num_queries(4):
            response = clinician_client.get(list_url(source="clinic"))
        assert response.status_code == 200


class TestOwnExercises:
    def form_data(self, **overrides):
        return {
            "name": "Kneeling hip flexor hold",
            "kind": "isometric",
            "position": "supported",
            "body_region": "hips",
            "equipment": "mat",
            "instructions": (
                "Kneel on one knee and tuck your tail under until the front of the hip "
                "is gently stretched."
            ),
            "what_to_feel": "A light stretch at the front of the hip of the kneeling leg.",
            "breathing_cue": "Breathe slowly; keep your ribs soft.",
            **overrides,
        }

    def test_create_puts_exercise_in_own_clinic(self, clinician_client, clinician):
        response = clinician_client.post(reverse("programmes:exercise-create"), self.form_data())
        exercise = Exercise.objects.get(name="Kneeling hip flexor hold")
        assert response.status_code == 302
        assert response.url == reverse("programmes:exercise-detail", args=[exercise.pk])
        assert exercise.clinic == clinician.clinic
        assert exercise.created_by == clinician

    def test_create_with_missing_fields_shows_errors_and_keeps_input(self, clinician_client):
        response = clinician_client.post(
            reverse("programmes:exercise-create"), self.form_data(instructions="", kind="")
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == {"instructions", "kind"}
        assert "Kneeling hip flexor hold" in response.content.decode()
        assert not Exercise.objects.filter(name="Kneeling hip flexor hold").exists()

    def test_duplicate_name_in_clinic_is_refused(self, clinician_client, own_exercise):
        response = clinician_client.post(
            reverse("programmes:exercise-create"), self.form_data(name="towel squeeze HOLD")
        )
        assert response.status_code == 200
        assert "already has an exercise called" in str(response.context["form"].errors["name"])

    def test_another_clinic_may_reuse_a_name(self, login, outsider, own_exercise):
        response = login(outsider).post(
            reverse("programmes:exercise-create"), self.form_data(name="Towel squeeze hold")
        )
        assert response.status_code == 302
        assert Exercise.objects.filter(name="Towel squeeze hold").count() == 2

    def test_edit_saves_changes(self, clinician_client, own_exercise):
        url = reverse("programmes:exercise-update", args=[own_exercise.pk])
        response = clinician_client.post(url, self.form_data(name="Towel squeeze (long hold)"))
        assert response.status_code == 302
        own_exercise.refresh_from_db()
        assert own_exercise.name == "Towel squeeze (long hold)"

    def test_delete_asks_first_then_deletes(self, clinician_client, own_exercise):
        url = reverse("programmes:exercise-delete", args=[own_exercise.pk])
        confirm = clinician_client.get(url)
        assert "cannot be undone" in confirm.content.decode()
        assert Exercise.objects.filter(pk=own_exercise.pk).exists()
        clinician_client.post(url)
        assert not Exercise.objects.filter(pk=own_exercise.pk).exists()

    def test_duplicating_a_built_in_makes_an_editable_copy(
        self, clinician_client, clinician, built_in
    ):
        response = clinician_client.post(
            reverse("programmes:exercise-duplicate", args=[built_in.pk])
        )
        copy = Exercise.objects.get(clinic=clinician.clinic, based_on=built_in)
        assert response.url == reverse("programmes:exercise-update", args=[copy.pk])
        assert copy.name == "Abdominal Curl (isometric) (copy)"
        assert copy.instructions == built_in.instructions
        built_in.refresh_from_db()
        assert built_in.clinic is None

    def test_second_duplicate_gets_a_fresh_name(self, clinician_client, clinician, built_in):
        url = reverse("programmes:exercise-duplicate", args=[built_in.pk])
        clinician_client.post(url)
        clinician_client.post(url)
        names = sorted(
            Exercise.objects.filter(clinic=clinician.clinic).values_list("name", flat=True)
        )
        assert names == [
            "Abdominal Curl (isometric) (copy 2)",
            "Abdominal Curl (isometric) (copy)",
        ]

    def test_duplicate_needs_post(self, clinician_client, built_in):
        url = reverse("programmes:exercise-duplicate", args=[built_in.pk])
        assert clinician_client.get(url).status_code == 405
