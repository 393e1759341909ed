"""Translated names for the plan's sections and the reasons a section counts as missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SECTION_LABELS = {
    "business": _("Customer's business and goals"),
    "objectives": _("Objectives"),
    "strategy": _("Strategy"),
    "actions": _("Actions"),
    "whitespace": _("Whitespace"),
    "initiatives": _("Co-creation initiatives"),
    "risks": _("Risks"),
    "reviews": _("Review meetings (QBR)"),
}

SECTION_HELP = {
    "business": _("What the customer does, where it is going, what it needs to succeed."),
    "objectives": _(
        "What we want to achieve with this account, measurable: a target and where we stand."
    ),
    "strategy": _("How we will reach the objectives."),
    "actions": _("Who does what by when. Share an action to show it on the joint plan."),
    "whitespace": _(
        "The customer's buying units × our offerings: where we sell today and where we could."
    ),
    "initiatives": _(
        "Ideas developed together with the customer, from idea to pilot to launch, with the value for each side."
    ),
    "risks": _("What could go wrong, how likely, how bad, and what we do about it."),
    "reviews": _("Quarterly business reviews with the customer and what came out of them."),
}

REASONS = {
    "empty": _("nothing written yet"),
    "too_short": _("only a few words: say more"),
    "no_target": _("no objective has a target"),
    "no_open_actions": _("no open action"),
    "no_owner_or_due": _("no open action has both an owner and a due date"),
    "no_mitigation": _("no risk has a mitigation"),
    "no_recent_review": _("no review meeting in the last 120 days"),
}

# How recently the plan changed. "Up to date" is not said here: a plan edited yesterday can
# still have overdue actions; that word belongs to the execution status below.
FRESHNESS_LABELS = {
    "fresh": _("Updated recently"),
    "aging": _("Getting old"),
    "stale": _("Stale"),
}

EXECUTION_LABELS = {
    "up_to_date": _("Up to date"),
    "aging": _("Getting old"),
    "behind": _("Behind"),
    "stale": _("Stale"),
}


def execution_problems(execution) -> list[str]:
    """What keeps the plan from being up to date, one phrase each, worst first."""
    out = []
    for key, n in execution.problems:
        if key == "overdue_actions":
            text = ngettext("%(n)s overdue action", "%(n)s overdue actions", n)
        elif key == "off_track":
            text = ngettext(
                "%(n)s objective past its date below target",
                "%(n)s objectives past their date below target",
                n,
            )
        elif key == "stale":
            text = ngettext("no change for %(n)s day", "no change for %(n)s days", n)
        else:
            text = ngettext("last change %(n)s day ago", "last change %(n)s days ago", n)
        out.append(text % {"n": n})
    return out


def missing_explained(completeness) -> list[tuple[str, StrOrPromise, StrOrPromise]]:
    """(section key, section label, reason) for each missing section."""
    return [
        (key, SECTION_LABELS[key], REASONS.get(reason, reason))
        for key, reason in completeness.missing.items()
    ]
