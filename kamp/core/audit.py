"""The audit trail: every action function calls :func:`record` inside its transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from .formatting import format_number
from .models import AuditEvent
from .registry import hook, registry

# Kinds of record whose every entry holds amounts. ``record`` flags their entries as money even
# when the action forgot to say so; an action passes ``money=`` itself where it depends on the
# record (a financial objective, a plan's whitespace cell).
MONEY_TYPES = frozenset(
    {
        "economics.investment",
        "economics.investmentallocation",
        "economics.categoryspend",
        "economics.activityrecord",
        "economics.salesline",
        "economics.salesmonth",
        "economics.exchangerate",
        "plans.whitespacecell",
    }
)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys by their text), to diff after a change."""
    values = {}
    for name in fields:
        values[name] = _plain(getattr(instance, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields whose value differs: a creation diffs against ``{}``, a deletion to ``{}``
    (so the trail keeps what a deleted record held)."""
    keys = list(after) + [k for k in before if k not in after]
    return [
        {"field": k, "old": before.get(k), "new": after.get(k)}
        for k in keys
        if before.get(k) != after.get(k)
    ]


class Said(str):
    """A summary given as a message and its values (:func:`say`): written in English, shown in
    the reader's language."""

    msgid: str
    params: dict[str, Any]


def say(msgid: str, **params: Any) -> Said:
    """``summary=audit.say("Foundations: %(score)s of 100", score=90)``. The message must be in
    a catalogue (mark it with ``gettext_noop`` where it is written); a value that is itself an
    English label (a choice's, "Collaborative partnership") is translated when shown too."""
    # An amount or a score (a Decimal) is kept as a number and written in the reader's format
    # when shown (355.000.000 in Spanish, 355,000,000 in English), never as the raw digits.
    stored = {
        k: {"number": str(v)}
        if isinstance(v, Decimal)
        else v
        if isinstance(v, int | float)
        else str(v)
        for k, v in params.items()
    }
    with translation.override("en"):
        plain = _shown(stored)
        text = Said(_(msgid) % plain if plain else _(msgid))
    text.msgid, text.params = msgid, stored
    return text


def _shown(params: dict[str, Any]) -> dict[str, Any]:
    """The values of a said summary as the active language writes them."""
    shown: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dict) and "number" in value:
            number = Decimal(value["number"])
            places = min(4, max(0, -int(number.as_tuple().exponent)))
            shown[key] = format_number(number, places, trim=True)
        elif isinstance(value, str) and value:
            shown[key] = _(value)
        else:
            shown[key] = value
    return shown


def said(event: AuditEvent) -> str:
    """The summary of ``event`` in the active language."""
    message = event.summary_message or {}
    if not message.get("msgid"):
        # Older entries, and summaries written as plain text: a fixed English sentence that the
        # catalogues know is still shown translated.
        return _(event.summary) if event.summary else ""
    params = _shown(message.get("params") or {})
    try:
        return _(message["msgid"]) % params if params else _(message["msgid"])
    except (KeyError, TypeError, ValueError):  # a catalogue that lost a placeholder
        return event.summary


def _labels(label: str | Said | Callable[[], str]) -> tuple[str, dict[str, str]]:
    """The object's text in the writer's language and, when it depends on the language (a
    choice's label, a model's verbose name), in every language kamp speaks, so the trail names
    the object in the reader's language."""
    if isinstance(label, Said):
        msgid, params = label.msgid, label.params

        def render() -> str:
            return _(msgid) % params if params else _(msgid)

    elif callable(label):
        render = label
    else:
        return label, {}
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(render())[:300]
    written = labels.get((translation.get_language() or "")[:2]) or str(render())
    if len(set(labels.values())) <= 1:
        return written, {}
    return written, labels


def object_label(event: AuditEvent) -> str:
    """The object's text in the active language (older entries: as it was written)."""
    labels = event.object_labels or {}
    return labels.get((translation.get_language() or "")[:2]) or event.object_repr


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    customer_id: int | None = None,
    changes: list[dict[str, Any]] | None = None,
    summary: str = "",
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_repr: str | Said | Callable[[], str] | None = None,
    money: bool | None = None,
) -> AuditEvent:
    """Write one entry. ``money=True`` when the entry holds amounts (values, summary or the
    object's text): it is then shown only to those who may see the customer's economics.

    ``object_repr`` names the object: plain text (a customer's name, a file name), a message
    (:func:`say`) or a function giving the text (``lambda: f"{obj} · {obj.get_kind_display()}"``),
    both rendered in every language. Without it, the object's ``str()`` in every language."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        if object_repr is None:
            object_repr = obj.__str__
        if customer_id is None:
            # A record that belongs to a customer (a target form, a bid, a ledger item) is on
            # that customer's History tab without each action having to say so.
            customer_id = getattr(obj, "customer_id", None)
    object_text, object_labels = _labels(object_repr or "")
    if money is None:
        money = (object_type or "") in MONEY_TYPES
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=object_text[:300],
        object_labels=object_labels,
        customer_id=customer_id,
        summary=summary[:500],
        summary_message=(
            {"msgid": summary.msgid, "params": summary.params} if isinstance(summary, Said) else {}
        ),
        changes=changes or [],
        money=money,
    )


def _model_for(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    """``customers.customer`` → "customer" (translated), for people reading the trail."""
    model = _model_for(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def _readable(field, value: Any) -> Any:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "" or field is None:
        return value
    if isinstance(value, list):
        # A list field's values are named by the app that owns the field (core knows none).
        labels = registry["list_labels"].get(field.name) or {}
        return ", ".join(
            str(labels.get(v, v)) if isinstance(v, (str, int)) else _as_text(v) for v in value
        )
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    return value


def _as_text(value: Any) -> str:
    """A structured value kept in a JSON field (a pair of functions, a journey stage with its
    touchpoints) as one line of text for the trail: lists joined with commas, objects as
    "key: value" pairs, nested ones in brackets."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_as_text(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_as_text(v) for v in value) + ")"
    return "" if value is None else str(value)


def money_hidden(events: Iterable[AuditEvent], viewer) -> set[int]:
    """The ids of the money entries ``viewer`` may not read: those of customers whose economics
    they may not see (``can_see_economics``), and those of no customer unless they manage the
    programme. One query for the customers involved."""
    money = [e for e in events if e.money]
    if not money:
        return set()
    if getattr(viewer, "manages_programme", False) and viewer.is_active:
        return set()
    ids = {e.customer_id for e in money if e.customer_id is not None}
    # The customers app answers (core imports no business app); without it nobody sees money.
    economics_visible = hook("economics_visible_ids")
    allowed = economics_visible(viewer, ids) if economics_visible is not None and ids else set()
    return {e.pk for e in money if e.customer_id is None or e.customer_id not in allowed}


def describe(events: Iterable[AuditEvent], viewer) -> list[AuditEvent]:
    """Attach ``type_label`` and ``rows`` (field label, old, new — choices shown by their
    label) to each event, so templates show "Status: Candidate → Key account".

    A money entry ``viewer`` may not read keeps who, when and what kind of record, but loses
    its values, summary and the object's text (which for spend or an investment is the amount)
    and gets ``redacted = True``."""
    events = list(events)
    hidden = money_hidden(events, viewer)
    out = []
    for event in events:
        model = _model_for(event.object_type)
        event.type_label = str(model._meta.verbose_name) if model is not None else event.object_type  # type: ignore[attr-defined]
        event.redacted = event.pk in hidden  # type: ignore[attr-defined]
        if event.redacted:  # type: ignore[attr-defined]
            event.object_repr = ""
            event.object_labels = {}
            event.summary = ""
            event.rows = []  # type: ignore[attr-defined]
            out.append(event)
            continue
        event.summary = said(event)
        event.object_repr = object_label(event)
        rows = []
        for change in event.changes or []:
            name = change.get("field", "")
            field = None
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                except Exception:  # noqa: BLE001 - a field since removed: show its name
                    field = None
            rows.append(
                {
                    "label": str(getattr(field, "verbose_name", "") or name.replace("_", " ")),
                    "old": _readable(field, change.get("old")),
                    "new": _readable(field, change.get("new")),
                }
            )
        event.rows = rows  # type: ignore[attr-defined]
        out.append(event)
    return out
