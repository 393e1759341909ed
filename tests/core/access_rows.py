"""Access rows of the site's own pages (home, login, language) and core's (settings, audit log,
imports): see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Exempt, Web

WEB = [
    Web("home", get="SIGNED_IN", post=NOT_ALLOWED),
    # A logged-in person asking for the login page is sent home (302).
    Web("login", get="PUBLIC", post="PUBLIC", ok_get=(200, 302)),
    Web("logout", get=NOT_ALLOWED, post="SIGNED_IN"),
    Web("set_language", get=NOT_ALLOWED, post="PUBLIC", data=lambda w: {"language": "en"}),
    Web("javascript-catalog", get="PUBLIC", post=NOT_ALLOWED),
    # The health check asked by load balancers: no login, no business data; 503 while the
    # test world has no worker heartbeat.
    Web("healthz", get="PUBLIC", post=NOT_ALLOWED, ok_get=(200, 503)),
    # One's own password: changed when logged in, reset by e-mail without.
    Web("password_change", get="SIGNED_IN", post="SIGNED_IN"),
    Web("password_change_done", get="SIGNED_IN", post=NOT_ALLOWED),
    Web(
        "password_reset",
        get="PUBLIC",
        post="PUBLIC",
        data=lambda w: {"email": "nobody@supplier.test"},
    ),
    Web("password_reset_done", get="PUBLIC", post=NOT_ALLOWED),
    # A link that is not (or no longer) valid says so.
    Web(
        "password_reset_confirm",
        get="PUBLIC",
        post="PUBLIC",
        kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"},
    ),
    Web("password_reset_complete", get="PUBLIC", post=NOT_ALLOWED),
    Web(
        "core:settings",
        get="PROGRAMME",
        post="PROGRAMME",
        data=lambda w: {"company_name": "SAF", "size_class": "sme", "base_currency": "CLP"},
    ),
    Web("core:audit", get="PROGRAMME", post=NOT_ALLOWED),
    Web("core:imports", get="KAMS", post="KAMS"),
    Web("core:import_sample", get="KAMS", post=NOT_ALLOWED, kwargs=lambda w: {"kind": "customers"}),
    Web(
        "core:import_batch",
        get="IMPORT_OWN",
        post=NOT_ALLOWED,
        kwargs=lambda w: {"pk": w.import_batch.pk},
    ),
    # A batch that is not waiting for its columns sends on to the imports page (302).
    Web(
        "core:import_mapping",
        get="IMPORT_OWN",
        post="IMPORT_OWN",
        kwargs=lambda w: {"pk": w.import_batch.pk},
        ok_get=(200, 302),
    ),
    Web(
        "core:import_run",
        get=NOT_ALLOWED,
        post="IMPORT_OWN",
        kwargs=lambda w: {"pk": w.import_batch.pk},
    ),
    # A batch not in progress answers 204 (HTMX stops polling and reloads).
    Web(
        "core:import_progress",
        get="IMPORT_OWN",
        post=NOT_ALLOWED,
        kwargs=lambda w: {"pk": w.import_batch.pk},
        ok_get=(200, 204),
    ),
    Web(
        "core:import_revert",
        get=NOT_ALLOWED,
        post="ADMIN_ONLY",
        kwargs=lambda w: {"pk": w.import_batch.pk},
    ),
    # Ana's private saved mapping: deleted by her or an admin, unseen by everyone else.
    Web(
        "core:delete_saved_mapping",
        get=NOT_ALLOWED,
        post="MAPPING_OWN",
        kwargs=lambda w: {"pk": w.saved_mapping.pk},
    ),
    Web(
        "core:import_discard",
        get=NOT_ALLOWED,
        post="IMPORT_OWN",
        kwargs=lambda w: {"pk": w.import_batch.pk},
    ),
    # Django's admin (data repair): its front page, one app's page and one model's pages stand
    # for the rest, which AdminSite guards the same way (exempted below).
    Web("admin:index", get="DJANGO_ADMIN", post=NOT_ALLOWED),
    Web(
        "admin:app_list",
        get="DJANGO_ADMIN",
        post=NOT_ALLOWED,
        kwargs=lambda w: {"app_label": "customers"},
    ),
    Web("admin:customers_customer_changelist", get="DJANGO_ADMIN", post="DJANGO_ADMIN"),
    Web(
        "admin:customers_customer_change",
        get="DJANGO_ADMIN",
        post="DJANGO_ADMIN",
        kwargs=lambda w: {"object_id": str(w.account.pk)},
    ),
    Web("admin:core_user_changelist", get="DJANGO_ADMIN", post="DJANGO_ADMIN"),
    # The API's schema and its docs page; the operations themselves are the API rows.
    Web("api-1:openapi-json", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("api-1:openapi-view", get="SIGNED_IN", post=NOT_ALLOWED),
]

API: list[Api] = []

EXEMPT = [
    Exempt(
        ("metrics",),
        "Prometheus metrics: no person's role opens it, only the KAMP_METRICS_TOKEN bearer "
        "token (404 without; tests/core/test_metrics.py)",
    ),
    Exempt(
        ("api-1:api-root",),
        "django-ninja's catch-all for /api/v1/ itself: no page there (404; 401 without login)",
    ),
    Exempt(
        ("admin:",),
        "Django's admin site: every page is behind AdminSite.has_permission (active staff); "
        "the front page and the customer and user pages above are requested for everyone",
    ),
]
