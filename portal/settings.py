"""Strefa settings. Everything that differs between machines comes from the environment."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.startup import EnvValues, production_config_errors, storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Numbers, switches and lists, checked: a malformed one stops the start (end of this file).
values = EnvValues(env)

DEBUG = values.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a key that is never used with DEBUG off.
    SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 (guarded by DEBUG above)

ALLOWED_HOSTS = values.hosts("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "portal.tasks_app.TasksDbConfig",  # django_tasks_db, named in Polish
    "simple_history",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "accounts",
    "premises",
    "notifications",
    "finance",
    "meters",
    "failures",
    "correspondence",
    "community",
    "documents",
    "office",
    "imports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before CommonMiddleware's host check: load balancers probe by the server's address.
    "portal.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.security_headers.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After CSRF and messages: its admin check runs after CSRF's and leaves a message.
    "portal.request_checks.RequestChecksMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "accounts.staff_mfa.StaffMfaRequiredMiddleware",
    # Last: serves a resident page kept since the database last changed (lib/page_cache.py).
    "lib.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.layout",
            ],
        },
    },
]

DATABASES = {
    "default": values.database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection per request costs more than the request.
DATABASES["default"]["CONN_MAX_AGE"] = values.int(
    "CONN_MAX_AGE", default=0 if DEBUG else 60, unit="seconds"
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = values.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip (portal/postgresql).
    DATABASES["default"]["ENGINE"] = "portal.postgresql"


def _sqlite_writes_wait(database: dict) -> dict:
    """SQLite transactions that take the write lock when they begin (the embedded default).

    In SQLite's default (deferred) transactions two requests that read and then write, as a
    double click does, both read; the second then cannot take the write lock the first holds and
    fails at once with "database is locked", a 500. ``BEGIN IMMEDIATE`` makes the second wait
    (up to ``timeout`` seconds) until the first commits and then read what it wrote, as
    ``select_for_update`` does on PostgreSQL.
    """
    if database.get("ENGINE") != "django.db.backends.sqlite3":
        return database
    options = database.setdefault("OPTIONS", {})
    options.setdefault("transaction_mode", "IMMEDIATE")
    options.setdefault("timeout", 20)
    return database


_sqlite_writes_wait(DATABASES["default"])


def _without_jit(database: dict, *, jit: bool) -> dict:
    """PostgreSQL's JIT off for the portal's connections (``DB_JIT=true`` keeps the server's).

    Every query of the portal is short and indexed, but the planner's row estimates for the
    scoped lists are often far too high: JIT then compiled each of them, adding 0.7–3.3 s to a
    query that runs in milliseconds (issue 17). Options already in the URL are kept.
    """
    if jit or "postgresql" not in database.get("ENGINE", ""):
        return database
    options = database.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return database


_without_jit(DATABASES["default"], jit=values.bool("DB_JIT", default=False))


# A query the connection has run this many times is prepared on the server (psycopg).
PREPARE_THRESHOLD = 5


def _with_prepared_statements(database: dict, *, prepared: bool) -> dict:
    """Prepared statements for the portal's PostgreSQL connections (``DB_PREPARED_STATEMENTS``).

    Each page runs the same few queries on every request. With the values sent apart from the
    SQL (server-side binding) psycopg prepares a query once a connection has run it
    ``PREPARE_THRESHOLD`` times; PostgreSQL then no longer parses it, and plans it once for all
    values where that plan is as good as one per value. For these short queries planning took
    longer than running (0.6 ms against 0.06 ms for the documents count): pages answered 15–30%
    faster (issue 17). Behind a pooler that hands one connection to several clients in turn
    (PgBouncer in transaction mode before 1.21), set ``DB_PREPARED_STATEMENTS=false``.
    """
    if not prepared or "postgresql" not in database.get("ENGINE", ""):
        return database
    options = database.setdefault("OPTIONS", {})
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", PREPARE_THRESHOLD)
    return database


_with_prepared_statements(
    DATABASES["default"], prepared=values.bool("DB_PREPARED_STATEMENTS", default=True)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _cache_config(url: str) -> dict:
    """``CACHE_URL`` as a cache; Redis through django-redis, degrading instead of failing.

    Rate limits live in the cache: when Redis is down a login must still work (the limits are
    skipped for that moment), so errors are ignored and logged, with short socket timeouts.
    """
    config = environ.Env.cache_url_config(url)
    if url.split(":", 1)[0] in {"rediscache", "redis", "rediss"}:
        config["BACKEND"] = "lib.cache.DegradingRedisCache"
        config["OPTIONS"] = {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            **config.get("OPTIONS", {}),
        }
    return config


CACHE_URL = env.str("CACHE_URL", default="locmemcache://")
CACHES = {"default": _cache_config(CACHE_URL)}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Rendered resident pages kept until the next write to the database (lib/page_cache.py). Only a
# cache shared by every process can tell them all of a write: Redis only (in a dbcache:// the
# cache's own writes would be writes), on by default there.
PAGE_CACHE = values.bool("PAGE_CACHE", default=True) and (
    CACHES["default"]["BACKEND"] == "lib.cache.DegradingRedisCache"
)
PAGE_CACHE_SECONDS = 60
DJANGO_REDIS_LOGGER = "lib.cache"

# XLSX export of a cell with a control character answers a row, not a 500. Formula injection:
# every admin export goes through lib.spreadsheets (office.admin_mixins), which prefixes cells
# starting with = + - @ tab CR; the library's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT stays off
# because it strips only a leading "=" (so "+cmd|…" still runs) and turns every cell into text.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True

# Two reference views for ``make bench`` (bench/run.py); never on in production.
BENCH_VIEWS = values.bool("BENCH_VIEWS", default=False)

AUTH_USER_MODEL = "accounts.User"
# One backend: allauth's (logins, rate limits, timing-attack mitigation) with the signed-in user
# read with the session in one plain SQL statement (accounts/sessions.py, accounts/backends.py).
# Sessions made under the two backends listed before were moved to it (accounts migration 0005).
AUTHENTICATION_BACKENDS = ["accounts.backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: logins are issued by the office; there is no sign-up and no e-mail login.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# A reset link stops working once the account is deactivated.
_RESET_TOKENS = "accounts.tokens.ActiveAccountTokenGenerator"
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = _RESET_TOKENS
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_FORMS = {
    "login": "accounts.forms.PortalLoginForm",
    "reset_password": "accounts.forms.LoginAndEmailResetForm",
    "reauthenticate": "accounts.mfa.PortalReauthenticateForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Strefa] "
# Rate limits (allauth, in the shared cache). Per visitor IP: behind a proxy set
# TRUSTED_PROXY_COUNT, or every visitor shares the proxy's address. "key" of login_failed is
# "<client IP>|<login>" (accounts.adapter), never the Host header; per login alone there is a
# progressive delay instead of a lock-out (accounts.adapter.LOGIN_DELAY).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    # Current-password checks on /profil/haslo/ (accounts.views.PasswordChangeView).
    "change_password": "5/m/user,10/h/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = values.int("TRUSTED_PROXY_COUNT", default=0)
# "Zalogowano jako Anna Nowak." and the header's name, not the numeric login.
ACCOUNT_USER_DISPLAY = "portal.display.user_display"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Strefa"
MFA_ADAPTER = "accounts.mfa.MfaAdapter"
MFA_FORMS = {
    "authenticate": "accounts.mfa.PortalMfaAuthenticateForm",
    "reauthenticate": "accounts.mfa.PortalMfaReauthenticateForm",
    "activate_totp": "accounts.mfa.PortalActivateTotpForm",
}
# allauth refuses two-factor login while an unverified e-mail row exists, against squatters who
# sign up with someone else's address. There is no sign-up here (the office issues logins and
# keeps the contact e-mail), but a password-reset request leaves such a row, which would block
# every resident who ever asked for a reset.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Re-authentication (before two-factor changes and contact changes): the password, or the
# authenticator code when two-factor login is on; never a code mailed to the address at stake.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# Staff and board accounts must use two-factor login: enrolment is forced at their first
# admin access (accounts.staff_mfa); residents may switch it on in Profil.
STREFA_STAFF_MFA_REQUIRED = values.bool("STAFF_MFA_REQUIRED", default=True)
# A reset link is valid for this long (seconds) and only until the password changes.
PASSWORD_RESET_TIMEOUT = values.int(
    "PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24, min_value=60, unit="seconds"
)

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("polski"))]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served publicly: uploads go through access-checked views
# Uploads: local disk by default (one app server); with several app servers S3-compatible
# object storage through django-storages: STORAGE_URL=s3://bucket/prefix?endpoint_url=… or
# the AWS_* variables (credentials may also come from the instance's role).
STORAGE_URL = env.str("STORAGE_URL", default="")
_AWS = {
    "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
    "access_key": env.str("AWS_ACCESS_KEY_ID", default=""),
    "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=""),
    "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=""),
    "region_name": env.str("AWS_S3_REGION_NAME", default=""),
    "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=""),
}
try:
    _DEFAULT_STORAGE = storage_from_url(STORAGE_URL, media_root=str(MEDIA_ROOT), aws=_AWS)
except ValueError as exc:  # a scheme it does not know: named with the other problems
    values.problems.append(str(exc))
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
_EMAIL_OPTIONS = EMAIL_CONFIG.pop("OPTIONS", {}) or {}
vars().update(EMAIL_CONFIG)
# A relay that accepts the connection and never answers must not hang a worker:
# `EMAIL_URL=smtp+tls://…?timeout=15` or `EMAIL_TIMEOUT` (seconds), 10 by default.
if "TIMEOUT" in _EMAIL_OPTIONS:
    EMAIL_TIMEOUT = values.float(
        "EMAIL_URL timeout",
        value=_EMAIL_OPTIONS["TIMEOUT"],
        default=10,
        min_value=1,
        unit="seconds",
    )
else:
    EMAIL_TIMEOUT = values.float("EMAIL_TIMEOUT", default=10, min_value=1, unit="seconds")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Strefa <strefa@localhost>" if DEBUG else ""
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Who gets error reports by e-mail: ADMINS=Name <a@example.pl>,b@example.pl
ADMINS = values.admins("ADMINS")

# Background work: the demo runs tasks in-process; production sets TASKS_BACKEND to the
# database backend and runs `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# SMS: "console" for development; SMSAPI.pl in production (notifications.sms.SmsApiBackend).
# Unset or empty (as .env.example suggests) is the console backend.
SMS_BACKEND = env.str("SMS_BACKEND", default="") or "notifications.sms.ConsoleSmsBackend"
SMSAPI_TOKEN = env.str("SMSAPI_TOKEN", default="")
SMS_SENDER = env.str("SMS_SENDER", default="")
# The gateway's API address (another SMSAPI domain, a proxy or a test double).
SMSAPI_URL = env.str("SMSAPI_URL", default="https://api.smsapi.pl/")
# Idempotency keys (`idx`) sent with each SMS: unique per installation sharing one account.
SMS_IDX_PREFIX = env.str("SMS_IDX_PREFIX", default="strefa-")
if SMS_BACKEND.endswith("SmsApiBackend") and not SMSAPI_TOKEN:
    raise ImproperlyConfigured("SMS_BACKEND is SMSAPI.pl but SMSAPI_TOKEN is not set.")
# Outbox: a failed e-mail/SMS is retried with back-off, then marked failed after this many.
NOTIFICATIONS_MAX_ATTEMPTS = values.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5, min_value=1)
# What a resident may send per hour (every attempt counts; kept in the cache, see CACHE_URL).
RESIDENT_RATE_LIMITS = {
    "failure_report": (
        values.int("RATE_LIMIT_FAILURE_REPORTS_PER_HOUR", default=10, min_value=1),
        3600,
    ),
    "message": (values.int("RATE_LIMIT_MESSAGES_PER_HOUR", default=20, min_value=1), 3600),
    "reading": (values.int("RATE_LIMIT_READINGS_PER_HOUR", default=30, min_value=1), 3600),
}

# Payment reminders go out this many days before the community's due day (at most 28: a
# month's reminder never starts before the last month's due day).
PAYMENT_REMINDER_DAYS_BEFORE = values.int(
    "PAYMENT_REMINDER_DAYS_BEFORE", default=3, max_value=28, unit="days"
)
# The portal's public address, for links in e-mails and SMS.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000" if DEBUG else "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_ENGINE = "accounts.sessions"  # Django's database sessions, read with their user
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = values.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = values.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe the app servers over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthcheck/$"]
    # HSTS is switched on by the operator once the site is known to be served only over TLS.
    SECURE_HSTS_SECONDS = values.int("SECURE_HSTS_SECONDS", default=0, unit="seconds")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = values.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = values.bool("SECURE_HSTS_PRELOAD", default=False)
    if SESSION_COOKIE_SECURE:
        # "__Host-": the browser accepts these only over HTTPS, for this exact host, path "/".
        SESSION_COOKIE_NAME = "__Host-sessionid"
        CSRF_COOKIE_NAME = "__Host-csrftoken"

# Strict Content-Security-Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Integration API (api/): bearer keys only, JSON only, requests per key (STREFA_API_RATE).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.authentication.ApiKeyThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "api.authentication.exception_handler",
}
STREFA_API_RATE = values.rate("STREFA_API_RATE", default="600/min")
# The public OpenAPI schema (/api/schema/): downloads per visitor IP per minute (TRUSTED_PROXY_COUNT
# decides the IP, as for logins). The schema itself is built once and kept in the cache.
API_SCHEMA_RATE_LIMIT = (
    values.int("RATE_LIMIT_API_SCHEMA_PER_MINUTE", default=30, min_value=1),
    60,
)
SPECTACULAR_SETTINGS = {
    "TITLE": "Strefa – API integracji",
    "DESCRIPTION": "Synchronizacja z systemem księgowym biura. Przewodnik: docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FailureStatusEnum": "failures.models.FailureReport.Status",
        "ThreadStatusEnum": "correspondence.models.Thread.Status",
    },
}

# Upload limits (photos of failures and meters, attachments).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest body a form takes (five photos of 10 MB with a failure report or a message; in
# admin five attachments of 20 MB with a letter or announcement; plus the form); a bigger one is
# refused before it is read (portal/request_checks.py): Django streams uploads of any size to
# temporary files, even for a visitor not logged in.
MAX_REQUEST_BYTES = 105 * 1024 * 1024

STREFA_VERSION_PACKAGE = "strefa"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": values.log_level("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Optional error tracking: SENTRY_DSN switches it on when sentry-sdk is installed
# (`pip install sentry-sdk`); it is not a dependency of Strefa.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
# Checked even without a DSN: a wrong value is named before anyone switches Sentry on.
SENTRY_TRACES_SAMPLE_RATE = values.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0, max_value=1)
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError as exc:
        raise ImproperlyConfigured("SENTRY_DSN is set but sentry-sdk is not installed.") from exc
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        send_default_pii=False,
    )

_problems = list(values.problems)
if not DEBUG:
    _problems += production_config_errors(
        allowed_hosts=ALLOWED_HOSTS,
        portal_url=PORTAL_URL,
        default_from_email=DEFAULT_FROM_EMAIL,
        storage=STORAGES["default"],
        aws=_AWS,
        # Unset, mail would only be printed to the log and rate limits kept per process:
        # production names them (consolemail:// or locmemcache:// only as a deliberate choice).
        unset=[name for name in ("EMAIL_URL", "CACHE_URL") if not env.str(name, default="")],
    )
if _problems:
    raise ImproperlyConfigured("Strefa is not fully configured:\n- " + "\n- ".join(_problems))
