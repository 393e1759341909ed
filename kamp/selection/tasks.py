"""Background work of selection: the next scoring run of the active model, prepared by the
``kamp worker`` process after a change, so that the matrix's first view after an assessment, an
import or a new day does not rescore the portfolio in the request.

One task for the kind of work (:func:`prepare_run`, no arguments): it scores the data as they
are when it runs, so one pending task absorbs every later change and page view
(:func:`kamp.core.tasks.enqueue_once`), and does nothing when the stored run is already current."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kamp.core.counting import count_up_to
from kamp.core.tasks import after_commit_once, enqueue_once


@task()
def prepare_run() -> bool:
    """Score the active model's portfolio for today and store the run; returns whether it had
    to (False when a run of these very data is already stored)."""
    from . import engine
    from .models import PreparedRun

    model = engine.ensure_default_model()
    key = engine.version(model, timezone.localdate()) + ":1"
    if PreparedRun.objects.filter(model=model, version=key).exists():
        return False
    result = engine.compute(model, timezone.localdate(), with_robustness=True)
    engine.store(result, key)
    return True


def prepare() -> None:
    """Have the worker prepare the next run (at most one pending task)."""
    enqueue_once(prepare_run)


def after_change(sender, instance, created, **kwargs) -> None:
    """Connected to every audit event saved: every change in kamp writes one. Small portfolios
    are scored in the request in well under a second: the worker is asked only above
    :data:`kamp.selection.engine.INLINE_CUSTOMERS` customers (one count, once per transaction)."""
    if created and getattr(settings, "KAMP_PREPARE_AFTER_CHANGES", False):
        after_commit_once(_prepare_if_large)


def _prepare_if_large() -> None:
    from kamp.customers.models import Customer

    from . import engine

    if count_up_to(Customer.objects.all(), engine.INLINE_CUSTOMERS + 1) > engine.INLINE_CUSTOMERS:
        prepare()


# --- The reciprocity ledger kept current ------------------------------------------------------

# Changes to these kinds of objects are evidence the ledger reads (kamp.selection.ledger).
EVIDENCE_AREAS = ("relationships.", "plans.", "interactions.")


def stale_reciprocity():
    """The customers with a ledger whose stored score is not from today (or was marked stale).
    Customers without one keep their typed assessments: no ledger is started for them here."""
    from django.db.models import Q

    from kamp.customers.models import Customer

    today = timezone.localdate()
    return Customer.objects.filter(
        Q(reciprocity_ledger__computed_on__isnull=True)
        | Q(reciprocity_ledger__computed_on__lt=today),
        reciprocity_ledger__isnull=False,
    )


@task()
def refresh_reciprocity() -> int:
    """Recompute every stale reciprocity score (a drop then shows as an alert); returns how many
    accounts were recomputed."""
    from . import reciprocity_actions

    done = 0
    for customer in stale_reciprocity().order_by("pk").iterator():
        reciprocity_actions.refresh(None, customer)
        done += 1
    return done


def mark_reciprocity_stale(sender, instance, created, **kwargs) -> None:
    """Connected to every audit event saved: a change to an account's survey answers, plan or
    interactions has its reciprocity score recomputed at the worker's next beat."""
    if created and instance.customer_id and (instance.object_type or "").startswith(EVIDENCE_AREAS):
        from .models import ReciprocityLedger

        ReciprocityLedger.objects.filter(customer_id=instance.customer_id).update(computed_on=None)
