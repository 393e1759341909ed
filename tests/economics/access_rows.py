"""Access rows of the economics pages (the account P&L, KAM investments, rates) and the
economics API: money is for admins, directors and the owning KAM (docs/roles.md)."""

from tests.access_policies import NOT_ALLOWED, Api, Web


def _pk(w):
    return {"pk": w.account.pk}


WEB = [
    Web(
        "economics:customer_tab",
        get="MONEY",
        post="MONEY",
        kwargs=_pk,
        data=lambda w: {"form": "spend", "sow-period": "2024", "sow-amount": "1000"},
    ),
    Web("economics:customer_export", get="MONEY", post=NOT_ALLOWED, kwargs=_pk),
    Web(
        "economics:activity_delete",
        get=NOT_ALLOWED,
        post="MONEY",
        kwargs=lambda w: {"pk": w.account.pk, "record_pk": w.record.pk},
    ),
    Web(
        "economics:investment_delete",
        get=NOT_ALLOWED,
        post="MONEY",
        kwargs=lambda w: {"pk": w.account.pk, "investment_pk": w.investment.pk},
    ),
    Web(
        "economics:spend_delete",
        get=NOT_ALLOWED,
        post="MONEY",
        kwargs=lambda w: {"pk": w.account.pk, "spend_pk": w.spend.pk},
    ),
    Web("economics:figures_help", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("economics:portfolio", get="MONEY_PORTFOLIO", post=NOT_ALLOWED),
    Web("economics:portfolio_export", get="MONEY_PORTFOLIO", post=NOT_ALLOWED),
    Web("economics:programme_investments", get="PROGRAMME", post="PROGRAMME"),
    Web(
        "economics:programme_investment_action",
        get=NOT_ALLOWED,
        post="PROGRAMME",
        kwargs=lambda w: {"investment_pk": w.programme_investment.pk},
    ),
    Web("economics:settings", get="PROGRAMME", post="PROGRAMME"),
    Web(
        "economics:rate_delete",
        get=NOT_ALLOWED,
        post="PROGRAMME",
        kwargs=lambda w: {"rate_pk": w.rate.pk},
    ),
]


def _cid(w):
    return {"customer_id": w.account.pk}


API = [
    Api("GET", "/economics/customers/{customer_id}/pnl", "MONEY", _cid, query="?period=2025"),
    Api("GET", "/economics/customers/{customer_id}/pnl/series", "MONEY", _cid),
    Api("GET", "/economics/customers/{customer_id}/figures", "READ", _cid),
    Api("GET", "/economics/portfolio", "MONEY_PORTFOLIO", query="?period=2025"),
    Api("GET", "/economics/activity-types", "KAMS"),
    Api(
        "POST",
        "/economics/activity-types",
        "PROGRAMME",
        body=lambda w: {"name": "Workshop", "driver": "minute", "rate": "500", "currency": "CLP"},
    ),
    Api("GET", "/economics/customers/{customer_id}/activities", "MONEY", _cid),
    Api(
        "POST",
        "/economics/customers/{customer_id}/activities",
        "MONEY",
        _cid,
        body=lambda w: {"activity_id": w.activity.pk, "month": "2026-01", "count": "1"},
    ),
    Api(
        "DELETE",
        "/economics/customers/{customer_id}/activities/{record_id}",
        "MONEY",
        lambda w: {"customer_id": w.account.pk, "record_id": w.record.pk},
    ),
    Api("GET", "/economics/customers/{customer_id}/investments", "MONEY", _cid),
    Api(
        "POST",
        "/economics/customers/{customer_id}/investments",
        "MONEY",
        _cid,
        body=lambda w: {"kind": "people", "amount": "1000", "date": "2026-01-15"},
    ),
    Api("GET", "/economics/investments", "PROGRAMME"),
    Api(
        "POST",
        "/economics/investments",
        "PROGRAMME",
        body=lambda w: {"kind": "people", "amount": "1000", "date": "2026-01-15"},
    ),
    Api("GET", "/economics/customers/{customer_id}/category-spend", "MONEY", _cid),
    Api(
        "POST",
        "/economics/customers/{customer_id}/category-spend",
        "MONEY",
        _cid,
        body=lambda w: {"period": "2025", "amount": "1000"},
    ),
    Api("GET", "/economics/rates", "KAMS"),
    Api(
        "POST",
        "/economics/rates",
        "PROGRAMME",
        body=lambda w: {"currency": "EUR", "period": "2026", "rate": "1000"},
    ),
]
