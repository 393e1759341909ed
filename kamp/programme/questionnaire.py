"""The KAM readiness self-assessment: about 25 questions on the six investments in KAM (§6) and
the four challenges (§9), each with four concrete answers scored 0–3, and the step to take when
the answer is weak. Scoring is in ``readiness.py``."""

from django.utils.translation import gettext_lazy as _

AREAS = [
    # (key, label, group)
    ("people", _("Dedicated people"), "investment"),
    ("competence", _("Competence development"), "investment"),
    ("sponsorship", _("Top-management sponsorship"), "investment"),
    ("offering", _("Tailored products, services and solutions"), "investment"),
    ("technology", _("Technology and communication channels"), "investment"),
    ("structure", _("Sales structure"), "investment"),
    ("profitability", _("Profitability of key accounts"), "challenge"),
    ("right_kams", _("Having and keeping the right KAMs"), "challenge"),
    ("support", _("Internal support and customer-centred culture"), "challenge"),
    ("trust", _("Trust and long-term relationships"), "challenge"),
]
GROUPS = {"investment": _("The six investments in KAM"), "challenge": _("The four challenges")}

LEVEL_LABELS = {
    "starting": _("Getting started"),
    "developing": _("Developing"),
    "established": _("Established"),
    "advanced": _("Advanced"),
}
LEVEL_TEXT = {
    "starting": _(
        "KAM is still an intention: key customers are served like the rest, by salespeople, without plans or teams. Start small: choose a few accounts and give them an owner, a plan and a sponsor."
    ),
    "developing": _(
        "The foundations are there, but KAM rests on a few individuals. Make it a programme: common selection criteria, account plans that live, teams across functions and profitability measured per account."
    ),
    "established": _(
        "KAM works as a programme. The next gains come from measuring it: profit after KAM, relationship quality on both sides, and developing your KAMs' conductor and strategist hats."
    ),
    "advanced": _(
        "KAM is part of how the company works. Keep it honest: review the portfolio each year, co-create with your best customers and watch for relationships that drift."
    ),
}

# Each question: key, area, text, four answers (worst first; points 0–3), the step when weak.
QUESTIONS = [
    (
        "people_kam",
        "people",
        _("Who looks after your most strategic customers?"),
        [
            _("Whoever sells to them, like any other customer"),
            _("Senior salespeople, alongside their other customers"),
            _("Named key account managers, who also carry other accounts"),
            _("Dedicated key account managers with at most four key accounts each"),
        ],
        _(
            "Name one owner (a KAM) for each key account and limit each KAM to about four key accounts."
        ),
    ),
    (
        "people_team",
        "people",
        _("Do key accounts have a team from other functions?"),
        [
            _("No: other functions hear about them only when something goes wrong"),
            _("Informally: the KAM asks colleagues for favours"),
            _("Some accounts have named members from logistics, finance or operations"),
            _("Every key account has a multifunctional team with clear roles on the account"),
        ],
        _(
            "Give each key account a small team: a named colleague from operations, finance and service, with their role on the account."
        ),
    ),
    (
        "people_time",
        "people",
        _("How much of the KAM's time goes to developing the account (not firefighting or admin)?"),
        [_("Almost none"), _("About a quarter"), _("About half"), _("Most of it")],
        _(
            "Remove routine order handling from the KAMs (customer service, portals) so they can develop the accounts."
        ),
    ),
    (
        "competence_training",
        "competence",
        _("How are KAMs trained?"),
        [
            _("Not at all beyond sales training"),
            _("Occasional courses on negotiation"),
            _("A KAM curriculum: planning, finance, leading teams"),
            _("Continuous development, with each KAM's hats assessed and a plan per person"),
        ],
        _(
            "Assess each KAM's four hats (salesperson, conductor, strategist, innovator) and plan the training that closes the gaps."
        ),
    ),
    (
        "competence_customer",
        "competence",
        _("How well do you know your key customers' business?"),
        [
            _("We know what they buy from us"),
            _("We know their market and main competitors"),
            _("We know their strategy, their buying process and who decides"),
            _("We understand their customers and help them win there"),
        ],
        _(
            "Map each key account's decision-making unit and write down its business goals in the account plan."
        ),
    ),
    (
        "sponsorship_assigned",
        "sponsorship",
        _("Do key accounts have an executive sponsor from top management?"),
        [
            _("No"),
            _("Top management meets them only when there is a crisis"),
            _("Some key accounts have a named sponsor"),
            _("Every key account has a sponsor who meets the customer's top management regularly"),
        ],
        _(
            "Assign an executive sponsor to each key account and set two meetings a year with the customer's top management."
        ),
    ),
    (
        "sponsorship_review",
        "sponsorship",
        _("Does top management review the key account programme?"),
        [
            _("Never"),
            _("Once a year, with the budget"),
            _("Each quarter, sales figures"),
            _("Each quarter: profitability, relationships, plans and the KAMs themselves"),
        ],
        _(
            "Put a quarterly programme review on the management agenda: profitability, relationship health and plans."
        ),
    ),
    (
        "sponsorship_resources",
        "sponsorship",
        _("When a key account needs resources from another function, what happens?"),
        [
            _("The KAM has to fight for them every time"),
            _("They come if the KAM escalates"),
            _("There is a rule for it, mostly followed"),
            _(
                "Key accounts have priority, agreed by top management and built into the functions' goals"
            ),
        ],
        _(
            "Agree with top management how key accounts get resources from other functions, and put it in those functions' goals."
        ),
    ),
    (
        "offering_tailored",
        "offering",
        _("How much of what you offer key accounts is tailored to them?"),
        [
            _("Nothing: the same catalogue and prices"),
            _("Special prices and discounts"),
            _("Tailored services (logistics, reporting, support)"),
            _("Solutions developed with the customer for their needs"),
        ],
        _(
            "Find one need of each key account that a tailored service or solution could meet, beyond price."
        ),
    ),
    (
        "offering_cocreation",
        "offering",
        _("Do you co-create with key customers?"),
        [
            _("Never"),
            _("Ideas come up but are not followed"),
            _("A few joint projects have happened"),
            _("Joint initiatives run every year, with their value measured"),
        ],
        _(
            "Launch one co-creation initiative with your most collaborative key account and measure its value."
        ),
    ),
    (
        "technology_info",
        "technology",
        _("Where does information about key accounts live?"),
        [
            _("In people's heads and inboxes"),
            _("In spreadsheets and slides"),
            _("In a CRM, partly updated"),
            _(
                "In one shared place: plans, contacts, interactions and profitability, kept up to date"
            ),
        ],
        _(
            "Keep each key account's plan, contacts and interactions in one shared place, updated weekly."
        ),
    ),
    (
        "technology_channels",
        "technology",
        _("Which channels do you share with key customers?"),
        [
            _("E-mail and phone only"),
            _("Regular reports we send them"),
            _("Shared data or a portal for some accounts"),
            _("Linked systems and shared dashboards with the main key accounts"),
        ],
        _(
            "Offer your key accounts a shared channel (portal, shared data or dashboard) for orders, service and performance."
        ),
    ),
    (
        "structure_org",
        "structure",
        _("How is KAM placed in your sales organisation?"),
        [
            _("It is not: sales are organised by territory or product only"),
            _("Key customers are flagged, but handled by the territories"),
            _("There is a KAM unit or role, with its own goals"),
            _(
                "A KAM programme with a director, its own goals and incentives aligned to long-term account value"
            ),
        ],
        _(
            "Give the key accounts a programme owner (a KAM director) with its own goals, separate from territory sales."
        ),
    ),
    (
        "structure_selection",
        "structure",
        _("How are key accounts chosen?"),
        [
            _("The biggest customers by sales"),
            _("By sales plus the sales manager's judgement"),
            _("With explicit criteria of attractiveness and our position"),
            _(
                "With weighted criteria, reviewed each year, including the customer's will to co-invest"
            ),
        ],
        _(
            "Select key accounts with explicit criteria (attractiveness, your position, their will to co-invest) and keep the list short."
        ),
    ),
    (
        "profit_measure",
        "profitability",
        _("Do you know the profit of each key account?"),
        [
            _("We know its sales only"),
            _("We know its gross margin"),
            _("We know its margin after the cost to serve"),
            _(
                "We know its profit after the cost to serve and the KAM investments, over several years"
            ),
        ],
        _(
            "Measure each key account's cost to serve and KAM investments to know its profit after KAM."
        ),
    ),
    (
        "profit_demands",
        "profitability",
        _("How do you handle key customers' demands for extra services or discounts?"),
        [
            _("We say yes to everything: they are key"),
            _("We negotiate case by case"),
            _("We price extras and check them against the account's margin"),
            _("Every concession is an investment, decided against the account's expected return"),
        ],
        _(
            "Treat every concession to a key account as an investment: cost it and decide it against the account's return."
        ),
    ),
    (
        "profit_review",
        "profitability",
        _("What happens to a key account that loses money?"),
        [
            _("Nobody notices"),
            _("We notice at year end"),
            _("We discuss it and try to fix the price"),
            _("A plan to restore profitability, or a decision to change its status"),
        ],
        _(
            "Review loss-making key accounts each quarter and decide: restore profitability, or change the service model."
        ),
    ),
    (
        "kams_profile",
        "right_kams",
        _("What profile do you look for in a KAM?"),
        [
            _("A good closer"),
            _("A senior salesperson who knows the product"),
            _("Someone who can plan and lead a team without formal authority"),
            _(
                "All four hats: salesperson, orchestra conductor, strategist and innovator, matched to the accounts"
            ),
        ],
        _(
            "Write the KAM profile you need (the four hats) and compare each KAM against what their accounts call for."
        ),
    ),
    (
        "kams_retention",
        "right_kams",
        _("How long do KAMs stay on their accounts?"),
        [
            _("Less than a year"),
            _("One to two years"),
            _("Two to four years"),
            _("Long enough to build the relationship, with planned handovers"),
        ],
        _(
            "Plan KAM continuity: keep KAMs on their accounts for several years and hand over with the customer, never by e-mail."
        ),
    ),
    (
        "kams_incentives",
        "right_kams",
        _("How are KAMs rewarded?"),
        [
            _("Commission on this year's sales"),
            _("Sales targets plus a small bonus"),
            _("Sales and margin of their accounts"),
            _("Long-term account value: profit, relationship quality and plan delivery"),
        ],
        _(
            "Reward KAMs on long-term account value (profit after KAM and relationship quality), not only this year's sales."
        ),
    ),
    (
        "support_functions",
        "support",
        _("Do other functions see key customers as their concern too?"),
        [
            _("No: customers are sales' business"),
            _("When asked, reluctantly"),
            _("Several functions take part willingly"),
            _("Every function knows the key accounts and has goals tied to them"),
        ],
        _(
            "Share the key account list and plans with every function, and give each function a goal tied to key accounts."
        ),
    ),
    (
        "support_contacts",
        "support",
        _("Who on your side talks to the customer?"),
        [
            _("Only the KAM, with their buyer"),
            _("The KAM and, now and then, a manager"),
            _("Several people, in some functions"),
            _(
                "Functional counterparts talk directly: logistics with logistics, finance with finance…"
            ),
        ],
        _(
            "Open functional pairs with each key account (logistics, finance, quality) so the relationship does not hang on one thread."
        ),
    ),
    (
        "trust_measure",
        "trust",
        _("Do you measure the quality of your key relationships?"),
        [
            _("No"),
            _("We ask the KAM's opinion"),
            _("A customer satisfaction survey"),
            _("Trust, commitment, satisfaction and conflict, asked of both sides, each year"),
        ],
        _(
            "Survey trust, commitment, satisfaction and conflict on both sides of each key relationship once a year."
        ),
    ),
    (
        "trust_sharing",
        "trust",
        _("What information do key customers share with you?"),
        [
            _("Only what they need to order"),
            _("Forecasts, sometimes"),
            _("Plans and forecasts regularly"),
            _("Strategic plans, data and problems, openly, in both directions"),
        ],
        _(
            "Agree an information-sharing routine with each key account: forecasts, plans and performance, both ways."
        ),
    ),
    (
        "trust_horizon",
        "trust",
        _("What is the horizon of your relationship with key customers?"),
        [
            _("The next order"),
            _("The current contract"),
            _("Several years, informally"),
            _("A long-term partnership with joint goals and mutual commitment"),
        ],
        _("Agree long-term goals with each key customer and write them into a joint account plan."),
    ),
]


def questions_data():
    """The questionnaire as plain data for ``readiness.score``."""
    return [{"key": k, "area": a, "points": [0, 1, 2, 3]} for k, a, _t, _o, _s in QUESTIONS]


def question_map():
    return {
        k: {"key": k, "area": a, "text": t, "options": o, "step": s} for k, a, t, o, s in QUESTIONS
    }
