"""Behavioural anchors for each hat and level: what a KAM at that level actually does, so that
two assessors mean the same thing by a "3" (kam-domain.md §8)."""

from django.utils.translation import gettext_lazy as _

from .models import Hat

HAT_DESCRIPTIONS = {
    Hat.SALESPERSON: _("Grows sales and profitability of the account."),
    Hat.CONDUCTOR: _(
        "Leads a multifunctional team, many without formal authority, and wins top management's support."
    ),
    Hat.STRATEGIST: _("Plans the account and develops the customer over the long term."),
    Hat.INNOVATOR: _(
        "Co-creates solutions with the customer, brings technology and new ways to communicate."
    ),
}

ANCHORS = {
    Hat.SALESPERSON: {
        1: _("Takes orders when the customer calls; does not know the account's margin."),
        2: _("Chases volume and closes deals, often with discounts; knows revenue but not profit."),
        3: _(
            "Meets sales targets and negotiates price and terms with the account's margin in mind."
        ),
        4: _(
            "Grows sales and share of wallet profitably; sells value, not price; knows the account P&L."
        ),
        5: _(
            "Builds multi-year growth with the customer; defends margin and cost to serve; the account's profit after KAM rises year on year."
        ),
    },
    Hat.CONDUCTOR: {
        1: _("Works alone; colleagues from other functions hear about the account second hand."),
        2: _("Asks other functions for help case by case; no standing account team."),
        3: _("Runs an account team with members from several functions and regular meetings."),
        4: _(
            "Functional counterparts talk directly (logistics with logistics, finance with finance); the executive sponsor meets the customer."
        ),
        5: _(
            "Orchestrates the whole company for the customer: top management committed, every function engaged, conflicts solved without escalation."
        ),
    },
    Hat.STRATEGIST: {
        1: _("No account plan; reacts to the customer's requests."),
        2: _("Writes a plan for the annual exercise and rarely opens it again."),
        3: _("Keeps a living plan with objectives, actions and owners, reviewed each quarter."),
        4: _(
            "Understands the customer's business, strategy and decision-making unit; the plan follows their goals and whitespace."
        ),
        5: _(
            "Shapes the customer's agenda: joint long-term plan, reviewed with their top management; anticipates their market."
        ),
    },
    Hat.INNOVATOR: {
        1: _("Sells the standard catalogue only."),
        2: _("Passes on the customer's ideas to product teams, occasionally."),
        3: _("Proposes tailored solutions and runs at least one joint improvement project."),
        4: _(
            "Co-creates new solutions with the customer; brings new technology and channels (shared data, portals)."
        ),
        5: _(
            "Innovation with this customer is a stream: joint initiatives with measured value, new business models."
        ),
    },
}


def anchors_table():
    """[(hat value, label, description, [(level, anchor), …]), …] in hat order."""
    return [
        (hat.value, hat.label, HAT_DESCRIPTIONS[hat], sorted(ANCHORS[hat].items())) for hat in Hat
    ]
