"""Django settings, read from the environment. Missing or malformed values fail loudly.

Environment:
- ``BOUNTY_DATA_DIR``: where every file lives (default ``<repo>/var``): the SQLite database, the
  filesystem broker, competition splits and engine state, uploaded model files.
- ``DATABASE_URL``: a database URL (PostgreSQL via psycopg 3); SQLite in the data dir without it.
- ``REDIS_URL``: the Celery broker; a filesystem broker in the data dir without it.
- ``DJANGO_DEBUG=1`` turns debug on; ``BOUNTY_DEMO=1`` / ``BOUNTY_TEST=1`` mark a local demo or
  the test suite (a secret key is then generated and kept in the data dir).
- ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` (comma separated), ``DJANGO_CSRF_TRUSTED_ORIGINS``,
  ``DJANGO_SECURE_COOKIES``, ``DJANGO_STATIC_ROOT``, ``BOUNTY_MAX_MODEL_BYTES``,
  ``BOUNTY_BROKER_DIR`` (the filesystem broker's folder, default ``$BOUNTY_DATA_DIR/broker``).
- ``BOUNTY_API_RATE_ANON``, ``BOUNTY_API_RATE_USER``, ``BOUNTY_API_RATE_SUBMIT``,
  ``BOUNTY_API_RATE_LOGIN``: API throttle rates such as ``60/minute`` (see ``REST_FRAMEWORK``);
  the login and submit rates also limit the web pages, and ``BOUNTY_RATE_SIGNUP`` new accounts,
  ``BOUNTY_RATE_CONFIRMATION_RESEND`` the confirmation emails a user may ask for again,
  ``BOUNTY_RATE_PASSWORD_RESET`` the password-reset emails asked for per client address,
  ``BOUNTY_RATE_PRECHECK`` the free sandbox runs of a pair before it is queued, per user.
- Hardening (docs/security.md): ``DJANGO_SECURE_SSL_REDIRECT``, ``DJANGO_HSTS_SECONDS``,
  ``DJANGO_HSTS_INCLUDE_SUBDOMAINS``, ``DJANGO_HSTS_PRELOAD``, ``DJANGO_SECURE_PROXY_SSL_HEADER``,
  ``BOUNTY_CONTENT_SECURITY_POLICY``, ``BOUNTY_MAX_REQUEST_BYTES`` and ``BOUNTY_DATA_MAX_BYTES`` (the
  organizers' data uploads), ``BOUNTY_CACHE_URL`` (a shared
  Redis cache for the rate-limit counters), ``BOUNTY_SCORING_LEASE_SECONDS``,
  ``BOUNTY_SCORING_MAX_ATTEMPTS``, ``BOUNTY_QUEUE_RESEND_SECONDS`` and ``BOUNTY_REAP_INTERVAL_SECONDS``
  (the lease and the reaper), ``BOUNTY_SHARD_ROWS``
  (hidden splits longer than this are scored in parallel shards).
- Shared file store (``bounty/storage``, docs/operators.md "Scaling out"): ``BOUNTY_S3_BUCKET`` keeps
  files in that bucket (S3 or MinIO: ``BOUNTY_S3_ENDPOINT_URL``, ``BOUNTY_S3_REGION``,
  ``BOUNTY_S3_ACCESS_KEY_ID``, ``BOUNTY_S3_SECRET_ACCESS_KEY``, ``BOUNTY_S3_PREFIX``), or
  ``BOUNTY_STORE_DIR`` in a folder; then ``BOUNTY_DATA_DIR`` is each host's own copy and cache, capped by
  ``BOUNTY_CACHE_MAX_BYTES``. Neither set: every file is in ``BOUNTY_DATA_DIR``.
- ``BOUNTY_TRUSTED_PROXIES``: comma-separated addresses or networks (``10.0.0.5``, ``10.0.0.0/8``) of
  the reverse proxies in front of the site; none by default, and then ``X-Forwarded-For`` is ignored
  (``bounty/client_ip.py``, docs/security.md "Behind a proxy").
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

REPO_DIR = Path(__file__).resolve().parent.parent
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1")
    return value


_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def _env_rate(name: str, default: str) -> str:
    """A DRF throttle rate (``<count>/<second|minute|hour|day>``)."""
    value = os.environ.get(name, "").strip() or default
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name} must look like 60/minute (per second, minute, hour or day)")
    return value


def _env_list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def _env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks (CIDR), each checked."""
    networks = _env_list(name)
    for value in networks:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP address or network") from None
    return networks


DEBUG = _env_bool("DJANGO_DEBUG")
DEMO = _env_bool("BOUNTY_DEMO")
TESTING = _env_bool("BOUNTY_TEST")
LOCAL = DEBUG or DEMO or TESTING

BOUNTY_DATA_DIR = Path(os.environ.get("BOUNTY_DATA_DIR") or REPO_DIR / "var").resolve()
BOUNTY_DATA_DIR.mkdir(parents=True, exist_ok=True)
BOUNTY_MAX_MODEL_BYTES = _env_int("BOUNTY_MAX_MODEL_BYTES", 20 * 1024 * 1024)
# Models a team may fit on the site in an hour (``bounty.lifecycle.fit``; fitting costs no quota).
BOUNTY_FITS_PER_HOUR = _env_int("BOUNTY_FITS_PER_HOUR", 10)
# Create-competition wizard, public reports and last-mile audits (bounty/services/wizard*.py,
# reports.py, last_mile.py). Groups smaller than the minimum size are never shown in a report.
# An organizer's data file is streamed to disk and read in batches (memory bounded), so its limits are
# large: BOUNTY_DATA_MAX_BYTES (below, also the request limit of the data uploads) and this row limit.
BOUNTY_WIZARD_MAX_ROWS = _env_int("BOUNTY_WIZARD_MAX_ROWS", 10_000_000)
BOUNTY_WIZARD_MAX_TRAIN_ROWS = _env_int("BOUNTY_WIZARD_MAX_TRAIN_ROWS", 200_000)
BOUNTY_REPORT_MIN_GROUP_SIZE = _env_int("BOUNTY_REPORT_MIN_GROUP_SIZE", 30)
BOUNTY_AUDIT_MAX_BYTES = _env_int("BOUNTY_AUDIT_MAX_BYTES", 10 * 1024 * 1024)
BOUNTY_AUDIT_MAX_ROWS = _env_int("BOUNTY_AUDIT_MAX_ROWS", 100_000)


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if key:
        return key
    if not LOCAL:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in production, or set BOUNTY_DEMO=1 for a local demo."
        )
    path = BOUNTY_DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS") or (["localhost", "127.0.0.1"] if LOCAL else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is not set (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_bool("DJANGO_SECURE_COOKIES", not LOCAL)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS and browser hardening (docs/security.md). Redirect and HSTS follow secure cookies unless set.
SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_HSTS_SECONDS = _env_int("DJANGO_HSTS_SECONDS", 31_536_000) if SECURE_SSL_REDIRECT else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("DJANGO_HSTS_PRELOAD", True)
if _env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):  # behind a proxy that sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
# The reverse proxies whose X-Forwarded-For is believed (bounty/client_ip.py); none by default.
BOUNTY_TRUSTED_PROXIES = _env_networks("BOUNTY_TRUSTED_PROXIES")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
BOUNTY_CONTENT_SECURITY_POLICY = os.environ.get("BOUNTY_CONTENT_SECURITY_POLICY", "").strip()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "bounty",
]

MIDDLEWARE = [
    "bounty.monitoring.requests.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "bounty.security.RequestSizeLimitMiddleware",
    "bounty.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bounty.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "bounty.urls"
WSGI_APPLICATION = "bounty.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPO_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bounty.context_processors.notices",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, Any]]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        try:
            config: dict[str, Any] = dict(
                dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
            )
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BOUNTY_DATA_DIR / "db.sqlite3"),
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["TEST"] = {"NAME": str(BOUNTY_DATA_DIR / "test_db.sqlite3")}
    elif "postgresql" in config["ENGINE"]:
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].setdefault("connect_timeout", 10)
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Rate-limit counters live in the cache: set BOUNTY_CACHE_URL (redis://...) to share them between
# processes in production; without it each process counts on its own.
if os.environ.get("BOUNTY_CACHE_URL", "").strip():
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["BOUNTY_CACHE_URL"].strip(),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [REPO_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BOUNTY_DATA_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


def _shared_store() -> dict[str, Any] | None:
    """Django's storage for the shared file store (``bounty.storage.remote``), if one is configured."""
    bucket = os.environ.get("BOUNTY_S3_BUCKET", "").strip()
    folder = os.environ.get("BOUNTY_STORE_DIR", "").strip()
    if bucket and folder:
        raise ImproperlyConfigured("Set BOUNTY_S3_BUCKET or BOUNTY_STORE_DIR, not both.")
    if folder:
        options = {"location": str(Path(folder).resolve()), "allow_overwrite": True}
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": options}
    if not bucket:
        return None
    s3 = {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("BOUNTY_S3_ENDPOINT_URL", "").strip() or None,
        "region_name": os.environ.get("BOUNTY_S3_REGION", "").strip() or None,
        "access_key": os.environ.get("BOUNTY_S3_ACCESS_KEY_ID", "").strip() or None,
        "secret_key": os.environ.get("BOUNTY_S3_SECRET_ACCESS_KEY", "").strip() or None,
        "location": os.environ.get("BOUNTY_S3_PREFIX", "").strip().strip("/"),
        "default_acl": None,  # objects inherit the bucket's policy: private (it holds hidden splits)
        "querystring_auth": True,
        "file_overwrite": True,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3}


_SHARED_STORE = _shared_store()
if _SHARED_STORE is not None:
    STORAGES["bounty"] = _SHARED_STORE
# Prometheus scrapes /metrics with "Authorization: Bearer <this>" (staff sessions see it too).
BOUNTY_METRICS_TOKEN = os.environ.get("BOUNTY_METRICS_TOKEN", "").strip()
# Each host's cache of the shared store's blobs (models, frames): least recently used go past this.
BOUNTY_CACHE_MAX_BYTES = _env_int("BOUNTY_CACHE_MAX_BYTES", 20 * 1024**3)
WHITENOISE_USE_FINDERS = LOCAL
WHITENOISE_AUTOREFRESH = LOCAL
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Whole request bodies (two model files and a form) are refused above this, before they are read.
BOUNTY_MAX_REQUEST_BYTES = _env_int("BOUNTY_MAX_REQUEST_BYTES", 2 * BOUNTY_MAX_MODEL_BYTES + 1024 * 1024)
# ... except organizers' data uploads (the wizard's data step, /api/v1/organize/): refused above this.
BOUNTY_DATA_MAX_BYTES = _env_int("BOUNTY_DATA_MAX_BYTES", 8 * 1024**3)

# -- REST API (bounty/api) -----------------------------------------------------------------------
# Deny by default: every endpoint needs a logged-in user unless it opens itself explicitly.
# Throttle counters live in the default cache (per process unless a shared cache is configured).
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",  # first: 401 + WWW-Authenticate
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies nested deeper than a stated limit are refused before they are parsed (400).
    "DEFAULT_PARSER_CLASSES": [
        "bounty.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "bounty.api.throttles.AnonReadThrottle",
        "bounty.api.throttles.UserReadThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _env_rate("BOUNTY_API_RATE_ANON", "60/minute"),
        "user": _env_rate("BOUNTY_API_RATE_USER", "600/minute"),
        "submit": _env_rate("BOUNTY_API_RATE_SUBMIT", "30/hour"),
        "login": _env_rate("BOUNTY_API_RATE_LOGIN", "10/minute"),
        "signup": _env_rate("BOUNTY_RATE_SIGNUP", "20/hour"),
        "password_reset": _env_rate("BOUNTY_RATE_PASSWORD_RESET", "5/hour"),
        "resend": _env_rate("BOUNTY_RATE_CONFIRMATION_RESEND", "3/hour"),
        # free sandbox runs of a pair before it is queued (bounty.lifecycle.precheck), per user
        "precheck": _env_rate("BOUNTY_RATE_PRECHECK", "30/hour"),
    },
    "EXCEPTION_HANDLER": "bounty.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Bias Bounty API",
    "DESCRIPTION": (
        "Submit (group, model) pairs to a bias bounty and follow their decisions. Authenticate with "
        "`Authorization: Token <key>` (POST /api/v1/auth/token) or a browser session. Every error "
        'answers `{"error": {"code", "message", "field"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PATH_CONVERTER_OVERRIDES": {"slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}},
    "ENUM_NAME_OVERRIDES": {
        "CompetitionStatusEnum": "bounty.models.competition.CompetitionStatus",
        "SubmissionStatusEnum": "bounty.models.submission.SubmissionStatus",
        "VersionKindEnum": "bounty.models.version.VersionKind",
        "TaskEnum": "bounty.models.competition.TaskKind",
        "SubmissionKindEnum": "bounty.models.submission.SubmissionKind",
        "LedgerEntryKindEnum": "bounty.models.reward.EntryKind",
        "JobStatusEnum": ["queued", "running", "done", "failed"],  # Explore's landscapes and fits
    },
}

# -- Celery ---------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# The filesystem broker's folders (used without REDIS_URL); every process must see the same ones.
BOUNTY_BROKER_DIR = Path(os.environ.get("BOUNTY_BROKER_DIR") or BOUNTY_DATA_DIR / "broker").resolve()
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"visibility_timeout": 3600}
else:
    for _sub in ("queue", "control", "processed"):
        (BOUNTY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BOUNTY_BROKER_DIR / "queue"),
        "data_folder_out": str(BOUNTY_BROKER_DIR / "queue"),
        "control_folder": str(BOUNTY_BROKER_DIR / "control"),
        "processed_folder": str(BOUNTY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# Results are kept only by the shard tasks of a sharded evaluation (a chord needs a result backend);
# without Redis the shards run one after another in the scoring task (bounty.lifecycle.shards).
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {
    name: {"queue": "scoring"}
    for name in ("bounty.score_submission", "bounty.evaluate_shard", "bounty.finish_shards")
}
CELERY_TASK_ROUTES["bounty.precheck_pair"] = {"queue": "precheck"}  # short runs, not behind scoring
CELERY_TASK_ROUTES["bounty.explore_landscape"] = {"queue": "explore"}  # Explore's landscapes, per version
CELERY_TASK_ROUTES["bounty.fit_model"] = {"queue": "fit"}  # fitting without code: apart from scoring
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A prefork pool child starts its sandbox zygote (imports and a tiny fit: 3-5 s on 2 busy cores) in
# worker_process_init, before it reports up; Celery's default of 4 s kills it and starts another, forever.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 60.0
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits out a broker restart, however long
# A claimed submission's lease (bounty.lifecycle.lease): renewed every third of it while it is evaluated;
# a claim silent for longer belongs to a lost worker, and the reaper (bounty.lifecycle.reaper, run by
# beat every BOUNTY_REAP_INTERVAL_SECONDS) puts it back on the queue. A queued submission whose message
# was sent longer ago than BOUNTY_QUEUE_RESEND_SECONDS is sent again (a broker that lost it).
BOUNTY_SCORING_LEASE_SECONDS = _env_int("BOUNTY_SCORING_LEASE_SECONDS", 45)
BOUNTY_SCORING_MAX_ATTEMPTS = _env_int("BOUNTY_SCORING_MAX_ATTEMPTS", 3)
BOUNTY_QUEUE_RESEND_SECONDS = _env_int("BOUNTY_QUEUE_RESEND_SECONDS", 600)
# Hidden splits longer than this are evaluated in shards of at most this many rows, in parallel
# (a competition's own ``shard_rows`` wins); see bounty.lifecycle.shards.
BOUNTY_SHARD_ROWS = _env_int("BOUNTY_SHARD_ROWS", 500_000)
# A pair is run on a few hundred public train rows before it is queued (bounty.lifecycle.precheck): on
# the ``precheck`` queue when there is a result backend to wait on (else in the request), the request
# waiting at most this long.
BOUNTY_PRECHECK_ON_WORKER = _env_bool("BOUNTY_PRECHECK_ON_WORKER", True)
BOUNTY_PRECHECK_TIMEOUT_SECONDS = _env_int("BOUNTY_PRECHECK_TIMEOUT_SECONDS", 90)
# Public pages (the leaderboard) served to visitors who are not signed in may be this many seconds old.
BOUNTY_VISITOR_CACHE_SECONDS = _env_int("BOUNTY_VISITOR_CACHE_SECONDS", 5)
CELERY_BEAT_SCHEDULE = {
    "reap-stuck-submissions": {
        "task": "bounty.reap_stuck",
        "schedule": float(_env_int("BOUNTY_REAP_INTERVAL_SECONDS", 15)),
        # a pass nobody took before the next one is due is dropped, not piled up behind busy workers
        "options": {"expires": float(_env_int("BOUNTY_REAP_INTERVAL_SECONDS", 15))},
    }
}
CELERY_BEAT_SCHEDULE["close-due-competitions"] = {  # closes and confirms (bounty.lifecycle.closing)
    "task": "bounty.close_due_competitions",
    "schedule": float(_env_int("BOUNTY_CLOSE_INTERVAL_SECONDS", 300)),
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BOUNTY_DATA_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

# -- Email (bounty/services/notifications.py): SMTP when EMAIL_HOST is set; otherwise printed to the
# console, or, in the demo (BOUNTY_DEMO=1), written as files to BOUNTY_MAIL_DIR (default
# <data dir>/demo/mail).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = _env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = _env_int("EMAIL_TIMEOUT", 10)
elif DEMO:  # make demo: each email is a file in this folder, named when the demo starts
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(os.environ.get("BOUNTY_MAIL_DIR") or BOUNTY_DATA_DIR / "demo" / "mail").resolve()
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "Bias Bounty <bounty@localhost>"
# Links in emails point here (scheme and host, no trailing slash).
BOUNTY_SITE_URL = os.environ.get("BOUNTY_SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"bounty": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
