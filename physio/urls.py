from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from patients.api import fhir as fhir_api
from patients.api import views as patient_api
from programmes.api import views as programme_api

from . import api, views

router = DefaultRouter()
router.register("exercises", patient_api.ExerciseViewSet, basename="exercise")
router.register("programmes", programme_api.ProgrammeViewSet, basename="programme")
router.register("patients", patient_api.PatientViewSet, basename="patient")
router.register("assignments", patient_api.AssignmentViewSet, basename="assignment")
router.register("sessions", patient_api.SessionViewSet, basename="session")
router.register("check-ins", patient_api.CheckInViewSet, basename="check-in")
router.register("decisions", patient_api.DecisionViewSet, basename="decision")

api_v1 = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("me/", api.MeView.as_view(), name="me"),
    path("fhir/Patient/<str:id>", fhir_api.PatientRead.as_view(), name="fhir-patient"),
    path("fhir/CarePlan/<str:id>", fhir_api.CarePlanRead.as_view(), name="fhir-careplan"),
    path("fhir/Observation", fhir_api.ObservationSearch.as_view(), name="fhir-observation"),
    path(
        "fhir/Observation/<str:id>",
        fhir_api.ObservationRead.as_view(),
        name="fhir-observation-read",
    ),
    *router.urls,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("settings/webhooks/", views.WebhookListView.as_view(), name="webhook-list"),
    path("settings/webhooks/new/", views.WebhookCreateView.as_view(), name="webhook-create"),
    path("settings/webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path(
        "settings/webhooks/<int:pk>/edit/", views.WebhookUpdateView.as_view(), name="webhook-edit"
    ),
    path(
        "settings/webhooks/<int:pk>/delete/",
        views.WebhookDeleteView.as_view(),
        name="webhook-delete",
    ),
    path(
        "settings/webhooks/<int:pk>/<slug:action>/",
        views.WebhookActionView.as_view(),
        name="webhook-action",
    ),
    path("", include("programmes.urls")),
    path("", include("patients.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), so the
    # Content-Security-Policy needs no inline script.
    path(
        "api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"
    ),
]

if settings.DEBUG:
    # Uploaded exercise pictures; production serves MEDIA_ROOT from the web server.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
