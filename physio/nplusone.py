"""Marking a deliberate per-row query loop for django-zeal, the test suite's N+1 detector.

zeal is a development dependency: where it is not installed (production), the marker
does nothing.
"""

from contextlib import nullcontext

try:
    from zeal import zeal_ignore
except ImportError:  # pragma: no cover - production installs without dev dependencies
    zeal_ignore = None


def deliberate_loop(*relations: str):
    """`with deliberate_loop("patients.AssignmentItem.decisions"):` allows exactly those
    repeated look-ups inside the block, where the caller says why in a comment."""
    if zeal_ignore is None:
        return nullcontext()
    allowlist = []
    for relation in relations:
        model, _, field = relation.rpartition(".")
        allowlist.append({"model": model, "field": field})
    return zeal_ignore(allowlist)
