"""SMO settings: every value comes from the environment (see .env.example).

The defaults make `make run` work on a fresh machine (SQLite and a file-system
broker under var/) and are safe in production: DEBUG is off unless set, and
SECRET_KEY and SMO_ENCRYPTION_KEYS are required when it is off.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A .env file in the project root (written by `make run` on first start) holds
# the local secrets; real environment variables win over it. SMO_ENV_FILE names
# another file.
environ.Env.read_env(env.str("SMO_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)


def _bool(name: str, default: bool) -> bool:
    """Parse a boolean strictly: a typo must not silently mean False."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def _secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file that NAME_FILE points at."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = _bool("DEBUG", False)

SECRET_KEY = _secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - DEBUG only

# Comma-separated Fernet keys; the first encrypts, all decrypt (key rotation).
SMO_ENCRYPTION_KEYS = [k.strip() for k in _secret("SMO_ENCRYPTION_KEYS").split(",") if k.strip()]
if not SMO_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured("SMO_ENCRYPTION_KEYS is required when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Public base URL, used in links the app writes (sandbox post URLs, e-mails).
# `make run PORT=9000` sets PORT, so the default follows it (OAuth redirect URLs,
# signed media links).
SMO_PUBLIC_URL = env.str(
    "SMO_PUBLIC_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
).rstrip("/")
# Outgoing e-mail (notifications, invitations) as one URL, e.g.
# smtp+tls://user:password@mail.example.com:587; consolemail:// prints each e-mail
# (invitation links included) to the log, so it is only the default under DEBUG.
vars().update(
    environ.Env.email_url_config(
        _secret("EMAIL_URL") or ("consolemail://" if DEBUG else "smtp://localhost:25")
    )
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SMO <smo@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[SMO_PUBLIC_URL] if SMO_PUBLIC_URL.startswith("https://") else [],
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "scheduler",
    "channels.apps.ChannelsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language in the person's profile wins over the browser's (LocaleMiddleware).
    "scheduler.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "scheduler.middleware.UserTimezoneMiddleware",
    # Last, so it turns a login axes refused into the lockout answer (scheduler/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smo.urls"
WSGI_APPLICATION = "smo.wsgi.application"

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
                "scheduler.context_processors.workspace",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to one SQLite file: WAL lets readers run beside
    # the writer, IMMEDIATE takes the write lock up front so two writers queue
    # on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests start real worker processes, so the test database must be a file;
    # one per test run, so two runs side by side don't share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "scheduler.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Each language's date and time patterns, Django's names and SMO's own (smo/dates.py).
FORMAT_MODULE_PATH = "smo.formats"
# Storage is always UTC (system check smo.E001); people see their own zone.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# The zone new workspaces and people start with.
SMO_DEFAULT_TIMEZONE = env.str("SMO_DEFAULT_TIMEZONE", default="Europe/Stockholm")

# --- Static and media ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
# Chart.js, installed by npm from package-lock.json (bin/ensure-chartjs, the
# Dockerfile), served as /static/vendor/chartjs/chart.umd.min.js.
CHARTJS_DIR = BASE_DIR / "node_modules" / "chart.js" / "dist"
if CHARTJS_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor/chartjs", CHARTJS_DIR))
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
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
SMO_MAX_UPLOAD_BYTES = env.int("SMO_MAX_UPLOAD_BYTES", default=100 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Cache (rate budgets) -----------------------------------------------------
CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default=f"filecache://{VAR_DIR / 'cache'}",
    ),
}
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    # Django's file cache keeps 300 entries by default, then deletes a third of
    # them: the short-link redirect (one entry per link) would then read the
    # database for most clicks. Redis (production) keeps what its memory holds.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)

# --- Celery -------------------------------------------------------------------
# The embedded default needs no server: kombu's file-system transport in var/.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_BROKER_DIR = Path(env.str("SMO_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's transport with atomic writes (smo/broker.py says why).
    CELERY_BROKER_TRANSPORT = "smo.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "control_folder": str(_BROKER_DIR / "control"),
        # The worker lists the folder this often when idle.
        "polling_interval": 0.1,
    }
else:
    # Redis re-delivers an unacked message after this long; it must exceed the
    # task time limit (system check smo.E003), or a slow publish runs twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Publishing engine ----------------------------------------------------------
# The timeout ladder (checked by smo.E003): an HTTP call gives up first, then
# the task's soft limit, then the reconciler calls a `publishing` delivery stuck.
SMO_HTTP_TIMEOUT = env.float("SMO_HTTP_TIMEOUT", default=30.0)
# Let the CSV import fetch media from private addresses (localhost, 10.x, ...);
# off, so a typed URL cannot reach the server's own network (scheduler/public_urls.py).
SMO_FETCH_PRIVATE_URLS = env.bool("SMO_FETCH_PRIVATE_URLS", default=False)
# Seconds a webhook receiver has to answer; short, so a slow one holds no worker.
SMO_WEBHOOK_TIMEOUT = env.float("SMO_WEBHOOK_TIMEOUT", default=10.0)
SMO_TASK_SOFT_TIME_LIMIT = env.int("SMO_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_SOFT_TIME_LIMIT = SMO_TASK_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = SMO_TASK_SOFT_TIME_LIMIT + 30
SMO_STUCK_AFTER = timedelta(seconds=env.int("SMO_STUCK_AFTER_SECONDS", default=300))
# A `queued` delivery whose broker message was lost is sent again after this.
SMO_REQUEUE_AFTER = timedelta(seconds=env.int("SMO_REQUEUE_AFTER_SECONDS", default=60))
SMO_MAX_ATTEMPTS = env.int("SMO_MAX_ATTEMPTS", default=5)
SMO_RETRY_BASE_SECONDS = env.float("SMO_RETRY_BASE_SECONDS", default=10.0)
SMO_RETRY_MAX_SECONDS = env.float("SMO_RETRY_MAX_SECONDS", default=1800.0)
SMO_DISPATCH_LOOKAHEAD = timedelta(seconds=2)
SMO_DISPATCH_BATCH = env.int("SMO_DISPATCH_BATCH", default=500)
# How often beat sweeps for deliveries a lost worker or message left behind
# (reconcile_stuck); a shorter period settles them sooner at the cost of a query.
SMO_RECONCILE_SECONDS = env.float("SMO_RECONCILE_SECONDS", default=15.0)

# --- Inbox ----------------------------------------------------------------------
# An account's first fetch reads this far back; later ones from where the last
# finished. Comments are read under the posts SMO published within
# SMO_INBOX_POST_DAYS, at most SMO_INBOX_POST_LIMIT of them, newest first.
SMO_INBOX_LOOKBACK = timedelta(days=env.int("SMO_INBOX_LOOKBACK_DAYS", default=14))
SMO_INBOX_POST_DAYS = timedelta(days=env.int("SMO_INBOX_POST_DAYS", default=30))
SMO_INBOX_POST_LIMIT = env.int("SMO_INBOX_POST_LIMIT", default=50)
# --- Analytics --------------------------------------------------------------------
# A post's figures are read while it is this young; after that they barely change.
SMO_METRICS_DAYS = timedelta(days=env.int("SMO_METRICS_DAYS", default=30))
# How long the redirect remembers a short link's target (links never change).
SMO_LINK_CACHE_SECONDS = env.int("SMO_LINK_CACHE_SECONDS", default=24 * 3600)
# How often an open inbox page asks for new items (each ask is a few queries).
SMO_INBOX_POLL_SECONDS = env.int("SMO_INBOX_POLL_SECONDS", default=10)

# --- Networks -------------------------------------------------------------------
# A network can be connected once its app credentials are set; until then the
# Accounts page shows it as "not configured" with what it still needs. The base
# URLs exist for proxies and for tests, which point them at local fakes.
SMO_GRAPH_API_VERSION = env.str("SMO_GRAPH_API_VERSION", default="v24.0")
if not SMO_GRAPH_API_VERSION.startswith("v"):
    SMO_GRAPH_API_VERSION = f"v{SMO_GRAPH_API_VERSION}"
_META_APP = {
    "app_id": env.str("FACEBOOK_APP_ID", default=""),
    "app_secret": _secret("FACEBOOK_APP_SECRET"),
    "graph_url": env.str("FACEBOOK_GRAPH_URL", default="https://graph.facebook.com"),
    "graph_video_url": env.str(
        "FACEBOOK_GRAPH_VIDEO_URL", default="https://graph-video.facebook.com"
    ),
    "dialog_url": env.str("FACEBOOK_DIALOG_URL", default="https://www.facebook.com"),
    "version": SMO_GRAPH_API_VERSION,
}
SMO_NETWORKS: dict[str, dict[str, object]] = {
    "x": {
        "client_id": env.str("X_CLIENT_ID", default=""),
        "client_secret": _secret("X_CLIENT_SECRET"),
        "api_url": env.str("X_API_URL", default="https://api.x.com"),
        "authorize_url": env.str("X_AUTHORIZE_URL", default="https://x.com/i/oauth2/authorize"),
    },
    "facebook": dict(_META_APP),
    "instagram": dict(_META_APP),
    "youtube": {
        "client_id": env.str("GOOGLE_CLIENT_ID", default=""),
        "client_secret": _secret("GOOGLE_CLIENT_SECRET"),
        "api_url": env.str("YOUTUBE_API_URL", default="https://www.googleapis.com"),
        "authorize_url": env.str(
            "GOOGLE_AUTHORIZE_URL", default="https://accounts.google.com/o/oauth2/v2/auth"
        ),
        "token_url": env.str("GOOGLE_TOKEN_URL", default="https://oauth2.googleapis.com/token"),
        # The Google Cloud project's daily quota (units); SMO keeps under it.
        "daily_quota": env.int("YOUTUBE_DAILY_QUOTA", default=10_000),
    },
    "tiktok": {
        "client_key": env.str("TIKTOK_CLIENT_KEY", default=""),
        "client_secret": _secret("TIKTOK_CLIENT_SECRET"),
        "api_url": env.str("TIKTOK_API_URL", default="https://open.tiktokapis.com"),
        "authorize_url": env.str(
            "TIKTOK_AUTHORIZE_URL", default="https://www.tiktok.com/v2/auth/authorize/"
        ),
        # Let TikTok fetch videos from their signed SMO_PUBLIC_URL link instead of
        # SMO uploading the file; needs that domain verified for the TikTok app.
        # Photos are always fetched this way.
        "pull_from_url": _bool("TIKTOK_PULL_FROM_URL", False),
    },
    "pinterest": {
        "app_id": env.str("PINTEREST_APP_ID", default=""),
        "app_secret": _secret("PINTEREST_APP_SECRET"),
        "api_url": env.str("PINTEREST_API_URL", default="https://api.pinterest.com"),
        "authorize_url": env.str(
            "PINTEREST_AUTHORIZE_URL", default="https://www.pinterest.com/oauth/"
        ),
    },
    "linkedin": {
        "client_id": env.str("LINKEDIN_CLIENT_ID", default=""),
        "client_secret": _secret("LINKEDIN_CLIENT_SECRET"),
        "api_url": env.str("LINKEDIN_API_URL", default="https://api.linkedin.com"),
        # Authorization and token endpoints live under this (…/authorization, …/accessToken).
        "oauth_url": env.str("LINKEDIN_OAUTH_URL", default="https://www.linkedin.com/oauth/v2"),
        # The LinkedIn-Version header (YYYYMM); each version is served for a year.
        "version": env.str("LINKEDIN_VERSION", default="202610"),
        # Space-separated OAuth scopes; empty asks for members and their Pages
        # (channels/adapters/linkedin_auth.SCOPES). An app without the Community
        # Management API sets "openid profile w_member_social".
        "scopes": env.str("LINKEDIN_SCOPES", default=""),
    },
    "threads": {
        "app_id": env.str("THREADS_APP_ID", default=""),
        "app_secret": _secret("THREADS_APP_SECRET"),
        "api_url": env.str("THREADS_API_URL", default="https://graph.threads.net"),
        "authorize_url": env.str(
            "THREADS_AUTHORIZE_URL", default="https://threads.net/oauth/authorize"
        ),
    },
    # Mastodon needs no app settings: SMO registers itself on each instance an
    # admin connects (POST /api/v1/apps) and keeps that registration.
    "mastodon": {
        "app_name": env.str("MASTODON_APP_NAME", default="SMO"),
        "website": SMO_PUBLIC_URL,
    },
    "bluesky": {
        # The server a handle signs in to unless the admin names their own PDS.
        "pds_url": env.str("BLUESKY_PDS_URL", default="https://bsky.social"),
    },
    # Google Business Profile: the same Google OAuth client as YouTube, in a
    # project with the Business Profile APIs enabled (and access approved).
    "gbp": {
        "client_id": env.str("GOOGLE_CLIENT_ID", default=""),
        "client_secret": _secret("GOOGLE_CLIENT_SECRET"),
        "authorize_url": env.str(
            "GOOGLE_AUTHORIZE_URL", default="https://accounts.google.com/o/oauth2/v2/auth"
        ),
        "token_url": env.str("GOOGLE_TOKEN_URL", default="https://oauth2.googleapis.com/token"),
        "api_url": env.str("GBP_API_URL", default="https://mybusiness.googleapis.com"),
        "accounts_url": env.str(
            "GBP_ACCOUNTS_URL", default="https://mybusinessaccountmanagement.googleapis.com"
        ),
        "locations_url": env.str(
            "GBP_LOCATIONS_URL", default="https://mybusinessbusinessinformation.googleapis.com"
        ),
        # Google fetches each post's photo from its signed SMO_PUBLIC_URL link.
        "public_url": SMO_PUBLIC_URL,
        # LocalPost.languageCode: the language the posts are written in.
        "language_code": env.str("GBP_LANGUAGE_CODE", default="en-US"),
    },
    # Telegram needs no app: each channel is connected with its own bot's token.
    "telegram": {
        "api_url": env.str("TELEGRAM_API_URL", default="https://api.telegram.org"),
    },
    # Discord needs no app: an admin pastes a channel's webhook URL. The API base
    # is here only so a test or a proxy can stand in for discord.com.
    "discord": {
        "api_url": env.str("DISCORD_API_URL", default="https://discord.com/api"),
    },
    "reddit": {
        "client_id": env.str("REDDIT_CLIENT_ID", default=""),
        "client_secret": _secret("REDDIT_CLIENT_SECRET"),
        # Reddit asks for a descriptive User-Agent: platform:app id:version (by /u/name).
        "user_agent": env.str(
            "REDDIT_USER_AGENT",
            default="web:smo-scheduler:1.0 (+https://github.com/smo-scheduler/smo)",
        ),
        "oauth_url": env.str("REDDIT_OAUTH_URL", default="https://oauth.reddit.com"),
        "reddit_url": env.str("REDDIT_URL", default="https://www.reddit.com"),
    },
    "slack": {
        "client_id": env.str("SLACK_CLIENT_ID", default=""),
        "client_secret": _secret("SLACK_CLIENT_SECRET"),
        "api_url": env.str("SLACK_API_URL", default="https://slack.com/api/"),
        "authorize_url": env.str(
            "SLACK_AUTHORIZE_URL", default="https://slack.com/oauth/v2/authorize"
        ),
    },
}
# Refresh expiring tokens (X's live two hours) this long before they expire.
SMO_TOKEN_REFRESH_MARGIN = timedelta(
    minutes=env.int("SMO_TOKEN_REFRESH_MARGIN_MINUTES", default=15)
)
# Signed media URLs (Instagram fetches media itself) stay valid this long.
SMO_MEDIA_URL_MAX_AGE = env.int("SMO_MEDIA_URL_MAX_AGE_SECONDS", default=6 * 3600)

# --- Monitoring (GET /metrics; README "Monitoring") --------------------------------
# Bearer token a scrape of /metrics must send; unset, /metrics answers anyone who
# reaches it, so set it or keep /metrics off the public address.
SMO_METRICS_TOKEN = _secret("SMO_METRICS_TOKEN")
# Folder /metrics reads prometheus-client's multiprocess files from, subfolders
# included. Processes write there when PROMETHEUS_MULTIPROC_DIR (prometheus-client's
# own variable, read from the environment at import) names it or a subfolder.
SMO_METRICS_DIR = env.str(
    "SMO_METRICS_DIR", default=env.str("PROMETHEUS_MULTIPROC_DIR", default="")
)

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    # API keys first: a request without credentials gets 401 + WWW-Authenticate.
    # DRF's TokenAuthentication is gone: its tokens were stored in clear, one per
    # person for every workspace, with no name, last use or revocation.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "scheduler.api.keyauth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["scheduler.api.keyauth.ApiKeyRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "scheduler.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
# Requests per API key (per person for the signed-in browser): "<n>/<s|min|h|day>".
SMO_API_RATE = env.str("SMO_API_RATE", default="600/min")
if not re.fullmatch(r"\d+/(s|sec|m|min|h|hour|d|day)", SMO_API_RATE):
    raise ImproperlyConfigured(f"SMO_API_RATE={SMO_API_RATE!r} is not like 600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "SMO API",
    "DESCRIPTION": "Schedule and publish posts to connected social accounts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Security -------------------------------------------------------------------
# An https SMO_PUBLIC_URL outside DEBUG is production: cookies over TLS only,
# http redirected to https, and HSTS for a year (`check --deploy` is clean then;
# tests/security/test_deploy_check.py runs it).
_HTTPS = SMO_PUBLIC_URL.startswith("https://")
_PRODUCTION_TLS = _HTTPS and not DEBUG
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The TLS proxy in front must set this header (and drop one a client sends).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", _PRODUCTION_TLS)
# Prometheus scrapes /metrics inside the compose network over plain http.
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _PRODUCTION_TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # security.W021 asks for HSTS preload. Preloading binds the whole registrable
    # domain (every sibling host) and is hard to undo, so it is the domain
    # owner's choice: SECURE_HSTS_PRELOAD=true, then submit at hstspreload.org.
    "security.W021",
]

# Login throttling (django-axes): after SMO_LOGIN_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is locked out for
# SMO_LOGIN_LOCKOUT_MINUTES. Per pair, so a stranger guessing cannot lock a
# person out from everywhere. Covers /login/ and the admin (the API takes keys, not
# passwords).
AXES_FAILURE_LIMIT = env.int("SMO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SMO_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "scheduler.lockout.lockout_response"
# No start-up banner on every manage.py command; lockouts are still logged.
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "scheduler.lockout.client_ip"
# Proxies in front of SMO that append to X-Forwarded-For; 0 trusts none and uses
# the connection's address (behind an untrusted count, anyone could pick an address).
SMO_TRUSTED_PROXY_COUNT = env.int("SMO_TRUSTED_PROXY_COUNT", default=0)

# Content security policy (django-csp): scripts, styles, images and media from
# SMO's own origin only, so injected markup cannot run code or load anything.
# No inline <script>, <style> or on...= handlers anywhere (static/smo/forms.js
# does what handlers did). Style *attributes* stay allowed: the campaign
# colours are per-row values (style="--c: #hex"), and an attribute cannot run
# script. data: images are the favicon and Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        # No form-action: connecting an account posts a form that redirects to
        # the network's sign-in page, which form-action 'self' would block.
        "frame-ancestors": ["'none'"],
    },
}

_WIRE_LOGGERS = (
    "tweepy",
    "requests_oauthlib",
    "oauthlib",
    "urllib3",
    "requests",
    "httpx",
    "httpcore",
    "googleapiclient",
    "google_auth_httplib2",
    "google.auth",
    "facebook",
    "mastodon",
    "atproto",
    "atproto_client",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Beat's tick every second would drown the log; publishing is logged by
        # scheduler.engine at INFO.
        "celery.beat": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
        # axes logs every login at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
        # Network client libraries log whole requests below WARNING, secrets
        # included: tweepy its headers (Authorization: Bearer ...), requests-oauthlib
        # and oauthlib token bodies, urllib3 URLs that carry Graph's access_token=.
        # They stay quiet even at LOG_LEVEL=DEBUG (tests/security/test_secret_scan.py);
        # SMO's own loggers say what was called.
        **{name: {"level": "WARNING"} for name in _WIRE_LOGGERS},
    },
}

# RSS / Atom feeds (scheduler/feeds.py): how often each feed is read, how long a
# feed server has to answer, and the longest summary put into a post.
SMO_FEED_INTERVAL = timedelta(minutes=env.int("SMO_FEED_INTERVAL_MINUTES", default=30))
SMO_FEED_TIMEOUT = env.float("SMO_FEED_TIMEOUT", default=10.0)
SMO_FEED_SUMMARY_CHARS = env.int("SMO_FEED_SUMMARY_CHARS", default=280)
# The evergreen queue fills free slots this many days ahead (scheduler/evergreen.py).
SMO_EVERGREEN_HORIZON_DAYS = env.int("SMO_EVERGREEN_HORIZON_DAYS", default=7)
