"""The lines of the account P&L as pages and exports show them: each line's key, label, how it is
computed and where its inputs are entered. The Economics tab and the Excel export both read them
from here, so neither imports the other."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

# Each P&L line: (key, label, how it is computed, where its inputs are, is a subtotal).
PNL_ROWS = [
    (
        "net_revenue",
        pgettext_lazy("P&L line", "Net revenue"),
        gettext_lazy("Sum of the invoiced sales lines' net amounts (after discounts and rebates)."),
        "sales",
        False,
    ),
    (
        "cost_of_goods",
        gettext_lazy("Cost of goods"),
        gettext_lazy("Sum of the sales lines' cost."),
        "sales",
        False,
    ),
    (
        "gross_margin",
        gettext_lazy("Gross margin"),
        gettext_lazy("Net revenue − cost of goods."),
        "",
        True,
    ),
    (
        "cost_to_serve",
        gettext_lazy("Cost to serve"),
        gettext_lazy(
            "Sum of the activities done for the account: rate × minutes × count, or "
            "rate × count for activities costed per event."
        ),
        "cost-to-serve",
        False,
    ),
    (
        "contribution",
        gettext_lazy("Contribution"),
        gettext_lazy("Gross margin − cost to serve."),
        "",
        True,
    ),
    (
        "kam_investments",
        gettext_lazy("KAM investments"),
        gettext_lazy("The account's own investments plus its share of programme-wide ones."),
        "investments",
        False,
    ),
    (
        "profit_after_kam",
        gettext_lazy("Profit after KAM"),
        gettext_lazy("Contribution − KAM investments: what the account leaves after all it costs."),
        "",
        True,
    ),
]
# The lines that are costs: the Economics tab prints a minus sign before their label.
COSTS = {"cost_of_goods", "cost_to_serve", "kam_investments"}
