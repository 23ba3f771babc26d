"""Settings shared by every environment; everything that differs comes from the environment."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-only-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    "pace_hub",
    "measures",
    "aims",
    "pdsa",
    "governance",
    "ninja",  # django-ninja: serves its Swagger UI from local static files (no CDN)
    "sso",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out sessions idle for longer than SESSION_IDLE_TIMEOUT (after auth and messages).
    "pace_hub.sessions.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Logs every /api/v1/ call (key, endpoint, when, result); a no-op for pages.
    "api.middleware.ApiCallLogMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pace_hub.urls"
WSGI_APPLICATION = "pace_hub.wsgi.application"

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
                "pace_hub.context_processors.tenancy",
                "pace_hub.context_processors.navigation",
            ],
        },
    },
]

# Connections are kept for a minute and checked before reuse: after a PostgreSQL restart each
# process reconnects instead of answering its next request with a server error.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout: five failures from one user and address lock them out for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a TLS proxy every request comes from the proxy: name the proxies (addresses or networks,
# comma-separated) and the lockout keys on the client address they forward in X-Forwarded-For
# instead (pace_hub.client_ip; README "Deploying"). Empty: the connecting address, header ignored.
TRUSTED_PROXIES = [str(ipaddress.ip_network(proxy, strict=False)) for proxy in env_list("TRUSTED_PROXIES")]
AXES_CLIENT_IP_CALLABLE = "pace_hub.client_ip.client_ip"

# Sessions end after this long without a request (README "Configuration"; pace_hub.sessions).
# The cookie and stored session outlive it by a day, renewed as people work, so that someone
# back the next morning is told why they must sign in again.
SESSION_IDLE_TIMEOUT = int(float(os.environ.get("SESSION_IDLE_TIMEOUT_HOURS", "8")) * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT + 24 * 60 * 60

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# One date format everywhere: "1 Dec 2026" and "1 Dec 2026, 19:08" (pace_hub/formats/en_GB).
FORMAT_MODULE_PATH = ["pace_hub.formats"]
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploads: requests are capped; milestone files have their own (larger) limit checked by the app.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PACE Hub <no-reply@pace-hub.local>")

# Celery: a Redis broker when REDIS_URL is set, otherwise tasks run in the request (embedded).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# The queue the app sends to and workers read, so that several installations can share a Redis.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
# A task is acknowledged when it ends, and given back to the queue when its worker process dies
# (kill -9, out of memory), so work is never lost with a worker; every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process replacing a lost one starts a chart browser before it is ready (governance
# reports): give it time, or the worker kills each replacement as it starts (Celery waits 4 s).
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 60
# A pool process that grew past 1 GB (checking the largest file the upload limits allow peaks at
# about 1.2 GB, bench/dense_upload.py) is replaced after its task, giving the memory back.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 1_000_000  # KiB
# A whole worker lost (machine restart) leaves its task unacknowledged in Redis: it is handed to
# another worker once it has been out this long, so keep it above the longest task (a 100,000-row
# commit takes well under a minute); restored tasks are looked for every 10 seconds.
BROKER_VISIBILITY_TIMEOUT = int(os.environ.get("BROKER_VISIBILITY_TIMEOUT", "300"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    # A broker that is down is reported at once (the outbox keeps the work), never waited for.
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
# Workers wait for Redis for as long as it is away (the default gives up after 100 tries).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker connection drops finishes its work (its database transaction
# decides the outcome) rather than being cancelled half-way.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Background work (pace_hub/background.py): tasks are written to an outbox with the change that
# asks for them and sent after commit; the sweep sends what the broker refused, and sends again
# what was sent but never ran (a Redis restart loses its queue) after OUTBOX_RESEND_AFTER.
OUTBOX_SWEEP_SECONDS = int(os.environ.get("OUTBOX_SWEEP_SECONDS", "30"))
OUTBOX_RESEND_AFTER_SECONDS = int(os.environ.get("OUTBOX_RESEND_AFTER_SECONDS", str(15 * 60)))
OUTBOX_KEEP_DAYS = 7
# Long work (imports, roll-backs) records its progress; no progress for this long means its worker
# was lost, and the page offers to run it again with the reason.
BACKGROUND_STALE_AFTER_SECONDS = int(os.environ.get("BACKGROUND_STALE_AFTER_SECONDS", str(5 * 60)))
# A task whose worker dies this many times running it is given up with a reason (a file that
# exhausts the worker's memory must not kill workers forever).
BACKGROUND_MAX_ATTEMPTS = 3

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Content security policy: no inline scripts; plotly and bootstrap need inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Report rendering: WeasyPrint logs each layout step and every SVG style it passes over, and
    # kaleido's browser each tab it opens; only their errors matter here.
    "loggers": {
        **{name: {"level": "ERROR"} for name in ("weasyprint", "fontTools", "kaleido", "choreographer")},
        # Without its own handlers: Django's console handler printed each django.* record a second
        # time beside the root's.
        "django": {"handlers": [], "level": "INFO"},
        # A refused permission (403) is one INFO line, not a traceback (pace_hub.log_filters).
        "django.request": {"filters": ["refused_permission"]},
    },
    "filters": {"refused_permission": {"()": "pace_hub.log_filters.RefusedPermissionIsNotAnError"}},
}

# Periodic work (django-celery-beat copies these into its database schedule at start).
CELERY_BEAT_SCHEDULE = {
    # Sends the background work the broker could not take when it was asked for.
    "outbox-sweep": {"task": "pace_hub.tasks.outbox_sweep", "schedule": OUTBOX_SWEEP_SECONDS},
    # "Children waiting as of today" on the milestone pages, counted once each morning (issue 16).
    "pathway-summaries": {
        "task": "measures.milestones.tasks.pathway_summaries_refresh_task",
        "schedule": crontab(hour=0, minute=15),
    },
    "purge-expired-invitations": {"task": "pace_hub.tasks.purge_expired_invitations", "schedule": 24 * 60 * 60},
    "sync-chart-annotations": {"task": "pdsa.tasks.sync_all_annotations", "schedule": 60 * 60},
    # Each active governance group's draft report, `draft_days_before_due` days before it is due.
    "governance-report-drafts": {"task": "governance.tasks.report_drafts_schedule_task", "schedule": 60 * 60},
    # Reports lost with their worker become failed, with the reason, and can be retried.
    "governance-report-sweep": {"task": "governance.tasks.reports_sweep_task", "schedule": 60},
    # Each member's weekly digest of what is theirs, Monday 07:00 (governance.services.digests).
    "weekly-digests": {"task": "governance.tasks.send_weekly_digests", "schedule": crontab(day_of_week=1, hour=7)},
}

# Governance reports: charts drawn on the server by kaleido with Debian's chromium (DESIGN §8).
CHART_BROWSER_PATH = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHART_RENDER_TIMEOUT = int(os.environ.get("CHART_RENDER_TIMEOUT", "30"))  # seconds per chart
CHART_BROWSER_START_TIMEOUT = 60  # seconds

# REST API (api/, docs/api.md): per-key rate limit, batch sizes, idempotency window.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "300"))
API_BATCH_MAX_RECORDS = int(os.environ.get("API_BATCH_MAX_RECORDS", "20000"))
# Batches with more milestone dates than this are checked and saved by the worker (202).
API_SYNC_MAX_RECORDS = int(os.environ.get("API_SYNC_MAX_RECORDS", "500"))
API_IDEMPOTENCY_HOURS = 24

# Single sign-on (sso/): OpenID Connect per organisation; allowed clock skew on ID tokens.
SSO_CLOCK_LEEWAY_SECONDS = 60
SSO_HTTP_TIMEOUT_SECONDS = 10
