"""Access rows of the plan exports (PDF, PowerPoint) and their look (identity, customer logo):
see docs/roles.md. Both editions of an export follow READ; the internal one shows money only to
those MONEY allows (tests/reports/test_editions.py)."""

from tests.access_policies import NOT_ALLOWED, Api, Web

WEB = [
    Web("reports:plan_pdf", get="READ", post=NOT_ALLOWED, kwargs=lambda w: {"plan_pk": w.plan.pk}),
    Web("reports:plan_pptx", get="READ", post=NOT_ALLOWED, kwargs=lambda w: {"plan_pk": w.plan.pk}),
    # Settings → identity for exports: the programme's settings.
    Web(
        "reports:identity",
        get="PROGRAMME",
        post="PROGRAMME",
        data=lambda w: {"primary_color": "#112233", "accent_color": "#445566", "font": "Arial"},
    ),
    # The customer's logo on its exports: whoever edits the account.
    Web(
        "reports:customer_logo",
        get="EDIT",
        post="EDIT",
        kwargs=lambda w: {"customer_pk": w.account.pk},
        data=lambda w: {"remove": "on"},
    ),
]

API: list[Api] = []
