"""Money as people read it: the amount in the active locale's number format, with its currency.

CLP (and the other currencies without minor units) shows no decimals, the rest two:
``format_money(Decimal("1234567.4"), "CLP")`` is ``CLP 1.234.567`` in Spanish and
``CLP 1,234,567`` in English; ``format_money(1234.5, "USD")`` is ``USD 1.234,50`` / ``USD 1,234.50``.
Templates use the ``money`` filter of ``{% load kamp %}``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import formats

# ISO 4217 currencies without minor units that a Latin-American supplier meets.
ZERO_DECIMAL_CURRENCIES = frozenset({"CLP", "PYG", "JPY", "KRW", "ISK", "VND", "UYI"})
_DECIMALS_OVERRIDE = {"CLF": 4}  # Unidad de Fomento: an index kept with four decimals


def currency_decimals(currency: str) -> int:
    currency = (currency or "").upper()
    if currency in _DECIMALS_OVERRIDE:
        return _DECIMALS_OVERRIDE[currency]
    return 0 if currency in ZERO_DECIMAL_CURRENCIES else 2


def format_amount(value, currency: str = "") -> str:
    """The number alone, rounded to the currency's decimals, grouped by the active locale."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = currency_decimals(currency or settings.KAMP_BASE_CURRENCY)
    quant = Decimal(1).scaleb(-places)
    amount = amount.quantize(quant, rounding=ROUND_HALF_UP)
    if amount == 0:
        amount = abs(amount)  # never "-0"
    return formats.number_format(amount, places, use_l10n=True, force_grouping=True)


def format_money(value, currency: str = "") -> str:
    """``CLP 1.234.567``: the amount with its ISO code in front (empty for no value)."""
    currency = (currency or settings.KAMP_BASE_CURRENCY).upper()
    text = format_amount(value, currency)
    return f"{currency}\u00a0{text}" if text else ""
