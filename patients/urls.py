from django.urls import path

from . import record_views, views

app_name = "patients"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/<slug:kind>/", views.AttentionListView.as_view(), name="attention-list"),
    path("me/", views.PortalView.as_view(), name="portal"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/<int:pk>/acknowledge/", views.AlertAcknowledgeView.as_view(), name="alert-ack"),
    path("me/print/", views.MyProgrammePrintView.as_view(), name="my-print"),
    path("me/session/", views.SessionLogView.as_view(), name="session-log"),
    path("me/sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session-detail"),
    path("me/sessions/<int:pk>/check-in/", views.CheckInView.as_view(), name="check-in"),
    path("me/psfs/", views.PsfsView.as_view(), name="psfs"),
    path("me/history/", views.HistoryView.as_view(), name="history"),
    path("me/export/", record_views.MyExportView.as_view(), name="my-export"),
    path("invite/<str:token>/", views.AcceptInvitationView.as_view(), name="accept-invitation"),
    path("patients/", views.PatientListView.as_view(), name="patient-list"),
    path("patients/new/", views.PatientCreateView.as_view(), name="patient-create"),
    path("patients/<int:pk>/", views.PatientDetailView.as_view(), name="patient-detail"),
    path("patients/<int:pk>/edit/", views.PatientUpdateView.as_view(), name="patient-update"),
    path("patients/<int:pk>/archive/", views.PatientArchiveView.as_view(), name="patient-archive"),
    path(
        "patients/<int:pk>/invitation/",
        views.InvitationReissueView.as_view(),
        name="invitation-reissue",
    ),
    path("patients/<int:pk>/assign/", views.AssignProgrammeView.as_view(), name="assign"),
    path("patients/<int:pk>/print/", views.PrintProgrammeView.as_view(), name="print"),
    path(
        "patients/<int:pk>/changes/",
        record_views.PatientChangesView.as_view(),
        name="patient-changes",
    ),
    path(
        "patients/<int:pk>/sessions/",
        record_views.PatientSessionsView.as_view(),
        name="patient-sessions",
    ),
    path(
        "patients/<int:pk>/programmes/",
        record_views.PatientProgrammesView.as_view(),
        name="patient-programmes",
    ),
    path(
        "patients/<int:pk>/decisions/",
        record_views.PatientDecisionsView.as_view(),
        name="patient-decisions",
    ),
    path("patients/<int:pk>/export/", record_views.PatientExportView.as_view(), name="export"),
    path("patients/<int:pk>/erase/", record_views.PatientEraseView.as_view(), name="erase"),
    path(
        "patients/<int:pk>/assignments/<int:assignment_pk>/status/",
        views.AssignmentStatusView.as_view(),
        name="assignment-status",
    ),
    path(
        "patients/<int:pk>/assignments/<int:assignment_pk>/items/<int:item_pk>/",
        views.AssignmentItemLadderView.as_view(),
        name="assignment-item",
    ),
    path(
        "patients/<int:pk>/assignments/<int:assignment_pk>/items/<int:item_pk>/<str:action>/",
        views.ItemDecisionView.as_view(),
        name="item-decision",
    ),
]
