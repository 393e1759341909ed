"""Money as people read it: the amount in the active locale's number format, with its currency.

Each currency shows its ISO 4217 minor unit (CLP and JPY none, USD two, CLF four), as Babel's
CLDR data keeps it (:func:`minor_units`):
``format_money(Decimal("1234567.4"), "CLP")`` is ``CLP 1.234.567`` in Spanish and
``CLP 1,234,567`` in English; ``format_money(1234.5, "USD")`` is ``USD 1.234,50`` / ``USD 1,234.50``.
Templates use the ``money`` filter of ``{% load kamp %}``.
"""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kamp.core import formatting


def minor_units(currency: str) -> int:
    """Decimals of ``currency``'s minor unit (ISO 4217): 0 for CLP, 2 for USD, 4 for CLF.

    From Babel's CLDR data rather than a hand-kept list, so a currency we did not think of
    (BHD, 3) is right too; an unknown code gets the usual two."""
    return _minor_units((currency or "").strip().upper())


@lru_cache(maxsize=256)
def _minor_units(code: str) -> int:
    return get_currency_precision(code) if code else 2


#: The name this helper had before it came from Babel (templates and other areas call it).
currency_decimals = minor_units


def base_currency() -> str:
    """The company's base currency: the one saved in Settings, else ``KAMP_BASE_CURRENCY``
    (the environment only gives the default before Settings is saved). Every default currency
    in kamp comes from here, so an amount is never labelled with the environment's currency
    while the P&L reads the company's."""
    from kamp.core.models import SiteSettings

    return (SiteSettings.load().base_currency or settings.KAMP_BASE_CURRENCY or "USD").upper()


def format_amount(value, currency: str = "") -> str:
    """The number alone, rounded to the currency's decimals, grouped by the active locale
    (:func:`kamp.core.formatting.format_amount`)."""
    if value is None or value == "":
        return ""
    return formatting.format_amount(value, currency or base_currency())


def format_money(value, currency: str = "") -> str:
    """``CLP 1.234.567``: the amount with its ISO code in front (empty for no value), by
    :func:`kamp.core.formatting.format_money`; without a currency, the base currency."""
    if value is None or value == "":
        return ""
    return formatting.format_money(value, currency or base_currency())


# --- what a money column can hold ---------------------------------------------------------------
class AmountError(ValueError):
    """An amount its column cannot store exactly: not a finite number, too large, or with more
    decimals than the column keeps. The message says which, for a form, the API or an import."""


def check_amount(
    value, max_digits: int, decimal_places: int, significant: int | None = None
) -> Decimal:
    """``value`` as a Decimal that fits a ``DecimalField(max_digits, decimal_places)`` exactly.

    Refuses NaN and infinities, numbers with more whole digits than the column keeps (``1e30``
    in an 18,4 column: SQLite would store it and every page reading it would then fail) and more
    decimals than it keeps (never round a figure someone typed without telling them).
    ``significant`` caps the digits in all: SQLite keeps 15 (see :func:`stored_digits`)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise AmountError(_("Enter a number.")) from None
    if not amount.is_finite():
        raise AmountError(_("Enter a number."))
    whole_digits = max_digits - decimal_places
    # normalize() in a context wide enough to keep every digit (the default rounds at 28).
    wide = Context(prec=len(amount.as_tuple().digits) + 1)
    sign, digits, exponent = amount.normalize(wide).as_tuple() if amount else (0, (0,), 0)
    assert isinstance(exponent, int)  # finite
    decimals = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    if whole > whole_digits:
        raise AmountError(
            _("Enter an amount below %(limit)s.")
            % {"limit": formats.number_format(Decimal(10) ** whole_digits, 0, force_grouping=True)}
        )
    if significant is not None and len(digits) > significant:
        raise AmountError(
            _("Enter an amount with at most %(n)d digits in all.") % {"n": significant}
        )
    if decimals > decimal_places:
        raise AmountError(
            ngettext(
                "Enter an amount with at most %(n)d decimal.",
                "Enter an amount with at most %(n)d decimals.",
                decimal_places,
            )
            % {"n": decimal_places}
        )
    return Decimal(format(amount, "f"))  # 1E+3 → 1000: stored and shown as people write it


def stored_digits() -> int | None:
    """How many significant digits the database keeps of a decimal: SQLite stores them as
    floating point (15 digits), so 99999999999999.9999 would come back as 100000000000000;
    PostgreSQL keeps the column's ``max_digits`` exactly (``None``: no further limit)."""
    from django.db import connection

    return 15 if connection.vendor == "sqlite" else None


def column_limits(model, field_name: str) -> tuple[int, int]:
    field = model._meta.get_field(field_name)
    return field.max_digits, field.decimal_places


def check_decimal_fields(instance) -> None:
    """:func:`check_column` for every decimal field of a model instance that holds a value
    (before ``save``: the model's own validation does not know SQLite's 15 digits)."""
    from django.core.exceptions import ValidationError
    from django.db import models

    errors = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(field, models.DecimalField) and value is not None:
            try:
                check_column(type(instance), field.name, value)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def check_column(model, field_name: str, value) -> Decimal:
    """:func:`check_amount` against the model's column; a Django ``ValidationError`` naming the
    field (the API answers it 422, a form shows it beside the field)."""
    from django.core.exceptions import ValidationError

    try:
        return check_amount(value, *column_limits(model, field_name), stored_digits())
    except AmountError as exc:
        raise ValidationError({field_name: str(exc)}) from None


def fits(model, field_name: str):
    """Pydantic metadata for an API input of the model's money column, used as
    ``amount: Annotated[Decimal, fits(CategorySpend, "amount")]``: a number or numeric string
    that the column stores exactly; anything else is a 422 that says why."""
    from pydantic import AfterValidator

    max_digits, decimal_places = column_limits(model, field_name)

    def _fits(value: Decimal) -> Decimal:
        try:
            return check_amount(value, max_digits, decimal_places, stored_digits())
        except AmountError as exc:
            raise ValueError(str(exc)) from None

    return AfterValidator(_fits)


def check_minor_unit(value, currency: str) -> Decimal:
    """``value`` if it has no more decimals than ``currency``'s minor unit: ``2500000.50`` CLP
    is refused (the peso has no cents), ``2500000.50`` USD is kept. Never rounded silently: a
    figure with cents in a currency without them is a wrong figure or a wrong currency."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise AmountError(_("Enter a number.")) from None
    if not amount.is_finite():
        raise AmountError(_("Enter a number."))
    places = minor_units(currency)
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if exponent >= -places:
        return amount
    # "2500000,00" in a CLP column is a whole amount written with zeros: kept, without them.
    whole = amount.quantize(Decimal(1).scaleb(-places), context=_wide(amount))
    if whole == amount:
        return whole
    code = (currency or "").upper()
    if places == 0:
        raise AmountError(
            _("%(currency)s has no decimals: enter a whole amount, not %(value)s.")
            % {"currency": code, "value": format(amount, "f")}
        )
    raise AmountError(
        ngettext(
            "%(currency)s amounts have at most %(n)d decimal, not %(value)s.",
            "%(currency)s amounts have at most %(n)d decimals, not %(value)s.",
            places,
        )
        % {"currency": code, "n": places, "value": format(amount, "f")}
    )


def _wide(amount: Decimal) -> Context:
    return Context(prec=max(28, amount.adjusted() + 8))


def check_money(model, field_name: str, value, currency: str) -> Decimal:
    """:func:`check_column` and :func:`check_minor_unit` in one: an amount its column keeps
    exactly and its currency can express; a ``ValidationError`` naming the field."""
    from django.core.exceptions import ValidationError

    amount = check_column(model, field_name, value)
    try:
        return check_minor_unit(amount, currency)
    except AmountError as exc:
        raise ValidationError({field_name: str(exc)}) from None
