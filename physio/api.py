"""Account endpoints of the API: tokens and "who am I"."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from . import api_examples as ex


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
            ex.response("A clinician", ex.ME_CLINICIAN),
            ex.response("A patient", ex.ME_PATIENT),
        ],
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the API token of that account."""

    @extend_schema(
        examples=[ex.request("Sign in", ex.SIGN_IN), ex.response("Token", ex.TOKEN)],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
