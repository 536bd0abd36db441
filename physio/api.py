"""Account endpoints of the API: tokens and "who am I"."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView


class ClinicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.CharField()
    clinic = ClinicSerializer(allow_null=True)


class MeView(APIView):
    @extend_schema(
        responses=MeSerializer,
        examples=[
            OpenApiExample(
                "A clinician",
                value={
                    "id": 3,
                    "username": "demo-clinician",
                    "first_name": "Alex",
                    "last_name": "Morgan",
                    "role": "clinician",
                    "clinic": {"id": 1, "name": "Riverside Physiotherapy (demo)"},
                },
            )
        ],
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the API token of that account."""

    @extend_schema(
        examples=[
            OpenApiExample(
                "Sign in",
                value={"username": "demo-clinician", "password": "isohold-demo-2026"},
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
            ),
        ]
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
