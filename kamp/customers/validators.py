"""Tax identifiers, validated and written one way where the country's rule is known (Chile's RUT
here, the others through python-stdnum)."""

from __future__ import annotations

import re
from typing import Any

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


# The tax id a country's customers (companies, mostly) are known by, as python-stdnum names its
# modules; the first is the one an error names. Brazil also takes a CPF (a sole trader).
_TAX_MODULES: dict[str, tuple[str, ...]] = {
    "AR": ("cuit",),
    "BR": ("cnpj", "cpf"),
    "CO": ("nit",),
    "MX": ("rfc",),
    "PE": ("ruc",),
    "ES": ("nif",),
    "EC": ("ruc",),
    "UY": ("rut",),
    "VE": ("rif",),
    "PY": ("ruc",),
    "GT": ("nit",),
    "SV": ("nit",),
    "CR": ("cpj", "cpf"),
    "DO": ("rnc",),
    "US": ("ein",),
}
# Elsewhere, the first of these the country has in python-stdnum (the EU's VAT numbers first).
_GENERIC = ("vat", "tin", "nif", "nit", "ruc", "rut", "rnc", "orgnr", "uen", "abn", "ein")
# Where the usual written form has separators, kamp keeps it (as it keeps 76.123.456-0); else
# the compact form, which is how the rest are written (an RFC, a RUC, a NIF).
_FORMATTED = {"AR", "BR", "CO"}


def _modules(country: str) -> list[Any]:  # python-stdnum's number modules
    from stdnum.util import get_cc_module

    names = _TAX_MODULES.get(country, _GENERIC)
    found = []
    for name in names:
        module = get_cc_module(country.lower(), name)
        if module is not None:
            found.append(module)
            if country not in _TAX_MODULES:
                break  # the generic list: the first the country has
    return found


def tax_id_name(module: Any) -> str:
    """'CUIT' from python-stdnum's 'CUIT (Código Único de …)'."""
    return (module.__doc__ or "").split("(", 1)[0].strip().rstrip(".") or module.__name__


def _reason(exc: Exception) -> str:
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength

    if isinstance(exc, InvalidChecksum):
        return _("the check digit is wrong")
    if isinstance(exc, InvalidLength):
        return _("it has the wrong number of characters")
    if isinstance(exc, InvalidComponent):
        return _("a part of it is not valid")
    return _("it is not written like one")


def normalise_tax_id(value: str, country: str) -> str:
    """Validated, canonical form of a tax id, by the rule of the customer's country: Chile's
    RUT as kamp has always written it (76.123.456-0), and every country python-stdnum knows
    (Argentina's CUIT, Peru's RUC, Colombia's NIT, Mexico's RFC, Brazil's CNPJ, Spain's NIF…),
    so one company keeps one id however a file spells it and a re-import finds it. A country
    without a known rule keeps the id as typed, trimmed. Raises ValidationError."""
    from stdnum.exceptions import ValidationError as StdnumError

    value = (value or "").strip()
    if not value:
        return ""
    country = (country or "").strip().upper()
    if country == "CL":
        return normalise_rut(value)
    if len(country) != 2 or not country.isalpha():
        return value
    modules = _modules(country)
    if not modules:
        return value
    first_error: Exception | None = None
    for module in modules:
        try:
            compact = module.validate(value)
        except StdnumError as exc:
            first_error = first_error or exc
            continue
        if country in _FORMATTED and hasattr(module, "format"):
            return str(module.format(compact))
        return str(compact)
    raise ValidationError(
        _("“%(value)s” is not a valid %(name)s (%(country)s): %(reason)s."),
        params={
            "value": value,
            "name": tax_id_name(modules[0]),
            "country": country,
            "reason": _reason(first_error) if first_error else "",
        },
    )
