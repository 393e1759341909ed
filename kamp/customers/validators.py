"""Tax identifiers, validated where the country's rule is known."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_RUT_CLEAN = re.compile(r"[^0-9kK]")


def rut_check_digit(body: int) -> str:
    """Módulo 11 check digit of a Chilean RUT body."""
    total, factor = 0, 2
    while body:
        total += (body % 10) * factor
        body //= 10
        factor = 2 if factor == 7 else factor + 1
    rest = 11 - total % 11
    return {11: "0", 10: "K"}.get(rest, str(rest))


def normalise_rut(value: str) -> str:
    """'76123456-7', '76.123.456-7' or '761234567' → '76.123.456-7'. Raises ValidationError."""
    raw = _RUT_CLEAN.sub("", value or "").upper()
    if len(raw) < 2 or not raw[:-1].isdigit():
        raise ValidationError(
            _("“%(value)s” is not a RUT (e.g. 76.123.456-0)."), params={"value": value}
        )
    body, dv = int(raw[:-1]), raw[-1]
    if rut_check_digit(body) != dv:
        raise ValidationError(
            _("RUT “%(value)s” has a wrong check digit (expected %(dv)s)."),
            params={"value": value, "dv": rut_check_digit(body)},
        )
    return f"{body:,}".replace(",", ".") + f"-{dv}"


def normalise_tax_id(value: str, country: str) -> str:
    """Validated, canonical form of a tax id for the countries whose rule kamp knows (CL);
    elsewhere the id is kept as typed, trimmed."""
    value = (value or "").strip()
    if not value:
        return ""
    if (country or "").upper() == "CL":
        return normalise_rut(value)
    return value
