"""Bounds on what one API request may ask of the server (OWASP API4)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def exception_handler(exc, context):
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE as a SuspiciousOperation,
    # which DRF leaves to Django's HTML 400 page; an API client gets JSON instead.
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(
            _("The request body is too large: the most this API accepts is %(limit)d bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    return drf_exception_handler(exc, context)


class CappedPageNumberPagination(PageNumberPagination):
    """`?page_size=` up to a cap; larger values are served at the cap, not refused."""

    page_size_query_param = "page_size"
    max_page_size = 100
