"""Sales lines whose currency label disagrees with their customer (``kamp check_data``).

The rule (docs/economics.md, "Currencies"): a sales line is in its customer's currency, else the
company's base currency. Lines imported before lines always got a currency carry none (``""``);
the P&L has always read them in that same currency, so labelling them with it changes no figure:
that is what the fix does. A line whose file named another currency is listed but never
relabelled on a guess: relabelling it would change what its amount means, and converting it
would need a rate nobody gave. Only a person who knows the label was a default (``--relabel
USD``) relabels those, through :func:`kamp.economics.actions.do_relabel_sales_currency`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Min, Sum

from kamp.core.money import base_currency

from .models import SalesLine


@dataclass
class Mismatch:
    customer_id: int
    currency: str  # the lines' label ("" when they carry none)
    expected: str  # the customer's currency, else the base currency
    lines: int
    net_amount: Decimal
    first: date
    last: date

    @property
    def defaulted(self) -> bool:
        """No label at all: the lines are in ``expected`` by the rule, a relabel is safe."""
        return self.currency == ""


def expected_currency(customer_currency: str, base: str) -> str:
    return (customer_currency or base).upper()


def sales_currency_mismatches(customer_ids: Iterable[int] | None = None) -> list[Mismatch]:
    """Per customer and label, the sales lines not labelled with the customer's currency (or
    the base currency for a customer without one), by customer then label. One grouped query."""
    base = base_currency()
    lines = SalesLine.objects.all()
    if customer_ids is not None:
        lines = lines.filter(customer_id__in=list(customer_ids))
    rows = (
        lines.values("customer_id", "currency", "customer__currency")
        .annotate(n=Count("id"), net=Sum("net_amount"), first=Min("date"), last=Max("date"))
        .order_by("customer_id", "currency")
    )
    out = []
    for row in rows:
        expected = expected_currency(row["customer__currency"], base)
        if row["currency"] == expected:
            continue
        out.append(
            Mismatch(
                customer_id=row["customer_id"],
                currency=row["currency"],
                expected=expected,
                lines=row["n"],
                net_amount=row["net"] or Decimal(0),
                first=row["first"],
                last=row["last"],
            )
        )
    return out
