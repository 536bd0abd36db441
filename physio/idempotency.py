"""`Idempotency-Key` for API POSTs: a replay returns the first response and creates nothing.

Answers are kept at least 24 hours: `manage.py purge_idempotency_keys`, run daily,
deletes older ones, after which a key counts as new.

The request runs in one transaction that ends by storing its response under the key.
Two requests with one key cannot both store it: the unique constraint makes the second
wait for the first to commit, then fail, which rolls back everything it did; it answers
with the first response instead (or 409 if its body differs). A replay that fails for
another reason answers the same way. So a key costs one insert on the way out, and a
look-up only when something went wrong.
"""

import hashlib
import json
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .models import IdempotencyRecord

KEY_HEADER = "HTTP_IDEMPOTENCY_KEY"
LIFETIME = timedelta(hours=24)


def body_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(handler):
    """Decorate a viewset's `create`."""

    def wrapper(view, request, *args, **kwargs):
        key = request.META.get(KEY_HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 255:
            return Response(
                {"detail": _("Idempotency-Key is too long (255 characters at most).")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        digest = body_hash(request.data)
        request.idempotency_digest = digest
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                # Errors raised as exceptions roll back and keep nothing; a 5xx is not
                # kept either, so a retry runs for real.
                if response.status_code < 500:
                    IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        path=request.path,
                        body_hash=digest,
                        status_code=response.status_code,
                        response_body=response.data,
                    )
            return response
        except Exception:
            # A replay may fail where the first request succeeded (the session's programme
            # was finished since, the check-in is now taken), or collide with the first
            # request's record at the end: either way the stored answer wins. With no
            # stored answer, the error is the request's own.
            replay = _replay(request, key, digest)
            if replay is None:
                raise
            return replay

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


def _replay(request, key, digest):
    """The stored answer for a key that is already taken, or None when no record
    explains the integrity error (it came from something else, and is re-raised)."""
    record = IdempotencyRecord.objects.filter(user=request.user, key=key, path=request.path).first()
    if record is None:
        return None
    if record.body_hash != digest:
        return Response(
            {"detail": _("This Idempotency-Key was already used with a different body.")},
            status=status.HTTP_409_CONFLICT,
        )
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replay"] = "true"
    return response


def purge_expired(now=None) -> int:
    """Delete records past their lifetime (`manage.py purge_idempotency_keys`)."""
    now = now or timezone.now()
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=now - LIFETIME).delete()
    return deleted
