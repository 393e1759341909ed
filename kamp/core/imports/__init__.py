"""kamp's import engine (see docs/imports.md).

An app adds an import kind in its ``imports.py``::

    from kamp.core.imports import Field, ImportKind, register

    @register
    class AssessmentImport(ImportKind):
        name = "assessments"
        ...

and lists the module in ``settings.KAMP_IMPORT_MODULES``.
"""

from .base import (
    MAX_STORED_ERRORS,
    Field,
    ImportContext,
    ImportKind,
    ImportOptions,
    ImportRefused,
    RevertError,
    RowError,
    all_kinds,
    apply_overrides,
    auto_mapping,
    get_kind,
    live_processed_rows,
    register,
    revert_batch,
    run_import,
)
from .parsers import (
    ParseError,
    choice_parser,
    fold,
    list_parser,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from .readers import ReadError, Table, open_table

__all__ = [
    "MAX_STORED_ERRORS",
    "Field",
    "ImportContext",
    "ImportKind",
    "ImportOptions",
    "ImportRefused",
    "RevertError",
    "RowError",
    "all_kinds",
    "apply_overrides",
    "auto_mapping",
    "get_kind",
    "live_processed_rows",
    "register",
    "revert_batch",
    "run_import",
    "ParseError",
    "choice_parser",
    "fold",
    "list_parser",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_text",
    "ReadError",
    "Table",
    "open_table",
]
