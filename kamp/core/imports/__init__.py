"""kamp's import engine (see docs/imports.md). It names no business app: each app keeps its
kinds in its own ``imports`` module (or package), which the engine imports on first use
(:func:`kamp.core.registry.discover`). An app adds an import kind there::

    from kamp.core.imports import Field, ImportKind, register

    @register
    class AssessmentImport(ImportKind):
        name = "assessments"
        ...

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
    parse_long_text,
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
    "parse_long_text",
    "parse_text",
    "ReadError",
    "Table",
    "open_table",
]
