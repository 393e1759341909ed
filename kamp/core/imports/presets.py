"""Saved mappings per source ("presets") and combined columns.

A preset is a TOML file in an app's ``import_presets/`` folder (the engine reads the folders of
the installed apps, it imports no business app): which kind it is for, the headers that give the
source away, and ``COLUMN = "field"`` entries like ``--map`` takes — ``"First Name+Last Name" =
"name"`` joins columns into one field, ``"Account Owner" = ""`` leaves a column out. The preset
whose headers a file carries is chosen by itself; ``--preset NAME`` (the mapping step's picker)
chooses one, ``--preset none`` none. See docs/imports.md.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext as _

from .parsers import fold
from .readers import Table

#: ``--preset none``: no preset, not even one found from the headers.
NO_PRESET = "none"
#: Joins the columns of a combined column (first + last name → "Ana Morales").
COMBINE = "+"


class PresetError(Exception):
    """A preset the kind does not have, or a combined column's part the file does not have (the
    engine refuses the file with this message)."""


@dataclass(frozen=True)
class Preset:
    name: str
    kind: str
    label: str
    label_es: str = ""
    #: Headers that give the source away: a file with all of them is from it.
    detect: tuple[str, ...] = ()
    #: ``COLUMN`` (or ``A+B``) → field ("" leaves the column out), in the file's order of use.
    columns: dict[str, str] = field(default_factory=dict)
    how: str = ""
    #: A mapping a person saved (kamp.core.saved_mappings), not one kamp ships.
    saved: bool = False
    #: A saved mapping's date order, decimal separator, sheet and header row.
    options: dict[str, Any] = field(default_factory=dict)
    shared: bool = False
    owner: str = ""
    pk: int | None = None

    @property
    def title(self) -> str:
        """The label in the active language."""
        if (translation.get_language() or "").startswith("es") and self.label_es:
            return self.label_es
        return self.label

    def fits(self, header: list[str]) -> bool:
        have = {fold(h) for h in header}
        return bool(self.detect) and all(fold(h) in have for h in self.detect)

    def overrides(self, header: list[str]) -> dict[str, str]:
        """The entries this file can take (a column a source sometimes leaves out is skipped)."""
        have = {fold(h) for h in header}
        return {
            spec: target
            for spec, target in self.columns.items()
            if all(fold(part) in have for part in _parts(spec, have))
        }


def _parts(spec: str, have: set[str]) -> list[str]:
    if fold(spec) in have or COMBINE not in spec:
        return [spec]
    return [p.strip() for p in spec.split(COMBINE)]


def _folders() -> Iterator[Path]:
    for config in apps.get_app_configs():
        if config.name.startswith("kamp."):
            folder = Path(config.path) / "import_presets"
            if folder.is_dir():
                yield folder


@functools.cache
def all_presets() -> tuple[Preset, ...]:
    found = []
    for folder in _folders():
        for path in sorted(folder.glob("*.toml")):
            data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
            found.append(
                Preset(
                    name=path.stem,
                    kind=data["kind"],
                    label=data["label"],
                    label_es=data.get("label_es", ""),
                    detect=tuple(data.get("detect", ())),
                    columns={str(k): str(v) for k, v in data.get("columns", {}).items()},
                    how=data.get("how", ""),
                )
            )
    return tuple(sorted(found, key=lambda p: p.name))


def presets_for(kind_name: str) -> list[Preset]:
    return [p for p in all_presets() if p.kind == kind_name]


def find_preset(kind_name: str, header: list[str]) -> Preset | None:
    """The preset whose source the header gives away (the most telling one when several do)."""
    fitting = [p for p in presets_for(kind_name) if p.fits(header)]
    return max(fitting, key=lambda p: len(p.detect), default=None)


def choose_preset(
    kind_name: str, header: list[str], name: str | None, user: Any = None
) -> Preset | None:
    """``name`` None: found from the header (a saved mapping made from a file with these very
    columns first, then a shipped preset); ``none``: no preset; else that preset of the kind,
    or the saved mapping of that name ``user`` may use. Raises :class:`PresetError` for a name
    the kind has neither."""
    if name is None or name == "":
        return find_saved(user, kind_name, header) or find_preset(kind_name, header)
    if name == NO_PRESET:
        return None
    for p in presets_for(kind_name):
        if p.name == name:
            return p
    saved = named_saved(user, kind_name, name)
    if saved is not None:
        return saved
    names = [p.name for p in presets_for(kind_name)]
    names += [p.name for p in saved_presets(user, kind_name)]
    raise PresetError(
        _("No preset or saved mapping “%(preset)s” for this import (there are: %(presets)s).")
        % {"preset": name, "presets": ", ".join(names) or "—"}
    )


# --- saved mappings (kamp.core.models.SavedMapping; saving and deleting: kamp.core.saved_mappings)
#: What of the mapping step a saved mapping keeps besides the columns.
SAVED_OPTION_KEYS = ("date_order", "decimal", "sheet", "header_row")


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def visible_mappings(user: Any, kind: str | None = None) -> Any:
    """The saved mappings ``user`` may see and use: their own, the shared ones, and all of them
    for an admin (``user`` None: the shared ones)."""
    from django.db.models import Q

    from kamp.core.models import SavedMapping

    qs = SavedMapping.objects.select_related("created_by")
    if kind is not None:
        qs = qs.filter(kind=kind)
    if user is None:
        return qs.filter(shared=True)
    if not _active(user):
        return qs.none()
    if user.is_admin:
        return qs
    return qs.filter(Q(shared=True) | Q(created_by=user))


def signature(header: list[str]) -> frozenset[str]:
    """A header's columns, whatever their order, case and accents."""
    return frozenset(fold(h) for h in header if str(h).strip())


def as_preset(mapping: Any) -> Preset:
    return Preset(
        name=mapping.name,
        kind=mapping.kind,
        label=mapping.name,
        detect=tuple(mapping.header),
        columns=dict(mapping.columns),
        saved=True,
        options={k: v for k, v in (mapping.options or {}).items() if k in SAVED_OPTION_KEYS and v},
        shared=mapping.shared,
        owner=mapping.created_by.email if mapping.created_by else "",
        pk=mapping.pk,
    )


def saved_presets(user: Any, kind: str) -> list[Preset]:
    return [as_preset(m) for m in visible_mappings(user, kind)]


def find_saved(user: Any, kind: str, header: list[str]) -> Preset | None:
    """The saved mapping made from a file with these very columns: one's own before a shared
    one, the most recently updated first."""
    wanted = signature(header)
    if not wanted:
        return None
    found = [m for m in visible_mappings(user, kind) if signature(m.header) == wanted]
    uid = getattr(user, "pk", None)
    found.sort(key=lambda m: (uid is not None and m.created_by_id == uid, m.updated_at))
    return as_preset(found[-1]) if found else None


def named_saved(user: Any, kind: str, name: str) -> Preset | None:
    m = visible_mappings(user, kind).filter(name=name).first()
    return as_preset(m) if m is not None else None


class CombinedTable(Table):
    """A table with columns made of others joined by spaces (first + last name): each one is
    an extra column at the end, so the real columns keep their numbers."""

    def __init__(self, base: Table, combined: list[list[int]], names: list[str]) -> None:
        super().__init__(
            path=base.path,
            format=base.format,
            header=[*base.header, *names],
            encoding=base.encoding,
            delimiter=base.delimiter,
            header_line=base.header_line,
            sheet=base.sheet,
            extra=base.extra,  # shared: the engine's settings reach the reader
        )
        self.base = base
        self.combined = combined

    def rows(self, *, strict: bool = True) -> Iterator[tuple[int, list[Any]]]:
        width = len(self.base.header)
        combined = self.combined
        for line, cells in self.base.rows(strict=strict):
            cells = list(cells[:width]) + [""] * (width - len(cells))
            for indexes in combined:
                cells.append(" ".join(_text(cells[i]) for i in indexes if _text(cells[i])))
            yield line, cells


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def combine_columns(table: Table, overrides: dict[str, str]) -> tuple[Table, dict[str, str]]:
    """``{"First Name+Last Name": "name"}`` → a table with that combined column and the override
    naming it by number. A header that itself holds "+" ("I+D") stays one column. Raises
    :class:`PresetError` for a part that is not a column."""
    folded = [fold(h) for h in table.header]
    combined: list[list[int]] = []
    names: list[str] = []
    out: dict[str, str] = {}
    for spec, target in overrides.items():
        if COMBINE not in spec or fold(spec) in folded or spec.strip().isdigit():
            out[spec] = target
            continue
        indexes = []
        for part in (p.strip() for p in spec.split(COMBINE)):
            if part.isdigit() and 1 <= int(part) <= len(table.header):
                indexes.append(int(part) - 1)
            elif fold(part) in folded:
                indexes.append(folded.index(fold(part)))
            else:
                raise PresetError(
                    _("The file has no column “%(column)s” (columns: %(columns)s).")
                    % {"column": part, "columns": ", ".join(table.header)}
                )
        combined.append(indexes)
        names.append(" + ".join(table.header[i] for i in indexes))
        out[str(len(table.header) + len(combined))] = target
    if not combined:
        return table, out
    return CombinedTable(table, combined, names), out


def split_overrides(
    header: list[str], overrides: dict[str, str]
) -> tuple[dict[str, str], list[tuple[str, list[int]]]]:
    """A preset's entries for a form: the single columns (``COLUMN`` → field, as ``--map``
    takes them) and the combined ones (field, column indexes)."""
    folded = [fold(h) for h in header]
    single: dict[str, str] = {}
    combined: list[tuple[str, list[int]]] = []
    for spec, target in overrides.items():
        if COMBINE in spec and fold(spec) not in folded:
            parts = [fold(p) for p in spec.split(COMBINE)]
            if target and all(p in folded for p in parts):
                combined.append((target, [folded.index(p) for p in parts]))
        else:
            single[spec] = target
    return single, combined
