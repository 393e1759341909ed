"""Money as people read it: the amount in the active locale's number format, with its currency.

CLP (and the other currencies without minor units) shows no decimals, the rest two:
``format_money(Decimal("1234567.4"), "CLP")`` is ``CLP 1.234.567`` in Spanish and
``CLP 1,234,567`` in English; ``format_money(1234.5, "USD")`` is ``USD 1.234,50`` / ``USD 1,234.50``.
Templates use the ``money`` filter of ``{% load kamp %}``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    if not amount.is_finite():
        return str(value)
    places = currency_decimals(currency or settings.KAMP_BASE_CURRENCY)
    quant = Decimal(1).scaleb(-places)
    # A context as wide as the number: the default 28 digits make ``quantize`` raise on an
    # out-of-range figure stored before amounts were checked, and a page must still show it.
    wide = Context(prec=max(28, amount.adjusted() + places + 2))
    amount = amount.quantize(quant, rounding=ROUND_HALF_UP, context=wide)
    if amount == 0:
        amount = abs(amount)  # never "-0"
    return formats.number_format(amount, places, use_l10n=True, force_grouping=True)


def format_money(value, currency: str = "") -> str:
    """``CLP 1.234.567``: the amount with its ISO code in front (empty for no value)."""
    currency = (currency or settings.KAMP_BASE_CURRENCY).upper()
    text = format_amount(value, currency)
    return f"{currency}\u00a0{text}" if text else ""


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
