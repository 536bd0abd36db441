"""Login lockout (django-axes): who a client is, and what a locked-out client is told."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def client_ip(request) -> str | None:
    """The client's address for counting failed logins.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it saw to
    X-Forwarded-For, so the entry that many places from the right is the one
    our own first proxy recorded. Anything further left came from the client
    and could be forged to dodge the lockout, so it is never read.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def cool_off_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def locked_out_message() -> str:
    minutes = cool_off_minutes()
    return ngettext(
        "Too many failed sign-in attempts for this account from your network. "
        "It is locked for %(minutes)d minute; please try again after that.",
        "Too many failed sign-in attempts for this account from your network. "
        "It is locked for %(minutes)d minutes; please try again after that.",
        minutes,
    ) % {"minutes": minutes}


def locked_out_json():
    return JsonResponse(
        {
            "detail": locked_out_message(),
            "code": "locked_out",
            "retry_after_seconds": int(settings.AXES_COOLOFF_TIME.total_seconds()),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
        headers={"Retry-After": str(int(settings.AXES_COOLOFF_TIME.total_seconds()))},
    )


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a polite page for people, JSON for API clients."""
    if request.path.startswith("/api/"):
        return locked_out_json()
    response = render(
        request,
        "registration/locked_out.html",
        {
            "minutes": cool_off_minutes(),
            "title": _("Sign-in paused"),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
