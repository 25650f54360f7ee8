"""The one settings module. Everything that differs between machines comes from the environment.

`.env.example` lists every variable. Development (`make run`, `make test`) sets `DEBUG=true`;
production leaves it off and must provide `SECRET_KEY`, `ALLOWED_HOSTS` and `DATABASE_URL`.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A secret only has a fallback on a developer's machine, never in production.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
DEMO_ENABLED = env.bool("DEMO_ENABLED", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "inbox",
    "escalations",
    "channels",
    "protocols",
    "feedback",
    "monitoring",
    "reports",
    "audit",
    "privacy",
    "outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "webcare.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    # Inside the log-in checks above: records who viewed a resident's data and who changed what.
    "audit.middleware.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "webcare.urls"
WSGI_APPLICATION = "webcare.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "django.template.context_processors.i18n",
                "webcare.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections: a new PostgreSQL connection per request costs more than the request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a plan for ~200 ms before running it: the dashboards' queries run in
    # less than that (bench/dashboard.py: the 90-day dashboard went from 2.4 s to 1.8 s with it off).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c work_mem=32MB"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Log-in security (accounts/). Axes first: it refuses a locked-out log-in before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.RoleMappingBackend",  # does nothing until OIDC_RP_CLIENT_ID is set
]
# Lockout: this many failed passwords or codes for one username from one address locks that pair out
# for the cool-off. Keyed on the pair, so colleagues behind the city's one outgoing address and the
# same user elsewhere can still log in; guessing from many addresses meets LOGIN_FAILURES_PER_HOUR.
AXES_FAILURE_LIMIT = env.int("LOGIN_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "webcare.lib.addresses.client_address"  # behind TRUSTED_PROXIES too
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
AXES_WHITELIST_CALLABLE = "accounts.lockout.without_username"
AXES_SENSITIVE_PARAMETERS = ["password", "token"]
# Failed log-ins from one address over all usernames (guessing names) and for one username over all
# addresses (guessing from many machines): past these, the log-in form answers 429 for an hour.
LOGIN_FAILURES_PER_HOUR_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_HOUR_PER_ADDRESS", default=30)
LOGIN_FAILURES_PER_HOUR_PER_USERNAME = env.int("LOGIN_FAILURES_PER_HOUR_PER_USERNAME", default=20)
# Two-factor (TOTP): these roles must set it up before they can use anything; everyone else may.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=["lead", "admin"])
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Webcare")
# The admin never shows a user's TOTP secret or its QR code: an administrator cannot copy a second factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Idle timeout: a session without the user doing anything for this long ends (polling doesn't count);
# the page warns this long before. SESSION_COOKIE_AGE below stays the absolute limit.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_IDLE_WARNING = env.int("SESSION_IDLE_WARNING_MINUTES", default=2) * 60
# Single sign-on through OpenID Connect: off until OIDC_RP_CLIENT_ID is set. The provider does the
# second factor for these users (OIDC_REQUIRED_AMR makes us check that it did).
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_CALLBACK_CLASS = "accounts.oidc.CallbackView"
OIDC_AUTHENTICATE_CLASS = "accounts.oidc.AuthenticateView"
# Which claim carries the user's groups, and which group gives which role ("group=role,...").
OIDC_ROLE_CLAIM = env("OIDC_ROLE_CLAIM", default="groups")
OIDC_ROLE_MAP = env.dict("OIDC_ROLE_MAP", default={})
# Optional claims holding a team's or department's slug; OIDC_REQUIRED_AMR e.g. "mfa".
OIDC_TEAM_CLAIM = env("OIDC_TEAM_CLAIM", default="")
OIDC_DEPARTMENT_CLAIM = env("OIDC_DEPARTMENT_CLAIM", default="")
OIDC_REQUIRED_AMR = env("OIDC_REQUIRED_AMR", default="")

# Dutch first, English too.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development whitenoise serves straight from the apps' static folders, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Transport security in production; a developer's machine speaks plain http on loopback.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours stand in front of the app: the client's address is then taken from
# X-Forwarded-For, that many from the right (webcare.lib.addresses). 0: REMOTE_ADDR, the header is ignored.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading binds every subdomain to HTTPS for good: on by default in production, off where it can't be.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
# Scripts and styles only from our own files: no inline script or style attribute runs, so an injected
# one does nothing. Forms may post elsewhere only to origins listed in CSP_FORM_ACTION (a single
# sign-on provider whose log-out a form redirects to).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *env.list("CSP_FORM_ACTION", default=[])],
    }
}
# Browser features the desk never uses stay off, also for anything injected into a page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# A webhook request that fails its signature check counts against its sender's address: past this
# many in a minute the answer is 429. Validly signed deliveries are never limited.
WEBHOOK_FAILURES_PER_MINUTE = env.int("WEBHOOK_FAILURES_PER_MINUTE", default=20)
# No screen or endpoint takes a file: one in any request is refused before a byte of it is kept.
FILE_UPLOAD_HANDLERS = ["webcare.uploads.RefuseFiles"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "webcare.lib.api.AutoSchema",  # documents the error answers too
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Webcare desk API",
    "DESCRIPTION": "The unified inbox of a municipal webcare desk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several apps name a field "status" or "kind": give each choice set its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": "inbox.workflow.Status",
        "EscalationStatusEnum": "escalations.workflow.Status",
        "FeedbackStatusEnum": "feedback.workflow.Status",
        "FeedbackKindEnum": "feedback.models.Kind",
        "SentimentEnum": "monitoring.models.Sentiment",
    },
}

# Background work. With REDIS_URL set, Celery uses Redis; without it (the quick start) the broker is
# a folder on disk, so a worker and beat still run with nothing else installed.
REDIS_URL = env("REDIS_URL", default="")
# The cache holds only counters for rate limits: shared by all processes in Redis when there is one,
# with short timeouts, because a limit must never hold up a request (webcare/ratelimits.py fails open).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "webcare",
        "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
if not REDIS_URL:
    _queue_dir = BASE_DIR / "var" / "celery"
    for _folder in ("processed", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
else:
    # Fail fast when Redis is down: the request must not wait, the outbox's relay catches up. Without
    # max_retries=0 kombu retries the connection for every message queued (6 s a webhook, measured).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
# Working out suggestions (embedding each message) has a queue of its own: a worker started without
# -Q takes both, and a busy desk runs one for each (docker-compose.yml), so that in a burst filing
# and routing go first and suggestions catch up, and only the suggestions' worker holds the model.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("suggestions"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"protocols.suggest_for_message": {"queue": "suggestions"}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup would close the database connection around every task; with this it does so only
# every 1,000 tasks, and in between the connection lives as a request's does (webcare/celery.py).
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Owed background work whose publish failed or whose worker never finished it (the outbox).
    "outbox-relay": {
        "task": "outbox.relay",
        "schedule": crontab(minute="*"),
    },
    # Replies whose send never finished: ask the platform, or show the agent the outcome is unknown.
    "settle-stale-sends": {
        "task": "channels.settle_stale_sends",
        "schedule": crontab(minute="*"),
    },
    "catch-up-missed-messages": {
        "task": "channels.catch_up",
        "schedule": crontab(minute="*/5"),
    },
    # Monitoring: new public posts about the city from X, Facebook and Instagram.
    "monitoring-poll": {
        "task": "monitoring.poll_sources",
        "schedule": crontab(minute="*/5"),
    },
    # Each topic's last complete hour against its usual rhythm: an alert when it jumps.
    "monitoring-spikes": {
        "task": "monitoring.check_spikes",
        "schedule": crontab(minute=2),
    },
    # Mentions that never became a conversation are kept MONITORING_RETENTION_DAYS, then deleted.
    "monitoring-forget-expired": {
        "task": "monitoring.forget_expired",
        "schedule": crontab(hour=3, minute=30),
    },
    # Retention (docs/privacy.md): old webhook deliveries deleted, contacts past their term anonymised.
    "privacy-apply-retention": {
        "task": "privacy.apply_retention",
        "schedule": crontab(hour=3, minute=0),
    },
    # New questions the queue missed, reminders before a department's deadline, word when it passed.
    "escalation-reminders": {
        "task": "escalations.send_reminders",
        "schedule": crontab(minute="*/15"),
    },
    # Residents we could not tell about their suggestion: try again once they have written to us.
    "feedback-retry-unreachable": {
        "task": "feedback.retry_unreachable",
        "schedule": crontab(minute="*/15"),
    },
    # Account managers hear about residents' suggestions that have had no news for a while.
    "feedback-reminders": {
        "task": "feedback.send_reminders",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
    },
    # Before the working day starts: one digest per editor and department member (CELERY_TIMEZONE).
    "notify-stale-protocols": {
        "task": "protocols.notify_stale_protocols",
        "schedule": crontab(hour=7, minute=0),
    },
}

# Platforms. Each channel is on when its credentials are set. The API base URLs default to the real
# hosts; a staging server or the demo's stand-in (`manage.py run_standin`) can take their place.
STANDIN_URL = env("STANDIN_URL", default="http://127.0.0.1:8001" if DEMO_ENABLED else "")
_demo = DEMO_ENABLED and bool(STANDIN_URL)  # the demo talks to the stand-in with made-up credentials

TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default=STANDIN_URL if _demo else "https://api.twilio.com")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="ACdemo0000000000000000000000000000" if _demo else "")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="demo-twilio-auth-token" if _demo else "")
TWILIO_WHATSAPP_FROM = env("TWILIO_WHATSAPP_FROM", default="whatsapp:+31850001234" if _demo else "")

META_GRAPH_BASE_URL = env(
    "META_GRAPH_BASE_URL", default=STANDIN_URL if _demo else "https://graph.facebook.com"
)
META_GRAPH_VERSION = env("META_GRAPH_VERSION", default="v26.0")
META_APP_SECRET = env("META_APP_SECRET", default="demo-meta-app-secret" if _demo else "")
META_VERIFY_TOKEN = env("META_VERIFY_TOKEN", default="demo-verify-token" if _demo else "")
META_PAGE_TOKEN = env("META_PAGE_TOKEN", default="demo-page-token" if _demo else "")
META_PAGE_ID = env("META_PAGE_ID", default="104857600123456" if _demo else "")
META_INSTAGRAM_ID = env("META_INSTAGRAM_ID", default="17841400123456789" if _demo else "")

X_API_BASE_URL = env("X_API_BASE_URL", default=STANDIN_URL if _demo else "https://api.twitter.com")
X_CONSUMER_KEY = env("X_CONSUMER_KEY", default="demo-x-consumer-key" if _demo else "")
X_CONSUMER_SECRET = env("X_CONSUMER_SECRET", default="demo-x-consumer-secret" if _demo else "")
X_ACCESS_TOKEN = env("X_ACCESS_TOKEN", default="demo-x-access-token" if _demo else "")
X_ACCESS_TOKEN_SECRET = env("X_ACCESS_TOKEN_SECRET", default="demo-x-access-secret" if _demo else "")
X_BEARER_TOKEN = env("X_BEARER_TOKEN", default="demo-x-bearer-token" if _demo else "")
X_USER_ID = env("X_USER_ID", default="1600000000000000001" if _demo else "")

# Seconds to wait for a platform API before the attempt counts as failed (and is retried).
PLATFORM_TIMEOUT = env.float("PLATFORM_TIMEOUT", default=10.0)
# Attachments the desk downloads from the platforms: at most this size, only these kinds.
MEDIA_MAX_BYTES = env.int("MEDIA_MAX_BYTES", default=16 * 1024 * 1024)
MEDIA_ALLOWED_HOSTS = env.list(
    "MEDIA_ALLOWED_HOSTS",
    default=[
        "twilio.com",
        "twiliocdn.com",
        "fbcdn.net",
        "fbsbx.com",
        "cdninstagram.com",
        "twimg.com",
        "twitter.com",
    ],
)
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

# The protocol whose answer tells a resident that a department has their question (holding reply);
# it may use {first_name}, {department}, {days} (the department's service level) and {deadline}.
HOLDING_REPLY_PROTOCOL = env("HOLDING_REPLY_PROTOCOL", default="doorverwezen-naar-afdeling")

# A resident's suggestion without news for this many weeks is brought to its account manager again.
FEEDBACK_REMINDER_WEEKS = env.int("FEEDBACK_REMINDER_WEEKS", default=3)

# Monitoring: mentions that did not become a conversation are deleted after this many days.
MONITORING_RETENTION_DAYS = env.int("MONITORING_RETENTION_DAYS", default=30)
# Retention of residents' personal data (docs/privacy.md explains each term and its default).
# A contact is anonymised this many months after their last conversation closed, if nothing is open.
RETENTION_CONTACT_MONTHS = env.int("RETENTION_CONTACT_MONTHS", default=12)
# Stored webhook deliveries (the platforms' raw payloads) are deleted after this many days.
RETENTION_RAW_EVENT_DAYS = env.int("RETENTION_RAW_EVENT_DAYS", default=14)
# A suggestion decided for good (implemented, not adopted): texts redacted and its public status page
# ended this many months after the decision.
RETENTION_SUGGESTION_MONTHS = env.int("RETENTION_SUGGESTION_MONTHS", default=12)
# The city monitoring listens for: its districts and places, municipal words, other uses of its name.
MONITORING_CITY_FILE = BASE_DIR / env("MONITORING_CITY_FILE", default="monitoring/data/amsterdam.yaml")
# Labelled posts the enrichment learns from, besides the agents' corrections in the feed.
MONITORING_EXAMPLES_FILE = BASE_DIR / env(
    "MONITORING_EXAMPLES_FILE", default="monitoring/data/examples.jsonl"
)

# The desk's office hours, used for service-level deadlines (Dutch public holidays are skipped).
OFFICE_HOURS_START = env("OFFICE_HOURS_START", default="08:00")
OFFICE_HOURS_END = env("OFFICE_HOURS_END", default="18:00")
OFFICE_DAYS = env.list("OFFICE_DAYS", cast=int, default=[0, 1, 2, 3, 4])  # Monday = 0

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="webcare@example.org")

LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "twilio.http_client": {"level": "WARNING"},  # logs every request's headers at INFO
        "axes": {"level": "WARNING"},  # logs every log-in at INFO; lockouts are warnings, and audited
    },
}
