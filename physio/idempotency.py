"""`Idempotency-Key` for API POSTs: a replay returns the first response and creates nothing.

The first request with a key claims it by inserting a row (the unique constraint makes
two concurrent claims impossible), runs, and stores its response. A replay with the same
body gets that response; the same key with another body is a 409.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from .models import IdempotencyRecord
from .nplusone import deliberate_loop

KEY_HEADER = "HTTP_IDEMPOTENCY_KEY"
LIFETIME = timedelta(hours=24)
WAIT_FOR_FIRST = 50  # tries of 0.1 s for a concurrent first request to finish


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
                {"detail": "Idempotency-Key is too long (255 characters at most)."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        digest = body_hash(request.data)
        IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - LIFETIME).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user, key=key, path=request.path, body_hash=digest
                )
        except IntegrityError:
            return _replay(request, key, digest)
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception:
            record.delete()  # let a retry run for real
            raise
        if response.status_code >= 500:
            record.delete()
        else:
            record.status_code = response.status_code
            record.response_body = response.data
            record.save(update_fields=["status_code", "response_body"])
        return response

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


def _replay(request, key, digest):
    import time

    for _ in range(WAIT_FOR_FIRST):
        # Polling one row while the first request finishes: a wait, not a loop over rows.
        with deliberate_loop("physio.IdempotencyRecord.get()"):
            record = IdempotencyRecord.objects.get(user=request.user, key=key, path=request.path)
        if record.body_hash != digest:
            return Response(
                {"detail": "This Idempotency-Key was already used with a different body."},
                status=status.HTTP_409_CONFLICT,
            )
        if record.status_code is not None:
            response = Response(record.response_body, status=record.status_code)
            response["Idempotent-Replay"] = "true"
            return response
        time.sleep(0.1)
    return Response(
        {"detail": "The first request with this Idempotency-Key is still running; retry."},
        status=status.HTTP_409_CONFLICT,
    )
