"""Account endpoints of the API: tokens and "who am I"."""

from axes.handlers.proxy import AxesProxyHandler
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import api_examples as ex
from .lockout import locked_out_json


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


class LockedOutSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    retry_after_seconds = serializers.IntegerField()


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the API token of that account.

    Five failed attempts for one username from one address lock that pair out for
    15 minutes (429), even with the right password, as on the sign-in page.
    """

    @extend_schema(
        responses={200: AuthTokenSerializer, 429: LockedOutSerializer},
        examples=[
            ex.request("Sign in", ex.SIGN_IN),
            ex.response("Token", ex.TOKEN),
            OpenApiExample(
                "Locked out",
                value=ex.LOCKED_OUT,
                response_only=True,
                status_codes=["429"],
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        try:
            response = super().post(request, *args, **kwargs)
        except ValidationError:
            # Axes' backend refused before the password was checked, or this failure
            # reached the limit; it flags the DRF request, which its middleware never sees.
            if getattr(request, "axes_locked_out", False):
                return locked_out_json()
            raise
        # As on the sign-in page, a success clears this username's failures from this
        # address (and nobody else's); no session sign-in happens here to do it.
        AxesProxyHandler.reset_attempts(
            ip_address=request.axes_ip_address, username=request.data.get("username")
        )
        return response
