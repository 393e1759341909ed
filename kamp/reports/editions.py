"""The two editions of the plan exports (QBR deck and PDF one-pager), and — in one place — what
is internal: never shown in the customer edition, in any format.

- **internal**: everything the reader may see (money only for those who may see economics).
- **customer**: what both sides share: the perception gap per construct from the two-sided
  survey, the joint plan (non-financial objectives, the actions shared with the customer), the
  co-creation initiatives and their value for the customer, next quarter's agenda.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INTERNAL = "internal"
CUSTOMER = "customer"
EDITIONS = {INTERNAL: _("Internal"), CUSTOMER: _("Customer edition")}


def parse(value: str | None) -> str | None:
    """The edition asked for (internal when not said), None for an unknown one."""
    value = (value or INTERNAL).strip().lower()
    return value if value in EDITIONS else None


# Fields whose values are internal: (app label, model, field, rows). ``rows`` narrows a model to
# the rows that are internal (a plan action is internal unless it is shared with the customer).
# A choice field's internal values are its labels. The tests read every one of these for the
# demo accounts and find none of them in the customer edition's text (slides, notes, charts'
# data, the PDF).
INTERNAL_FIELDS: list[tuple[str, str, str, dict]] = [
    ("customers", "Customer", "notes", {}),
    ("customers", "Contact", "attitude", {}),  # DMU attitudes: champion … opponent
    ("plans", "AccountPlan", "strategy", {}),
    ("plans", "PlanAction", "title", {"shared_with_customer": False}),
    ("plans", "Initiative", "value_for_us", {}),
    ("plans", "Risk", "title", {}),
    ("plans", "Risk", "mitigation", {}),
    ("plans", "WhitespaceCell", "note", {}),
    ("plans", "Review", "outcomes", {}),
    # The buying process is shared (its steps, who decides, when); our note on a step (who
    # really decides, how to get through it) is not. The journey stays: its touchpoints and
    # pain points are the customer's own (kam-domain.md §4).
    ("plans", "BuyingStep", "note", {}),
    ("relationships", "Assessment", "note", {}),  # who the real decider is, and such
    ("relationships", "Assessment", "type", {}),  # our dependence reading of the relationship
    ("relationships", "StageRecord", "reason", {}),
]

# Internal money: every line of the account's P&L and the money figures (docs/figures.md), by
# their names; their amounts are never computed for the customer edition.
INTERNAL_LABELS = [
    _("Net revenue"),
    _("Cost of goods"),
    _("Gross margin"),
    _("Cost to serve"),
    _("Contribution"),
    _("KAM investments"),
    _("Profit after KAM"),
    _("Share of wallet"),
    _("Whitespace"),
    _("Attitude"),
]


def is_customer(edition: str) -> bool:
    return edition == CUSTOMER
