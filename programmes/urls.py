from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("library/", views.ExerciseListView.as_view(), name="exercise-list"),
    path("library/new/", views.ExerciseCreateView.as_view(), name="exercise-create"),
    path("library/<int:pk>/", views.ExerciseDetailView.as_view(), name="exercise-detail"),
    path("library/<int:pk>/edit/", views.ExerciseUpdateView.as_view(), name="exercise-update"),
    path("library/<int:pk>/delete/", views.ExerciseDeleteView.as_view(), name="exercise-delete"),
    path(
        "library/<int:pk>/duplicate/",
        views.ExerciseDuplicateView.as_view(),
        name="exercise-duplicate",
    ),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme-list"),
    path("programmes/new/", views.ProgrammeCreateView.as_view(), name="programme-create"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("programmes/<int:pk>/edit/", views.ProgrammeUpdateView.as_view(), name="programme-update"),
    path(
        "programmes/<int:pk>/duplicate/",
        views.ProgrammeDuplicateView.as_view(),
        name="programme-duplicate",
    ),
    path(
        "programmes/<int:pk>/archive/",
        views.ProgrammeArchiveView.as_view(),
        name="programme-archive",
    ),
    path("programmes/<int:pk>/items/new/", views.ItemLadderView.as_view(), name="item-create"),
    path(
        "programmes/<int:pk>/items/<int:item_pk>/",
        views.ItemLadderView.as_view(),
        name="item-update",
    ),
    path(
        "programmes/<int:pk>/items/<int:item_pk>/delete/",
        views.ItemDeleteView.as_view(),
        name="item-delete",
    ),
    path(
        "programmes/<int:pk>/items/<int:item_pk>/move/",
        views.ItemMoveView.as_view(),
        name="item-move",
    ),
]
