"""kamp's template helpers: ``{% load kamp %}``. Every filter formats through
:mod:`kamp.core.formatting` (Babel/CLDR), in the active language:

- ``{{ amount|money:"CLP" }}`` → ``CLP 1.234.567`` (es) / ``CLP 1,234,567`` (en); without a
  currency, the company's base currency (``kamp.core.money.base_currency()``).
- ``{{ amount|amount:"CLP" }}`` → the number alone, for table columns headed by the currency.
- ``{{ ratio|percent }}`` → ``12,5 %`` / ``12.5 %`` from 0.125 (``percent:0`` for whole);
  ``{{ 67|points }}`` → ``67 %`` for a value already in percent.
- ``{{ x|number:1 }}`` → ``7,5`` / ``7.5``: fixed decimals, grouped; ``number:"-2"`` up to two
  decimals (trailing zeros dropped: 7,5 · 7 · 7,25). Use it instead of ``floatformat``.
- ``{{ day|day }}`` → ``28-11-2026`` / ``2026-11-28``; ``{{ day|month }}`` → ``nov 2026``.
- ``{{ period|period }}`` → ``dic 2025 – nov 2026`` from ``2025-12..2026-11`` (or a P&L
  ``Period``, ``2025-Q3``, ``2025-07``).
- ``{% plotly_scripts %}`` → Plotly, then the chart locale (separators and month names of the
  page's language) applied to every chart of the page.
- ``{% querystring_replace request key=value %}`` is Django's ``{% querystring %}`` (5.1+), use that.
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, json_script

from kamp.core import formatting
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
    """A ratio (0.125) as a percentage in the active locale (``12,5 %``), rounded half up."""
    try:
        places = int(decimals)
    except (TypeError, ValueError):
        places = 1
    return formatting.format_percent(value, places)


@register.filter
def points(value, decimals: int = 0) -> str:
    """A value already in percent (67) as ``67 %`` (the sign never wraps alone)."""
    try:
        places = int(decimals)
    except (TypeError, ValueError):
        places = 0
    return formatting.format_points(value, places)


@register.filter
def number(value, decimals="0") -> str:
    """``7.5`` → ``7,5`` (es): ``decimals`` fixed; a negative ``"-2"`` keeps up to two and
    drops trailing zeros. Empty stays empty, so ``|default:"—"`` still works."""
    try:
        places = int(decimals)
    except (TypeError, ValueError):
        places = 0
    return formatting.format_number(value, abs(places), trim=places < 0)


# expects_localtime: a moment (``created_at``, in UTC) is shown on the company's day, not UTC's
# (in the evening of the Americas the UTC day is already the next).
@register.filter(expects_localtime=True)
def day(value) -> str:
    """A date in the reader's format (``28-11-2026`` / ``2026-11-28``)."""
    return formatting.format_date(value)


@register.filter(expects_localtime=True)
def month(value) -> str:
    """A month (``nov 2026`` / ``Nov 2026``) from a date or a ``2026-11`` key."""
    if isinstance(value, str):
        return formatting.format_period(value)
    if not value:
        return ""
    return formatting.format_month(value)


@register.filter
def period(value) -> str:
    """A period as people read it: ``dic 2025 – nov 2026`` for ``2025-12..2026-11``."""
    return formatting.format_period(value)


@register.simple_tag
def plotly_scripts(defer: bool = False) -> str:
    """Plotly and the page's chart locale (``kamp/plotly-locale.js``): load charts with this
    tag, never ``vendor/plotly.min.js`` alone, so every chart gets the language's separators."""
    attr = " defer" if defer else ""
    return format_html(
        '{}<script src="{}"{}></script><script src="{}"{}></script>',
        json_script(formatting.plotly_locale(), "kamp-plotly-locale"),
        static("vendor/plotly.min.js"),
        attr,
        static("kamp/plotly-locale.js"),
        attr,
    )
