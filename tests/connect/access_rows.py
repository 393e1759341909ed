"""Access rows of the Connections pages (tokens, calendar feed, webhooks, the admin's view of
every connection): see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Web


def _token(w):
    return {"pk": w.api_token.pk}


def _calendar(w):
    return {"pk": w.calendar_connection.pk}


def _webhook(w):
    return {"pk": w.webhook.pk}


WEB = [
    Web("connect:home", get="SIGNED_IN", post=NOT_ALLOWED),
    Web(
        "connect:token_new",
        get="SIGNED_IN",
        post="SIGNED_IN",
        data=lambda w: {"name": "Matrix", "scope": "read", "days": 5},
    ),
    Web("connect:token_revoke", get=NOT_ALLOWED, post="OWN_UPLOAD", kwargs=_token),
    Web("connect:feed_new", get=NOT_ALLOWED, post="SIGNED_IN"),
    Web("connect:feed_revoke", get=NOT_ALLOWED, post="SIGNED_IN", ok_get=(200, 302)),
    Web(
        "connect:feed",
        get="PUBLIC_TOKEN",
        post=NOT_ALLOWED,
        kwargs=lambda w: {"token": w.feed_token},
    ),
    Web(
        "connect:calendar_new",
        get="SIGNED_IN",
        post="SIGNED_IN",
        # Refused (no https) and shown again: the matrix checks who may reach the form.
        data=lambda w: {"name": "Matrix", "kind": "feed", "mode": "log", "url": "x"},
    ),
    Web("connect:calendar_sync", get=NOT_ALLOWED, post="OWN_UPLOAD", kwargs=_calendar),
    Web("connect:calendar_resume", get=NOT_ALLOWED, post="OWN_UPLOAD", kwargs=_calendar),
    Web(
        "connect:calendar_mode",
        get=NOT_ALLOWED,
        post="OWN_UPLOAD",
        kwargs=_calendar,
        data=lambda w: {"mode": "review"},
    ),
    Web("connect:calendar_delete", get=NOT_ALLOWED, post="OWN_UPLOAD", kwargs=_calendar),
    Web("connect:admin_calendar_delete", get=NOT_ALLOWED, post="ADMIN_ONLY", kwargs=_calendar),
    Web("connect:webhooks", get="PROGRAMME", post=NOT_ALLOWED),
    Web("connect:webhook_new", get="PROGRAMME", post="PROGRAMME"),
    Web("connect:webhook", get="PROGRAMME", post="PROGRAMME", kwargs=_webhook),
    Web("connect:webhook_delete", get=NOT_ALLOWED, post="PROGRAMME", kwargs=_webhook),
    Web("connect:admin", get="ADMIN_ONLY", post=NOT_ALLOWED),
    Web("connect:admin_token_revoke", get=NOT_ALLOWED, post="ADMIN_ONLY", kwargs=_token),
]
API: list = []
