"""kamp's template helpers: ``{% load kamp %}``.

- ``{{ amount|money:"CLP" }}`` → ``CLP 1.234.567`` (es) / ``CLP 1,234,567`` (en); without a
  currency, the company's base currency (``kamp.core.money.base_currency()``: Settings, else
  ``KAMP_BASE_CURRENCY``). See :mod:`kamp.core.money`.
- ``{{ amount|amount:"CLP" }}`` → the number alone, for table columns headed by the currency.
- ``{{ ratio|percent }}`` → ``12,5 %`` / ``12.5 %`` from 0.125.
- ``{% querystring_replace request key=value %}`` is Django's ``{% querystring %}`` (5.1+), use that.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats

from kamp.core.money import format_amount, format_money

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    return format_money(value, currency)


@register.filter
def amount(value, currency: str = "") -> str:
    return format_amount(value, currency)


@register.filter
def percent(value, decimals: int = 1) -> str:
    """A ratio (0.125) as a percentage in the active locale (``12,5 %``)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)) * 100
        # Rounded half up here: number_format cuts the digits off (0.2429 would read 24,2 %
        # beside an API's 0.243; docs/figures.md).
        number = number.quantize(Decimal(1).scaleb(-int(decimals)), ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    return f"{formats.number_format(number, int(decimals), use_l10n=True)}\u00a0%"
