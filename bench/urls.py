"""Every URL of the app, plus two reference routes that only the benchmark serves.

They show what the session POST is up against: the same authentication, parsing and
validation of the same body, then nothing (the first) or a single INSERT in a
transaction (the second). Nothing the app serves links to them.
"""

from django.db import connection, transaction
from django.urls import path
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.api.serializers import SessionCreateSerializer
from physio.urls import urlpatterns as app_urlpatterns

# Made (and emptied) by bench/run.py; not one of the app's tables.
REFERENCE_TABLE = "bench_reference_write"


class ValidateOnly(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        incoming = SessionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return Response({"entries": len(incoming.validated_data["entries"])})


class ValidateAndInsert(ValidateOnly):
    def post(self, request):
        incoming = SessionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {REFERENCE_TABLE} (user_id, entries) VALUES (%s, %s) RETURNING id",
                [request.user.pk, len(incoming.validated_data["entries"])],
            )
            new_id = cursor.fetchone()[0]
        return Response({"id": new_id}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("bench/reference/validate/", ValidateOnly.as_view()),
    path("bench/reference/insert/", ValidateAndInsert.as_view()),
    *app_urlpatterns,
]
