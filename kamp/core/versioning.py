"""No lost updates: a version number on records that several people edit (customers, contacts,
plans…). A form or an API client says which version it read; the action saves only if the record
is still at that version, and otherwise tells the writer that someone changed it since.

The check and the step to the next version are one UPDATE with the version in its WHERE, so two
writers can never both pass it: on PostgreSQL the second waits for the first to commit and then
finds the version moved on; SQLite lets one writer in at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

CONFLICT_MESSAGE = _(
    "Someone else changed this since you opened it. Their version is shown beside yours: save "
    "again to keep yours, or reload the page to start from theirs."
)


class VersionConflict(Exception):
    """The record moved past the version the writer read. ``current`` is the record as it is now
    (``None`` when it was deleted meanwhile)."""

    def __init__(self, current: Any):
        super().__init__(str(CONFLICT_MESSAGE))
        self.current = current


def version_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(_("version"), default=1, editable=False)


def claim(instance: models.Model, expected: Any = None) -> None:
    """Move ``instance``'s row to its next version if it is still at ``expected`` (whatever it is
    when ``None``: a writer that read no version still tells later ones that it changed the
    record); raise :class:`VersionConflict` otherwise. Then reload ``instance``, so the caller
    applies its change to the record as it is now. Call it inside the action's transaction: on
    PostgreSQL the row stays locked until the commit."""
    model = type(instance)
    rows = model._default_manager.filter(pk=instance.pk)
    if expected is not None:
        try:
            expected = int(expected)
        except (TypeError, ValueError):
            expected = -1  # tampered or garbled: matches no row, so the writer is told
        rows = rows.filter(version=expected)
    if not rows.update(version=F("version") + 1):
        raise VersionConflict(model._default_manager.filter(pk=instance.pk).first())
    instance.refresh_from_db()


def claim_or_create(instance: models.Model, expected: Any = None) -> None:
    """:func:`claim` for a one-row settings record, which its first save creates: a form read
    before the row existed carries version 0, so it is refused if the row was created since."""
    if instance.pk:
        claim(instance, expected)


def parse_if_match(header: str | None) -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``W/"3"`` or ``3``); ``None`` when absent.
    A header that names no version raises ``ValueError``."""
    if not header:
        return None
    text = header.strip()
    if text.startswith("W/"):
        text = text[2:]
    return int(text.strip().strip('"'))


if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class ConflictFormMixin(_FormBase):
    """What a form shows after a conflicting save (any form: a ModelForm through
    :class:`VersionedForm`, a plain form that carries its own ``version`` field)."""

    conflicts: list[dict] = []
    # Fields left out of the conflict table (an upload, a "remove" box: not on the record).
    conflict_skip: tuple[str, ...] = ()

    def take_version(self) -> int | None:
        """The version the user read, removed from ``cleaned_data`` (which the action receives)."""
        return self.cleaned_data.pop("version", None)

    def show_conflict(self, current, message, extra: list[dict] | None = None) -> list[dict]:
        """After a conflict: the fields where the saved version (``current``) and the user's
        differ (label, theirs, yours), for the page to show side by side, then ``extra`` rows
        (parts of the record outside the form's fields). When there are any, the form gets
        ``message`` and ``current``'s version, so that saving again keeps what the user typed;
        when there are none, the user's values are already the saved ones."""
        rows = []
        for name, field in self.fields.items():
            if name == "version" or name in self.conflict_skip or name not in self.cleaned_data:
                continue
            theirs = _listed(getattr(current, name))
            yours = _listed(self.cleaned_data[name])
            if _comparable(theirs) == _comparable(yours):
                continue
            rows.append(
                {
                    "label": field.label,
                    "theirs": self.display(name, theirs),
                    "yours": self.display(name, yours),
                }
            )
        rows += extra or []
        self.conflicts = rows  # core/_form.html shows them side by side
        if rows:
            self.add_error(None, message)
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            data[self.add_prefix("version")] = str(current.version)
            self.data = data
        return rows

    def display(self, name: str, value) -> str:
        """How a value reads in the conflict table."""
        field = self.fields[name]
        if value in (None, "", []):
            return "—"
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if hasattr(value, "pk"):
            return str(value)
        if isinstance(value, list) and all(hasattr(v, "pk") for v in value):
            return ", ".join(str(v) for v in value)  # people chosen (a many-to-many field)
        choices = dict(getattr(field, "choices", None) or [])
        if isinstance(value, list):
            return ", ".join(str(choices.get(v, v)) for v in value)
        return str(choices.get(value, value))


class VersionedForm(ConflictFormMixin, forms.ModelForm):
    """An edit form that carries, hidden, the version of the record it was opened on; the action
    refuses to save over a newer one (``kamp.core.versioning``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    # A settings row made on its first save: its form carries version 0 until then, so saving it
    # over a row someone else created meanwhile is refused too (``claim_or_create``).
    versioned_before_saved = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and self.versioned_before_saved:
            if not self.is_bound:
                self.initial["version"] = 0
        elif not self.instance.pk:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self):
        data = super().clean()
        if "version" in self.fields and data.get("version") is None:
            # Without it the save could overwrite anything: a form from an older kamp, or tampered.
            self.add_error(None, _("This form is out of date: reload the page and try again."))
        return data


def _listed(value):
    """A many-to-many field's value (a related manager, or a chosen queryset) as a list."""
    if isinstance(value, QuerySet):
        return list(value)
    if hasattr(value, "all") and hasattr(value, "through"):  # a related manager
        return list(value.all())
    return value


def _comparable(value):
    if hasattr(value, "pk"):
        return ("pk", value.pk)
    if value is None:
        return ""
    if isinstance(value, list):
        return sorted((_comparable(v) for v in value), key=repr)
    return value
