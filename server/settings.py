"""Tandem settings. Every value comes from the environment, with embedded defaults.

With no environment at all Tandem runs the demo: a SQLite file under ./var, django-q2 on
the ORM broker, email printed to the console, and Redis for the live layer (the one on
127.0.0.1:6379, or the private one `make run` starts). Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and the email variables (see README.md);
each secret can instead be read from a file, X_FILE=/run/secrets/x. The test suite runs
with server.settings_test, never because of what happens to be imported.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TANDEM_VAR_DIR", BASE_DIR / "var"))


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def envbool(name: str, default: bool) -> bool:
    # A typo must not quietly turn a security setting off: anything else is refused.
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean; use one of "
        f"{', '.join(_TRUE)} or {', '.join(_FALSE)} (any case), or leave it empty."
    )


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def envsecret(name: str, default: str = "") -> str:
    """NAME, or the contents of the file NAME_FILE names (Docker and systemd secrets),
    without its trailing newline. Both at once is refused: which one would win?"""
    value = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if not path:
        return value or default
    if value:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        return Path(path).read_text().rstrip("\r\n")
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{name}_FILE={path!r} cannot be read: {exc.strerror or exc}."
        ) from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _embedded_secret_key() -> str:
    # A self-hosted demo must not share a secret with every other install: make one
    # on first start and keep it beside the SQLite file.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = envbool("DEBUG", True)
SECRET_KEY = envsecret("SECRET_KEY") or _embedded_secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "axes",
    "django_q",
    "anymail",
    "csp",
    "programs",
    "presence",
    "notifications",
    "scheduling",
    "workspace",
    "feedback",
    "reports",
    # Its AppConfig connects the socket tickets' revocations (realtime/sockets/apps.py).
    "realtime.sockets.apps.RealtimeConfig",
    "web",
    "server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp (plus this page's WebSocket origin); outside CommonMiddleware so that its
    # 400 for a host not allowed gets the header too.
    "web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.middleware.UserPreferencesMiddleware",
    "web.middleware.AuditSourceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "server.urls"
ASGI_APPLICATION = "server.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "web.context_processors.navigation",
            ],
        },
    }
]
# Django's form renderer, drawing inputs and selects without templates (web/forms/renderer.py).
FORM_RENDERER = "web.forms.renderer.FormRenderer"

# Database: PostgreSQL in production and tests, a SQLite file (WAL) for the demo.
DATABASE_URL = envsecret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0), conn_health_checks=True
        )
    }
    # Off in the test suite (server/settings_test.py): a pool keeps connections to the
    # test database open, and pytest-django must drop it (the benchmarks run with it on).
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and envbool("DB_POOL", True):
        # Under ASGI every database_sync_to_async call closes "old" connections; without a
        # pool that is a new PostgreSQL connection per call, and a thousand browsers
        # reconnecting at once never get through their handshakes. Django's psycopg pool
        # hands connections back instead (persistent connections must then stay off).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": envint("DB_POOL_MIN", 1),
            "max_size": envint("DB_POOL_MAX", 20),
            "timeout": envint("DB_POOL_TIMEOUT", 10),
        }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Prepared statements: Django turns them off unless told. Its own queries bind
        # parameters client-side and are never prepared anyway; the few hot reads that
        # ask for it (the email log) are parsed and planned once per pooled connection.
        # Behind a transaction-mode pooler that cannot keep them, set it to "off".
        off = os.environ.get("DB_PREPARE_THRESHOLD", "").strip().lower() == "off"
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
            None if off else envint("DB_PREPARE_THRESHOLD", 5)
        )
    if envbool("DB_SERVER_SIDE_BINDING", False):
        # Server-side parameters for every query: psycopg then also prepares any
        # statement run DB_PREPARE_THRESHOLD times on a connection.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "tandem.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the channel layer and presence. One URL for both.
REDIS_URL = envsecret("REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "tandem")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # redis-py 8 defaults to a 5 s socket timeout, which kills channels-redis'
            # blocking reads on an idle layer.
            "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
            "prefix": f"{REDIS_PREFIX}:asgi",
            "capacity": envint("CHANNEL_CAPACITY", 500),
            "expiry": 60,
            "group_expiry": 86400,
        },
    }
}

# Presence policy (seconds). See docs/presence.md.
PRESENCE_HEARTBEAT_INTERVAL = envint("PRESENCE_HEARTBEAT_INTERVAL", 20)
PRESENCE_OFFLINE_AFTER = envint("PRESENCE_OFFLINE_AFTER", 60)
PRESENCE_WRITE_INTERVAL = envint("PRESENCE_WRITE_INTERVAL", 10)
PRESENCE_REDIS_CONNECTIONS = envint("PRESENCE_REDIS_CONNECTIONS", 100)
# A process announces its transitions per organisation in batches at most this late (ms).
PRESENCE_ANNOUNCE_MS = envint("PRESENCE_ANNOUNCE_MS", 200)

# The conversation (seconds). See docs/workspace.md «Conversation».
CONVERSATION_EDIT_WINDOW = envint("CONVERSATION_EDIT_WINDOW", 5 * 60)
CONVERSATION_EMAIL_QUIET = envint("CONVERSATION_EMAIL_QUIET", 15 * 60)

# Background jobs: django-q2 on the ORM broker (at-least-once; tasks are idempotent).
Q_TIMEOUT = envint("Q_TIMEOUT", 300)
Q_CLUSTER = {
    "name": "tandem",
    "orm": "default",
    "workers": envint("Q_WORKERS", 2),
    "timeout": Q_TIMEOUT,
    "retry": envint("Q_RETRY", 360),
    "max_attempts": 5,
    "catch_up": False,
    "poll": 1,
    "sync": False,
}

# Authentication: sign in by email; django-axes locks (email, IP) after repeated failures.
AUTH_USER_MODEL = "programs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "programs.accounts.MemberBackend",  # ModelBackend, the organisation read with the person
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 14 * 24 * 3600)
# Django's database sessions, their read compiled once on PostgreSQL (programs/sessions.py).
SESSION_ENGINE = "programs.sessions"
# A socket ticket opens a page's next WebSocket without a database read for this long (s);
# an open socket renews its ticket every half of it (realtime/sockets/tickets.py).
SOCKET_TICKET_MAX_AGE = envint("SOCKET_TICKET_MAX_AGE", 15 * 60)
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Public sign-up and «send the link again», per hour (web/throttle.py, docs/members.md).
SIGN_UP_RATE = envint("SIGN_UP_RATE", 10)
VERIFICATION_RESEND_RATE = envint("VERIFICATION_RESEND_RATE", 3)

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = None  # locked until unlocked by the emailed link or an administrator
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "programs.accounts.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "web.views.auth.lockout"
AXES_VERBOSE = False

# Email: console by default; any Django backend (django-anymail in production) by env.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tandem <noreply@tandem.localhost>")
EMAIL_MESSAGE_ID_DOMAIN = os.environ.get("EMAIL_MESSAGE_ID_DOMAIN", "tandem.localhost")
# The outbox heals itself (docs/email.md, "Nothing lost"): a queued email whose job has not
# claimed it after EMAIL_OUTBOX_GRACE seconds is queued again; one claimed longer ago than
# EMAIL_SENDING_STALE seconds (its worker died) is sent again; a transient failure is
# retried after each delay of EMAIL_RETRY_DELAYS (seconds) before it is «Échec».
EMAIL_OUTBOX_GRACE = envint("EMAIL_OUTBOX_GRACE", 120)
EMAIL_SENDING_STALE = envint("EMAIL_SENDING_STALE", Q_TIMEOUT + 60)
EMAIL_RETRY_DELAYS = [
    int(delay) for delay in envlist("EMAIL_RETRY_DELAYS", ["60", "300", "900", "3600", "14400"])
]
# A community message's dispatch that has said nothing for this long died: taken over.
COMMUNITY_DISPATCH_STALE = envint("COMMUNITY_DISPATCH_STALE", 300)
# django-anymail: the provider is chosen by EMAIL_BACKEND (e.g.
# anymail.backends.postmark.EmailBackend); its tracking webhooks post to /anymail/.
ANYMAIL = {
    key: value
    for key, value in {
        "WEBHOOK_SECRET": envsecret("ANYMAIL_WEBHOOK_SECRET"),
        "MAILGUN_API_KEY": envsecret("MAILGUN_API_KEY"),
        "MAILGUN_SENDER_DOMAIN": os.environ.get("MAILGUN_SENDER_DOMAIN", ""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": envsecret("MAILGUN_WEBHOOK_SIGNING_KEY"),
        "POSTMARK_SERVER_TOKEN": envsecret("POSTMARK_SERVER_TOKEN"),
    }.items()
    if value
}

# Internationalisation: English and French, dates in the viewer's zone.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
# French typography for dates and times («1 décembre 2026, 9 h 30»): web/formats/fr.
FORMAT_MODULE_PATH = ["web.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
DEFAULT_MEMBER_TIME_ZONE = "America/Toronto"
# Member import («Importer des membres», docs/members.md): the largest CSV file accepted
# and its most rows; an import queued or running that has not moved for
# MEMBER_IMPORT_GRACE seconds is queued again by the sweeper.
MEMBER_IMPORT_MAX_BYTES = envint("MEMBER_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
MEMBER_IMPORT_MAX_ROWS = envint("MEMBER_IMPORT_MAX_ROWS", 20_000)
MEMBER_IMPORT_GRACE = envint("MEMBER_IMPORT_GRACE", Q_TIMEOUT + 60)
# The program evaluation's one automatic reminder, this many days after the request.
EVALUATION_REMINDER_DAYS = envint("EVALUATION_REMINDER_DAYS", 7)
# «Exporter tous les rapports» (docs/reports.md): a finished ZIP is kept this many days,
# then the hourly cleanup deletes it; an archive queued or running that has not moved
# for REPORT_ARCHIVE_GRACE seconds is queued again by the sweeper.
REPORT_ARCHIVE_DAYS = envint("REPORT_ARCHIVE_DAYS", 7)
REPORT_ARCHIVE_GRACE = envint("REPORT_ARCHIVE_GRACE", Q_TIMEOUT + 60)

STATIC_URL = "/static/"
# Where collectstatic writes and WhiteNoise serves from (DEBUG=0).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Front-end packages come from npm (`make install`), never committed.
_NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    (f"vendor/{name}", _NODE_MODULES / name / "dist")
    for name in ("tom-select", "quill", "chart.js")
    if (_NODE_MODULES / name / "dist").is_dir()
]
# Uploaded files (community-message attachments): private, never served as /media/.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security: strict by default once DEBUG is off (manage.py check --deploy is clean).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# A refused form gets the app's own page in the visitor's language (web/templates/403_csrf.html).
CSRF_FAILURE_VIEW = "web.views.errors.csrf_failure"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and
# frames from our own origin only; no inline script, event handler, `style=` attribute or
# <style> element anywhere in the app (page styles live in tandem.css). connect-src gets
# this page's ws(s):// origin added per request (web.middleware). Two pages narrow it:
# an email preview's frame (inline styles, no script: web.views.email_frames) and the
# 500 page (its one <style>, by hash: web.views.errors). See docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}
