import re

import pytest
from django.urls import reverse

from programmes.models import Exercise, Item, Level, Programme
from tests.factories import (
    ExerciseFactory,
    ItemFactory,
    LevelFactory,
    ProgrammeFactory,
    programme_with_ladders,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(clinician):
    return programme_with_ladders(clinic=clinician.clinic, name="Back stability")


def ladder_data(levels, *, title="Trunk", initial=0, prefix="levels", **extra):
    """POST data for the ladder editor: one dict of level fields per form."""
    data = {
        "title": title,
        f"{prefix}-TOTAL_FORMS": str(len(levels)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for index, fields in enumerate(levels):
        base = {
            "exercise": "Abdominal Curl (isometric)",
            "position": "",
            "sets": "3",
            "hold_seconds": "10",
            "reps": "",
            "rest_seconds": "30",
            "effort_target": "6",
            "resistance": "",
            "cues": "",
            "ORDER": str(index + 1),
        }
        base.update(fields)
        for key, value in base.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def builtin(name):
    return Exercise.objects.built_in().get(name=name)


class TestProgrammes:
    def test_create_programme_goes_to_builder(self, clinician_client, clinician):
        response = clinician_client.post(
            reverse("programmes:programme-create"), {"name": "Early back care", "description": ""}
        )
        programme = Programme.objects.get(name="Early back care")
        assert programme.clinic == clinician.clinic
        assert response.url == reverse("programmes:programme-detail", args=[programme.pk])

    def test_builder_shows_each_ladder_at_a_glance(self, clinician_client, programme):
        page = clinician_client.get(reverse("programmes:programme-detail", args=[programme.pk]))
        text = page.content.decode()
        assert "3 × 10 s → 3 × 20 s → 3 × 30 s" in text

    def test_add_item_with_three_levels(self, clinician_client, programme):
        url = reverse("programmes:item-create", args=[programme.pk])
        data = ladder_data(
            [
                {"exercise": "Abdominal Curl (isometric)", "hold_seconds": "10"},
                {"exercise": "Abdominal Curl (isometric)", "hold_seconds": "20"},
                {"exercise": "Seated Trunk Rotation (isometric)", "hold_seconds": "10"},
            ],
            title="Abdominals",
        )
        response = clinician_client.post(url, data)
        assert response.status_code == 302
        item = programme.items.get(title="Abdominals")
        levels = list(item.levels.order_by("order"))
        assert [lvl.order for lvl in levels] == [1, 2, 3]
        assert [lvl.hold_seconds for lvl in levels] == [10, 20, 10]
        # An empty position means "the exercise's own position".
        assert levels[2].position == "sitting"
        assert item.order == 2

    def test_new_item_form_starts_with_the_seed_dose(self, clinician_client, programme):
        response = clinician_client.get(reverse("programmes:item-create", args=[programme.pk]))
        form = response.context["formset"].forms[0]
        assert form["sets"].value() == 3
        assert form["hold_seconds"].value() == 10
        assert form["rest_seconds"].value() == 30
        assert form["effort_target"].value() == 6

    def test_add_level_keeps_typed_values_and_copies_the_last(self, clinician_client, programme):
        url = reverse("programmes:item-create", args=[programme.pk])
        data = ladder_data(
            [{"exercise": "Abdominal Curl (isometric)", "hold_seconds": "15", "cues": "Slow"}],
            title="Typed title",
            add_level="1",
        )
        response = clinician_client.post(url, data)
        assert response.status_code == 200
        forms = response.context["formset"].forms
        assert len(forms) == 2
        assert forms[1]["hold_seconds"].value() == "15"
        assert forms[1]["cues"].value() == "Slow"
        assert response.context["item_form"]["title"].value() == "Typed title"
        assert not Item.objects.filter(title="Typed title").exists()

    def test_reorder_and_remove_levels(self, clinician_client, programme):
        item = programme.items.first()
        levels = list(item.levels.select_related("exercise").order_by("order"))
        url = reverse("programmes:item-update", args=[programme.pk, item.pk])
        rows = [
            {
                "id": str(lvl.pk),
                "item": str(item.pk),
                "exercise": lvl.exercise.name,
                "hold_seconds": str(lvl.hold_seconds),
            }
            for lvl in levels
        ]
        rows[0]["ORDER"] = "3"  # 10 s moves to the top of the ladder
        rows[1]["DELETE"] = "on"  # 20 s goes
        rows[2]["ORDER"] = "1"
        response = clinician_client.post(url, ladder_data(rows, initial=3))
        assert response.status_code == 302
        assert list(item.levels.order_by("order").values_list("hold_seconds", "order")) == [
            (30, 1),
            (10, 2),
        ]

    def test_removing_every_level_is_refused(self, clinician_client, programme):
        item = programme.items.first()
        rows = [
            {"id": str(lvl.pk), "item": str(item.pk), "exercise": lvl.exercise.name, "DELETE": "on"}
            for lvl in item.levels.select_related("exercise")
        ]
        url = reverse("programmes:item-update", args=[programme.pk, item.pk])
        response = clinician_client.post(url, ladder_data(rows, initial=len(rows)))
        assert response.status_code == 200
        assert "at least one level" in str(response.context["formset"].non_form_errors())
        assert item.levels.count() == 3

    @pytest.mark.parametrize(
        "field, value, message",
        [
            ("hold_seconds", "0", "greater than or equal to 1"),
            ("hold_seconds", "121", "less than or equal to 120"),
            ("sets", "0", "greater than or equal to 1"),
            ("rest_seconds", "301", "less than or equal to 300"),
            ("effort_target", "11", "less than or equal to 10"),
            ("effort_target", "7", "beyond the source advice"),
            ("hold_seconds", "", "needs seconds per set"),
            ("exercise", "Moon walk", "is not in your library"),
        ],
    )
    def test_invalid_level_shows_a_clear_error(
        self, clinician_client, programme, field, value, message
    ):
        url = reverse("programmes:item-create", args=[programme.pk])
        response = clinician_client.post(
            url, ladder_data([{"exercise": "Abdominal Curl (isometric)", field: value}])
        )
        assert response.status_code == 200
        errors = response.context["formset"].forms[0].errors
        assert message in str(errors), errors
        assert programme.items.count() == 2

    def test_invalid_level_is_marked_at_its_field(self, clinician_client, programme):
        url = reverse("programmes:item-create", args=[programme.pk])
        response = clinician_client.post(url, ladder_data([{"hold_seconds": "121"}]))
        html = response.content.decode()
        field = "id_levels-0-hold_seconds"
        widget = re.search(rf'<input [^>]*id="{field}"[^>]*>', html).group()
        assert f'aria-describedby="{field}_helptext {field}_error"' in widget
        assert 'aria-invalid="true"' in widget
        assert 'class="form-control is-invalid"' in widget
        assert f'<div id="{field}_error" class="invalid-feedback">' in html
        assert "less than or equal to 120" in html
        assert f'<label for="{field}" class="form-label">' in html

    def test_failed_save_keeps_every_level_as_typed(self, clinician_client, programme):
        url = reverse("programmes:item-create", args=[programme.pk])
        levels = [
            {"position": "sitting", "cues": 'Slow & "steady" <3', "resistance": "light band"},
            {"hold_seconds": "121", "effort_target": "8", "confirm_high_effort": "on"},
        ]
        response = clinician_client.post(url, ladder_data(levels, title="Trunk"))
        assert response.status_code == 200
        html = response.content.decode()
        cards = html.split('class="card mb-3 level-card"')[1:]
        assert len(cards) == 2
        first, second = cards
        assert '<option value="sitting" selected>Sitting</option>' in first
        assert '<option value="" selected>Same as the exercise</option>' in second
        assert "\nSlow &amp; &quot;steady&quot; &lt;3</textarea>" in first
        assert 'name="levels-0-resistance" value="light band"' in first
        assert 'name="levels-1-hold_seconds" value="121"' in second
        assert 'name="levels-1-effort_target" value="8"' in second

        def confirm_box(card):
            return re.search(r'<input [^>]*-confirm_high_effort"[^>]*>', card).group()

        assert " checked" in confirm_box(second)
        assert " checked" not in confirm_box(first)
        # Only the wrong field is marked, and only in its own level.
        assert "is-invalid" not in first and "invalid-feedback" not in first
        assert second.count("is-invalid") == 1
        assert 'id="error_1_id_levels-1-hold_seconds"' in second

    def test_every_ladder_label_names_its_own_widget(self, clinician_client, programme):
        item = programme.items.first()
        response = clinician_client.get(
            reverse("programmes:item-update", args=[programme.pk, item.pk])
        )
        html = response.content.decode()
        labels = re.findall(r'<label for="([^"]+)"', html)
        widget_ids = re.findall(r'<(?:input|select|textarea) [^>]*\bid="([^"]+)"', html)
        assert len(labels) == 1 + 12 * item.levels.count()
        assert set(labels) <= set(widget_ids)
        assert len(widget_ids) == len(set(widget_ids))
        for described in re.findall(r'aria-describedby="([^"]+)"', html):
            for target in described.split():
                assert f'id="{target}"' in html

    def test_number_inputs_carry_the_models_floors(self, clinician_client, programme):
        item = programme.items.first()
        html = clinician_client.get(
            reverse("programmes:item-update", args=[programme.pk, item.pk])
        ).content.decode()

        def floor(name):
            tag = re.search(rf'<input [^>]*name="levels-0-{name}"[^>]*>', html).group()
            return re.search(r'\bmin="(\d+)"', tag).group(1)

        assert [floor(name) for name in ("sets", "hold_seconds", "reps")] == ["1", "1", "1"]
        assert [floor(name) for name in ("rest_seconds", "effort_target")] == ["0", "0"]

    def test_high_effort_is_allowed_when_confirmed(self, clinician_client, programme):
        url = reverse("programmes:item-create", args=[programme.pk])
        data = ladder_data(
            [
                {
                    "exercise": "Abdominal Curl (isometric)",
                    "effort_target": "7",
                    "confirm_high_effort": "on",
                }
            ]
        )
        assert clinician_client.post(url, data).status_code == 302
        assert Level.objects.filter(effort_target=7).exists()

    def test_dynamic_exercise_gets_two_sets_of_six_reps(self, clinician_client, programme):
        url = reverse("programmes:item-create", args=[programme.pk])
        response = clinician_client.post(
            url, ladder_data([{"exercise": "Angry Cat / Happy Cat"}], title="Mobility")
        )
        assert response.status_code == 302
        level = Level.objects.get(item__title="Mobility")
        assert (level.sets, level.reps, level.hold_seconds) == (2, 6, None)

    def test_another_clinics_exercise_cannot_be_picked(
        self, clinician_client, programme, other_clinic
    ):
        ExerciseFactory(clinic=other_clinic, name="Secret hold")
        url = reverse("programmes:item-create", args=[programme.pk])
        response = clinician_client.post(url, ladder_data([{"exercise": "Secret hold"}]))
        assert "is not in your library" in str(response.context["formset"].forms[0].errors)

    def test_move_item_up(self, clinician_client, programme):
        first, second = programme.items.order_by("order")
        clinician_client.post(
            reverse("programmes:item-move", args=[programme.pk, second.pk]), {"direction": "up"}
        )
        assert list(programme.items.order_by("order")) == [second, first]

    def test_remove_item_asks_first(self, clinician_client, programme):
        item = programme.items.first()
        url = reverse("programmes:item-delete", args=[programme.pk, item.pk])
        assert "cannot be undone" in clinician_client.get(url).content.decode()
        clinician_client.post(url)
        assert not Item.objects.filter(pk=item.pk).exists()

    def test_duplicate_copies_items_and_levels(self, clinician_client, programme):
        response = clinician_client.post(
            reverse("programmes:programme-duplicate", args=[programme.pk])
        )
        copy = Programme.objects.get(name="Back stability (copy)")
        assert response.url == reverse("programmes:programme-detail", args=[copy.pk])
        assert copy.items.count() == 2
        assert Level.objects.filter(item__programme=copy).count() == 6

    def test_archive_hides_from_list_and_restore_brings_back(self, clinician_client, programme):
        url = reverse("programmes:programme-archive", args=[programme.pk])
        assert "Archive" in clinician_client.get(url).content.decode()
        clinician_client.post(url)
        listed = clinician_client.get(reverse("programmes:programme-list"))
        assert programme not in listed.context["programmes"]
        with_archived = clinician_client.get(reverse("programmes:programme-list") + "?archived=on")
        assert programme in with_archived.context["programmes"]
        clinician_client.post(url, {"restore": "1"})
        programme.refresh_from_db()
        assert not programme.is_archived

    def test_list_search(self, clinician_client, programme, clinician):
        ProgrammeFactory(clinic=clinician.clinic, name="Neck routine")
        response = clinician_client.get(reverse("programmes:programme-list") + "?q=back")
        assert [p.name for p in response.context["programmes"]] == ["Back stability"]

    @pytest.mark.parametrize("rows", [3, 30])
    def test_list_query_count_is_constant(
        self, clinician_client, clinician, django_assert_num_queries, rows
    ):
        for _ in range(rows):
            item = ItemFactory(programme=ProgrammeFactory(clinic=clinician.clinic))
            LevelFactory(item=item)
        # session, user, count, page with item counts
        with django_assert_num_queries(4):
            response = clinician_client.get(reverse("programmes:programme-list"))
        assert response.status_code == 200

    @pytest.mark.parametrize("items", [1, 6])
    def test_builder_query_count_is_constant(
        self, clinician_client, clinician, django_assert_num_queries, items
    ):
        programme = programme_with_ladders(clinic=clinician.clinic, items=items, levels=4)
        # session, user, programme, items, levels with exercises
        with django_assert_num_queries(5):
            clinician_client.get(reverse("programmes:programme-detail", args=[programme.pk]))

    @pytest.mark.parametrize("levels", [1, 12])
    def test_ladder_editor_query_count_is_constant(
        self, clinician_client, clinician, django_assert_num_queries, levels
    ):
        programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=levels)
        item = programme.items.get()
        url = reverse("programmes:item-update", args=[programme.pk, item.pk])
        # session, user, the exercise catalogue, item with programme, levels with exercises
        with django_assert_num_queries(5):
            response = clinician_client.get(url)
        assert response.content.decode().count('class="card mb-3 level-card"') == levels


def programme_urls(programme):
    item = programme.items.first()
    return [
        ("get", reverse("programmes:programme-detail", args=[programme.pk])),
        ("get", reverse("programmes:programme-update", args=[programme.pk])),
        ("post", reverse("programmes:programme-update", args=[programme.pk])),
        ("post", reverse("programmes:programme-duplicate", args=[programme.pk])),
        ("get", reverse("programmes:programme-archive", args=[programme.pk])),
        ("post", reverse("programmes:programme-archive", args=[programme.pk])),
        ("get", reverse("programmes:item-create", args=[programme.pk])),
        ("post", reverse("programmes:item-create", args=[programme.pk])),
        ("get", reverse("programmes:item-update", args=[programme.pk, item.pk])),
        ("post", reverse("programmes:item-update", args=[programme.pk, item.pk])),
        ("get", reverse("programmes:item-delete", args=[programme.pk, item.pk])),
        ("post", reverse("programmes:item-delete", args=[programme.pk, item.pk])),
        ("post", reverse("programmes:item-move", args=[programme.pk, item.pk])),
    ]


def test_every_programme_url_is_404_for_another_clinic(login, outsider, programme):
    client = login(outsider)
    for method, url in programme_urls(programme):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert programme.items.count() == 2
    assert Programme.objects.filter(name="Back stability", archived_at=None).exists()


def test_every_programme_url_is_403_for_a_patient(login, patient, programme):
    client = login(patient)
    urls = [
        ("get", reverse("programmes:programme-list")),
        ("get", reverse("programmes:programme-create")),
        *programme_urls(programme),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_colleague_can_edit_the_clinics_programme(login, colleague, programme):
    response = login(colleague).get(reverse("programmes:programme-detail", args=[programme.pk]))
    assert response.status_code == 200


def test_tampered_management_form_is_not_a_crash(clinician_client, programme):
    url = reverse("programmes:item-create", args=[programme.pk])
    data = ladder_data([{"exercise": "Abdominal Curl (isometric)"}], add_level="1")
    data["levels-TOTAL_FORMS"] = "lots"
    assert clinician_client.post(url, data).status_code == 200
    del data["add_level"]
    assert clinician_client.post(url, data).status_code == 200


def test_exercise_catalogue_makes_the_instances_only_would(clinician):
    from programmes.forms import ExerciseCatalogue

    mine = ExerciseFactory(clinic=clinician.clinic, name="Wall sit (clinic)")
    catalogue = ExerciseCatalogue(clinician)
    fields = ExerciseCatalogue.FIELDS
    model_order = tuple(f.attname for f in Exercise._meta.concrete_fields if f.attname in fields)
    assert fields == model_order, "Model.from_db takes the values in the model's field order"
    expected = list(Exercise.objects.visible_to(clinician).only(*fields))
    assert [vars_of(e, fields) for e in catalogue.exercises] == [
        vars_of(e, fields) for e in expected
    ]
    assert catalogue.by_name["wall sit (clinic)"] == mine
    assert catalogue.by_id[mine.pk].get_deferred_fields() == expected[0].get_deferred_fields()
    assert catalogue.names_by_id[mine.pk] == "Wall sit (clinic)"


def vars_of(exercise, fields):
    return {name: getattr(exercise, name) for name in fields} | {"db": exercise._state.db}
