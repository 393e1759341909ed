"""What the matrix shows right after a change (issue: the first view after a change under a
second): the run of today's data when it is ready — computed by this process or prepared by the
worker — else the previous run, marked as being updated, while the worker prepares the next.

The reader side of :mod:`kamp.selection.tasks`: prepared → tasks → engine."""

from __future__ import annotations

from django.utils import timezone

from . import engine
from .models import PreparedRun, SelectionModel
from .tasks import prepare


def current(model: SelectionModel | None = None) -> tuple[engine.Run, bool]:
    """The run the matrix shows, and whether it is being updated: today's run when it is ready
    (computed by this process, or prepared by the worker); else, for a portfolio above
    :data:`kamp.selection.engine.INLINE_CUSTOMERS`, the previous run while the worker prepares
    the next — one pending task however many views ask (:func:`kamp.core.tasks.enqueue_once`).
    Only the very first run of a model is computed in the request."""
    model = model or engine.ensure_default_model()
    as_of = timezone.localdate()
    base, size = engine.fingerprint(model, as_of)
    key = base + ":1"
    hit = engine.cached(model, [key])
    if hit is not None:
        return hit, False
    if size > engine.INLINE_CUSTOMERS:
        hit = engine.load_prepared(model, key)
        if hit is not None:
            return hit, False
        previous = _previous(model)
        if previous is not None:
            prepare()
            return previous, True
    return engine.run_with(model, as_of, base, size, True), False


def _previous(model: SelectionModel) -> engine.Run | None:
    """The latest run of ``model`` this process holds, else the one stored (whatever its data)."""
    for r in engine.held():
        if r.model.pk == model.pk and r.robustness is not None:
            return r
    blob = PreparedRun.objects.filter(model=model).values_list("version", "data").first()
    if blob is None:
        return None
    previous = engine.loads(bytes(blob[1]))
    if previous is None:  # stored by an older kamp
        return None
    previous.model = model
    engine.remember(blob[0], previous)
    return previous
