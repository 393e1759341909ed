from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kamp.core.money import currency_decimals, format_amount, format_money


@pytest.mark.parametrize(
    "language, value, currency, expected",
    [
        ("es", Decimal("1234567.4"), "CLP", "CLP\u00a01.234.567"),
        ("en", Decimal("1234567.5"), "CLP", "CLP\u00a01,234,568"),
        ("es", Decimal("1234.5"), "USD", "USD\u00a01.234,50"),
        ("en", 1234.5, "usd", "USD\u00a01,234.50"),
        ("es", Decimal("-0.2"), "CLP", "CLP\u00a00"),
        ("es", None, "CLP", ""),
        ("es", Decimal("25.1234"), "CLF", "CLF\u00a025,1234"),
    ],
)
def test_money(language, value, currency, expected):
    with translation.override(language):
        assert format_money(value, currency) == expected


def test_filter_in_templates_uses_the_base_currency_by_default(db, settings):
    """The company's base currency saved in Settings, not the environment's default."""
    from kamp.core.models import SiteSettings

    settings.KAMP_BASE_CURRENCY = "USD"
    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    template = Template('{{ x|money }} {{ x|money:"USD" }} {{ x|amount:"CLP" }} {{ r|percent }}')
    with translation.override("es"):
        text = template.render(Context({"x": Decimal("1234567"), "r": 0.125}))
    assert text == "CLP\u00a01.234.567 USD\u00a01.234.567,00 1.234.567 12,5\u00a0%"


def test_dates_and_numbers_in_spanish():
    import datetime

    template = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {{ n }}")
    with translation.override("es"):
        text = template.render(Context({"d": datetime.date(2026, 11, 28), "n": 1234567}))
    assert text == "28-11-2026 1.234.567"


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_amount_round_trips(value):
    with translation.override("en"):
        text = format_amount(value, "USD")
    assert Decimal(text.replace(",", "")) == value.quantize(Decimal("0.01"))
    assert currency_decimals("CLP") == 0 and currency_decimals("EUR") == 2
