"""Django settings for kamp.

Configuration comes from the environment (KAMP_*); every default is safe for a single-user demo
on a laptop. See README.md, "Configuration".
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
KAMP_HOME = Path(os.environ.get("KAMP_HOME", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("KAMP_DEBUG", False)
TESTING = _env_bool("KAMP_TESTING", False)


def _secret_key() -> str:
    key = os.environ.get("KAMP_SECRET_KEY")
    if key:
        return key
    # A single-machine install keeps a generated key in its data folder so sessions survive
    # restarts; a team install sets KAMP_SECRET_KEY for every app process.
    path = KAMP_HOME / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        from django.core.management.utils import get_random_secret_key

        KAMP_HOME.mkdir(parents=True, exist_ok=True)
        key = get_random_secret_key()
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("KAMP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("KAMP_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "kamp.core",
    "kamp.customers",
    "kamp.team",
    "kamp.economics",
    "kamp.selection",
    "kamp.relationships",
    "kamp.interactions",
    "kamp.plans",
    "kamp.programme",
    "kamp.reports",
    "kamp.connect",
    "kamp.mailcapture",
    "kamp.pipeline",
    "kamp.sso",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
]

MIDDLEWARE = [
    # First and last: django-prometheus times the whole request (KAMP_METRICS_TOKEN).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "kamp.core.requestlog.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kamp.core.middleware.SessionRenewalMiddleware",
    "kamp.core.request_memo.RequestMemoMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kamp.core.middleware.MalformedInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kamp.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "kamp.core.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "kamp.urls"
WSGI_APPLICATION = "kamp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kamp.core.context_processors.kamp",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                # ``{{ obj.pk|unlocalize }}``: ids in markup (attributes, URLs, form values)
                # must not be grouped like the numbers shown to people (``1,234``).
                "django.templatetags.l10n",
                "kamp.core.templatetags.kamp",
            ],
        },
    }
]

# Form fields drawn with Django's Jinja2 form templates (the same markup, several times faster);
# the admin's own widget templates with Django's (kamp.core.formrenderer).
FORM_RENDERER = "kamp.core.formrenderer.FormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite in the data folder by default; PostgreSQL (or any dj-database-url URL) through
# KAMP_DATABASE_URL. The test suite switches with KAMP_TEST_DATABASE_URL.
_db_url = os.environ.get("KAMP_TEST_DATABASE_URL") if TESTING else None
_db_url = (
    _db_url or os.environ.get("KAMP_DATABASE_URL") or f"sqlite:///{KAMP_HOME / 'kamp.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the web process read while the worker imports. Transactions begin IMMEDIATE:
    # they take the write lock at BEGIN and wait for it (the busy timeout). A DEFERRED
    # transaction that has read and then writes is refused at once ("database is locked")
    # when another connection wrote meanwhile, whatever the timeout — SQLite cannot let it
    # write on a stale snapshot. Only writers open transactions (no ATOMIC_REQUESTS): reads
    # run in autocommit and never wait for a writer.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's e-mail and password, refused when KAMP_PASSWORD_LOGIN=off (but for break-glass).
    "kamp.sso.backends.PasswordBackend",
    # Single sign-on (OpenID Connect): only the provider's callback reaches it.
    "kamp.sso.backends.OIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = not TESTING
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The login form's field is "username" (it holds the e-mail); without this axes would look for
# "email", record every failure without a username and never lock anyone out.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# Failures count per person *and* client address (AXES_LOCKOUT_PARAMETERS above): a stranger's
# wrong passwords lock out the stranger's address, not the real user elsewhere. The person is the
# e-mail lower-cased, so "Ana@…" and "ANA@…" share one count. `kamp unlock EMAIL` lifts a
# lockout (docs/security.md).
AXES_USERNAME_CALLABLE = "kamp.core.lockout.axes_username"

# --- Single sign-on (OpenID Connect: kamp/sso, docs/connections.md) --------------------------
# On when an issuer and a client id are set: the login page shows "Log in with single sign-on".
# Endpoints come from the issuer's discovery document unless given one by one below.
KAMP_OIDC_ISSUER = os.environ.get("KAMP_OIDC_ISSUER", "").strip()
KAMP_OIDC_CLIENT_ID = os.environ.get("KAMP_OIDC_CLIENT_ID", "").strip()
KAMP_OIDC_CLIENT_SECRET = os.environ.get("KAMP_OIDC_CLIENT_SECRET", "")
KAMP_OIDC_SCOPES = os.environ.get("KAMP_OIDC_SCOPES", "openid email profile")
KAMP_OIDC_AUTHORIZATION_ENDPOINT = os.environ.get("KAMP_OIDC_AUTHORIZATION_ENDPOINT", "")
KAMP_OIDC_TOKEN_ENDPOINT = os.environ.get("KAMP_OIDC_TOKEN_ENDPOINT", "")
KAMP_OIDC_USERINFO_ENDPOINT = os.environ.get("KAMP_OIDC_USERINFO_ENDPOINT", "")
KAMP_OIDC_JWKS_URI = os.environ.get("KAMP_OIDC_JWKS_URI", "")
KAMP_OIDC_END_SESSION_ENDPOINT = os.environ.get("KAMP_OIDC_END_SESSION_ENDPOINT", "")
KAMP_OIDC_SIGN_ALGO = os.environ.get("KAMP_OIDC_SIGN_ALGO", "RS256")
# The claim that must be true for the e-mail to count (Entra ID: xms_edov).
KAMP_OIDC_VERIFIED_CLAIM = os.environ.get("KAMP_OIDC_VERIFIED_CLAIM", "email_verified")
# Unknown people are refused unless this names the role they get (viewer, member, kam, …).
KAMP_OIDC_PROVISION_ROLE = os.environ.get("KAMP_OIDC_PROVISION_ROLE", "").strip().lower()
# A claim (dotted path allowed: realm_access.roles) that sets the role at each login, through
# KAMP_OIDC_ROLE_MAP ("kamp-admins=admin,kamp-kams=kam"; without a map, values named as roles).
KAMP_OIDC_ROLE_CLAIM = os.environ.get("KAMP_OIDC_ROLE_CLAIM", "").strip()
KAMP_OIDC_ROLE_MAP = os.environ.get("KAMP_OIDC_ROLE_MAP", "")
# off: only the break-glass users (comma-separated e-mails) may log in with a password.
KAMP_PASSWORD_LOGIN = os.environ.get("KAMP_PASSWORD_LOGIN", "on")
KAMP_BREAK_GLASS_USERS = os.environ.get("KAMP_BREAK_GLASS_USERS", "")

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# A session ends after this long without a request (default 10 h: a working day, then log in
# again); requests renew it, at most once a minute (kamp.core.middleware.SessionRenewalMiddleware).
# Django's default was two weeks from the login, idle or not.
KAMP_SESSION_IDLE_MINUTES = max(1, int(os.environ.get("KAMP_SESSION_IDLE_MINUTES", "600")))
SESSION_COOKIE_AGE = KAMP_SESSION_IDLE_MINUTES * 60
KAMP_SESSION_RENEW_SECONDS = min(60, SESSION_COOKIE_AGE // 10)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("KAMP_SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = _env_bool("KAMP_BEHIND_PROXY", False)
# How many proxies stand in front of kamp, each appending the address it received from to
# X-Forwarded-For (one: Caddy or nginx; two: a load balancer and nginx).
KAMP_PROXIES = max(1, int(os.environ.get("KAMP_PROXIES", "1")))
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The client address for the login lockout (axes asks django-ipware): REMOTE_ADDR is the
    # proxy, so every failure would count against everyone. The client is the entry the
    # nearest trusted proxies appended, counted from the right of X-Forwarded-For; what a
    # client wrote further left itself is ignored. Not strict: a client's own forwarded-for
    # entries (a corporate proxy's) must not make the chain "invalid" and fall back to the
    # proxy's address, which all clients would share.
    AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...] = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = KAMP_PROXIES - 1
    IPWARE_STRICT = False
else:
    # Without a proxy a forwarded-for header is whatever the client wants it to be.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# HSTS: once a browser has reached kamp over https it refuses plain http to this host for a year.
# Django sends it on https responses only, which kamp sees behind the TLS proxy. Subdomains are
# left out: they may be other services. 0 turns it off (e.g. while trying the proxy setup).
SECURE_HSTS_SECONDS = int(
    os.environ.get("KAMP_HSTS_SECONDS", str(365 * 24 * 3600 if BEHIND_PROXY else 0))
)

from csp.constants import NONE, SELF  # noqa: E402

PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty <style>
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # maplibre-gl's CSS
]
PLOTLY_STYLE_ATTR_HASHES = [
    "'sha256-wkY2X5hecQzbhnFCqvTpwrUJ1f4X8LH5WFjYUzv1wmU='",  # font-weight:bold
    "'sha256-r8zR3S6YuWY5tpo2Y0PvZHW5fa+SKLNon9zbEWb5UPA='",  # font-style:italic
    "'sha256-bf6abJUd6fwdt4BY9f/TN71HiUpMmYtJlSm1o0nDb1o='",  # the typology's small grey text
]

# Every asset is served by kamp itself. No inline script and no inline style: templates use
# kamp.css classes; Plotly styles its charts through the CSSOM (element.style, insertRule), which
# the policy does not restrict. What Plotly writes as markup is allowed by its exact content and
# nothing else (docs/security.md): two <style> elements (the empty sheet it fills with insertRule,
# the map library's sheet it adds on load) and, as attributes, the bold, italic and small-grey
# text of kamp's chart labels (<b>, <i>, <span style> in Plotly text). plotly.js 3.8.2 (the
# `plotly` package 7.1): after an upgrade tests/browser/test_security_csp.py names a new hash.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *PLOTLY_STYLE_HASHES],
        "style-src-attr": ["'unsafe-hashes'", *PLOTLY_STYLE_ATTR_HASHES],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("KAMP_TIME_ZONE", "America/Santiago")
FORMAT_MODULE_PATH = ["kamp.formats"]
USE_THOUSAND_SEPARATOR = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = KAMP_HOME / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(KAMP_HOME / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = KAMP_HOME / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# --- Background tasks ----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# After every change (an audit event committed), the worker prepares the figures whose first
# view would otherwise compute them in the request: the selection run, the ranked portfolio.
# One pending task per kind at most. Off in tests (the immediate backend would run them at once).
KAMP_PREPARE_AFTER_CHANGES = _env_bool("KAMP_PREPARE_AFTER_CHANGES", not TESTING)

# Webhooks (kamp.connect, docs/api.md): how long a receiver has to answer, how many tries a
# delivery gets (1, 2, 4… minutes apart), how many failed tries in a row turn an endpoint off.
KAMP_WEBHOOK_TIMEOUT = float(os.environ.get("KAMP_WEBHOOK_TIMEOUT", 10))
KAMP_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("KAMP_WEBHOOK_MAX_ATTEMPTS", 8))
KAMP_WEBHOOK_DISABLE_AFTER = int(os.environ.get("KAMP_WEBHOOK_DISABLE_AFTER", 10))
# Mail capture (kamp.mailcapture): how often the worker reads the dropbox mailbox, after how
# many failed checks in a row the admins get an alert, the IMAP timeout (seconds) and an extra
# CA bundle to trust (a company's own mail server certificate).
KAMP_MAIL_SYNC_MINUTES = max(1, int(os.environ.get("KAMP_MAIL_SYNC_MINUTES", 15)))
KAMP_MAIL_ALERT_AFTER = max(1, int(os.environ.get("KAMP_MAIL_ALERT_AFTER", 3)))
KAMP_MAIL_TIMEOUT = float(os.environ.get("KAMP_MAIL_TIMEOUT", 30))
KAMP_MAIL_CA_FILE = os.environ.get("KAMP_MAIL_CA_FILE", "")
# Calendar sync (kamp.connect.calendars, docs/connections.md): every how many minutes the worker
# reads each connected calendar; after how many failed syncs in a row a connection stops (and
# its owner gets an alert); how long and how large one read may be. Addresses must be https
# unless KAMP_CALENDAR_ALLOW_HTTP (a server on this machine, in the tests).
KAMP_CALENDAR_SYNC_MINUTES = int(os.environ.get("KAMP_CALENDAR_SYNC_MINUTES", 15))
KAMP_CALENDAR_SYNC_STOP_AFTER = int(os.environ.get("KAMP_CALENDAR_SYNC_STOP_AFTER", 5))
KAMP_CALENDAR_SYNC_TIMEOUT = float(os.environ.get("KAMP_CALENDAR_SYNC_TIMEOUT", 120))
KAMP_CALENDAR_SYNC_MAX_BYTES = int(
    os.environ.get("KAMP_CALENDAR_SYNC_MAX_BYTES", 100 * 1024 * 1024)
)
KAMP_CALENDAR_ALLOW_HTTP = _env_bool("KAMP_CALENDAR_ALLOW_HTTP", False)
# Calendar servers, secret calendar addresses and webhook receivers are reached only on the
# public internet (kamp.connect.netguard, docs/security.md): never loopback, link-local (cloud
# metadata), private networks or this server, unless these allow it — a list of networks
# ("10.20.0.0/16,192.168.5.7") or every address (a server on this machine, in the tests).
KAMP_CONNECT_ALLOWED_NETWORKS = os.environ.get("KAMP_CONNECT_ALLOWED_NETWORKS", "")
KAMP_CONNECT_ALLOW_PRIVATE = _env_bool("KAMP_CONNECT_ALLOW_PRIVATE", False)

# --- E-mail --------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "KAMP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("KAMP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KAMP_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KAMP_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KAMP_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("KAMP_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("KAMP_FROM_EMAIL", "kamp@localhost")
KAMP_BASE_URL = os.environ.get("KAMP_BASE_URL", "http://127.0.0.1:8000")

# --- kamp ----------------------------------------------------------------------------------
KAMP_BASE_CURRENCY = os.environ.get("KAMP_BASE_CURRENCY", "USD")

# KAMP_LOG_FORMAT=json: one JSON object per line for a log collector (kamp.core.requestlog);
# either way each record carries the request's id (X-Request-ID).
KAMP_LOG_FORMAT = os.environ.get("KAMP_LOG_FORMAT", "text").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "expected_403": {"()": "kamp.logfilters.ExpectedForbiddenFilter"},
        "request_id": {"()": "kamp.core.requestlog.RequestIdFilter"},
    },
    "formatters": {"json": {"()": "kamp.core.requestlog.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            **({"formatter": "json"} if KAMP_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KAMP_LOG_LEVEL", "WARNING")},
    # A refused request is one line, not a traceback (kamp.logfilters).
    "loggers": {"django.request": {"filters": ["expected_403"]}},
}

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "kamp.core.staticfinders.PlotlyFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]

# Cards on the customer summary, badges on the homes and alerts are found by name in each
# app (summary.py, alerts.py: kamp.core.registry.discover), not listed here.

# Files larger than this (bytes) or with more rows than this are imported by the worker.
KAMP_IMPORT_INLINE_MAX_BYTES = 2 * 1024 * 1024
KAMP_IMPORT_INLINE_MAX_ROWS = 5000
# Bounds for any file a person uploads (imports, calendars): larger uploads are refused with a
# message (the CLI reads files of any size from the shell). An XLSX is a ZIP: its unpacked
# sheet and strings are bounded too, so a small file cannot unpack into gigabytes.
KAMP_IMPORT_MAX_BYTES = int(os.environ.get("KAMP_IMPORT_MAX_BYTES", 100 * 1024 * 1024))
KAMP_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("KAMP_IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
)
KAMP_IMPORT_MAX_COLUMNS = 500
KAMP_IMPORT_MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
# Calendar (.ics) uploads larger than this are read and matched by the worker.
KAMP_CALENDAR_INLINE_MAX_BYTES = 512 * 1024

# --- operations (docs/operations.md) ---------------------------------------------------------
# /metrics answers only with "Authorization: Bearer <token>"; unset, there is no /metrics (404).
KAMP_METRICS_TOKEN = os.environ.get("KAMP_METRICS_TOKEN", "")
# /healthz answers 503 when the freshest worker heartbeat is older than this (seconds), or when
# KAMP_HOME has less free space than this (bytes).
KAMP_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("KAMP_WORKER_HEARTBEAT_SECONDS", 15))
KAMP_HEALTH_WORKER_MAX_AGE = float(os.environ.get("KAMP_HEALTH_WORKER_MAX_AGE", 120))
KAMP_HEALTH_MIN_FREE_BYTES = int(os.environ.get("KAMP_HEALTH_MIN_FREE_BYTES", 512 * 1024 * 1024))
