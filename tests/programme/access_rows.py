"""Access rows of the programme pages (dashboard, health, benefits, alerts inbox, readiness,
digest) and the programme API: see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web

WEB = [
    Web("programme:dashboard", get="PROGRAMME", post=NOT_ALLOWED),
    Web("programme:health", get="PROGRAMME", post=NOT_ALLOWED),
    Web("programme:benefits", get="MONEY_PORTFOLIO", post=NOT_ALLOWED),
    Web("programme:alerts", get="PROGRAMME", post=NOT_ALLOWED),
    Web(
        "programme:alert_dismiss",
        get=NOT_ALLOWED,
        post="PROGRAMME",
        data=lambda w: {"key": w.alert_key, "reason": "Seen in the matrix"},
    ),
    Web("programme:alert_history", get="PROGRAMME", post=NOT_ALLOWED),
    Web(
        "programme:alert_restore",
        get=NOT_ALLOWED,
        post="PROGRAMME",
        kwargs=lambda w: {"pk": w.dismissal.pk},
    ),
    Web("programme:readiness", get="PROGRAMME", post=NOT_ALLOWED),
    Web("programme:readiness_take", get="PROGRAMME", post="PROGRAMME"),
    Web(
        "programme:readiness_result",
        get="PROGRAMME",
        post=NOT_ALLOWED,
        kwargs=lambda w: {"pk": w.readiness.pk},
    ),
    Web("programme:digest", get="SIGNED_IN", post=NOT_ALLOWED),
]

API = [
    Api("GET", "/programme/health", "PROGRAMME"),
    Api("GET", "/programme/benefits", "MONEY_PORTFOLIO"),
    Api("GET", "/programme/alerts", "PROGRAMME"),
    Api(
        "POST",
        "/programme/alerts/dismiss",
        "PROGRAMME",
        body=lambda w: {"key": w.alert_key, "reason": "Seen in the matrix"},
    ),
    Api("GET", "/programme/readiness", "PROGRAMME"),
    Api("GET", "/programme/readiness/{pk}", "PROGRAMME", lambda w: {"pk": w.readiness.pk}),
    Api("GET", "/programme/kams", "KAMS"),
    Api("GET", "/programme/kams/{pk}", "KAM_SELF", lambda w: {"pk": w.users["kam_own"].pk}),
]
