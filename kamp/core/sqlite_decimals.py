"""SQLite keeps decimals as floating point and Django's reader rounds each one to its column's
``max_digits``: a value outside the column (``1e30`` stored before amounts were checked, or
``99999999999999.9999`` read back as ``1e14`` — 15 significant digits) then raises
``decimal.InvalidOperation`` on every query that reads it, and every page showing that account
answers 500. :func:`install` makes the reader give such a value back unrounded instead, so the
page shows what is stored; new input is checked by ``kamp.core.money.check_amount``."""

from __future__ import annotations

import decimal


def install() -> None:
    from django.conf import settings

    if not any("sqlite3" in db.get("ENGINE", "") for db in settings.DATABASES.values()):
        return
    # The backend's base module first: it imports ``operations`` (the other order is circular).
    from django.db.backends.sqlite3 import base  # noqa: F401
    from django.db.backends.sqlite3.operations import DatabaseOperations

    original = DatabaseOperations.get_decimalfield_converter
    if getattr(original, "_kamp_lenient", False):
        return
    loose = decimal.Context(prec=15).create_decimal_from_float

    def get_decimalfield_converter(self, expression):
        strict = original(self, expression)

        def converter(value, expression, connection):
            try:
                return strict(value, expression, connection)
            except decimal.InvalidOperation:
                return loose(value)

        return converter

    get_decimalfield_converter._kamp_lenient = True  # type: ignore[attr-defined]
    DatabaseOperations.get_decimalfield_converter = get_decimalfield_converter  # type: ignore[method-assign]
