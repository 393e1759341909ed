"""Deletions counted per table, for the fingerprints of cached results.

A result computed from a whole table (the selection's scoring run) is kept while the table is
unchanged. Its largest id and its latest ``updated_at`` — each read from an index — show rows
added and changed; rows deleted show in neither. Counting the table did, on every page view:
``COUNT(*)`` over 100,000 customers and their assessments was half of PostgreSQL's work on a
working day's load (``bench/load.py``). Instead each deletion of a tracked table's row bumps
that table's count, in the same transaction:

- through Django (a delete action, the admin, a cascade from a deleted customer): its
  ``post_delete`` signal (:func:`track`);
- an import's revert, which deletes its rows in bulk without signals: every tracked table's
  count when a batch is marked reverted;
- SQL of kamp's own (the monthly sales sums): that code calls :func:`bump`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.db.models.signals import post_delete, post_save

_tracked: set[str] = set()


def label(model: type[models.Model]) -> str:
    """The name a table's deletions are counted under."""
    return model._meta.label_lower


def track(*tracked: type[models.Model]) -> None:
    """Count the deletions of these models' rows (an app's ``ready()``)."""
    from .models import ImportBatch

    for model in tracked:
        name = label(model)
        _tracked.add(name)
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"deletions-{name}")
    post_save.connect(_on_import, sender=ImportBatch, dispatch_uid="deletions-imports")


def _on_delete(sender, **kwargs) -> None:
    bump(sender)


def _on_import(sender, instance, **kwargs) -> None:
    if instance.status == instance.Status.REVERTED:
        _bump_labels(sorted(_tracked))


def bump(*changed: type[models.Model]) -> None:
    """One more deletion in each of these tables (inside the transaction that deleted)."""
    _bump_labels([label(m) for m in changed])


def _bump_labels(labels: list[str]) -> None:
    from .models import TableDeletions

    # The rows made on a table's first deletion (unless there, or made meanwhile by another
    # transaction), then counted: two statements whatever was there before.
    TableDeletions.objects.bulk_create(
        [TableDeletions(label=name) for name in labels], ignore_conflicts=True
    )
    TableDeletions.objects.filter(label__in=labels).update(deletions=F("deletions") + 1)


def counts(*of: type[models.Model]) -> tuple[int, ...]:
    """The deletions so far of each of these tables, in one query."""
    from .models import TableDeletions

    labels = [label(m) for m in of]
    found = dict(TableDeletions.objects.filter(label__in=labels).values_list("label", "deletions"))
    return tuple(found.get(name, 0) for name in labels)
