"""Counting rows only as far as a threshold needs.

"Is the programme small enough to do this in the request?" asks whether a table holds more
than a few hundred or thousand rows. ``COUNT(*)`` over 100,000 customers reads them all (6 ms of
PostgreSQL each time); asked after every write and on every page while the worker catches up,
it was a third of PostgreSQL's work under a working day's load (``bench/load.py``). A count of
at most ``limit`` rows stops there.
"""

from __future__ import annotations

from django.db.models import QuerySet


def count_up_to(qs: QuerySet, limit: int) -> int:
    """The number of rows of ``qs``, or ``limit`` when there are that many or more."""
    return qs.order_by()[:limit].count()
