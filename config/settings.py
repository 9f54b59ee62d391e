"""Settings, read from the environment; the defaults just work in development."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from config.env import ConfigError, env_bool, env_choice, env_int, env_list, env_rate, env_seconds, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-secret-key-never-use-in-production"  # noqa: S105 (refused when DEBUG is off)
# Keys that are public (this file, docker/.env.example): never a real secret.
_PLACEHOLDER_MARKERS = ("change-me", "changeme", "dev-only", "placeholder", "replace-me")
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or any(marker in SECRET_KEY.lower() for marker in _PLACEHOLDER_MARKERS)
):
    raise ConfigError(
        "SECRET_KEY must be set to a random string of 50+ characters when DEBUG is off (not the example's "
        'placeholder): python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "ninja",  # the API docs' Swagger UI from our static files, not a CDN
    "courseware",
    "grading",
    "instructors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out log-in into its own page
]

if not DEBUG:  # in development runserver serves static files itself
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))}
except ValueError as exc:
    raise ConfigError(f"DATABASE_URL is not a database URL: {exc}") from None
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 0, minimum=0)
if DB_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Threaded web workers: the threads of one process share a bounded pool, not a connection each.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and tests write concurrently: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory: the tests' Celery workers and servers run in other processes.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "courseware"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out account or client before checking the password
    "django.contrib.auth.backends.ModelBackend",
]
# Log-in lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account (from anywhere),
# or from one client (address and browser, for any account), log-ins are refused for LOGIN_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "courseware.login_security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "courseware.login_security.client_ip"
AXES_VERBOSE = False
# Proxies in front of the site that append to X-Forwarded-For (0: none, the peer is the client).
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)
SIGNUP_RATE = env_rate("SIGNUP_RATE", "30/h")  # new accounts per client (address and browser)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "courseware:index"
LOGOUT_REDIRECT_URL = "courseware:index"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CONTENT_DIR = Path(env_str("CONTENT_DIR", str(BASE_DIR / "content")))

# No inline script, no other host: every script and style comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "font-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Production is served over HTTPS behind a proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP on the loopback
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Submitting a domain to the browsers' preload list is the operator's decision, not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Celery: Redis broker, JSON only, at-least-once delivery made safe by an idempotent task.
GRADING_BUDGET_S = env_seconds("GRADING_BUDGET_S", 2.0)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None  # verdicts live in the database
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_SOFT_TIME_LIMIT", 15, minimum=1)  # well above the engine's own budget
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TIME_LIMIT", 30, minimum=1)
# Unacked messages come back after this; it must exceed the hard limit plus any queue wait.
# A worker that consumes several queues takes them in the order of -Q (interactive first), not round-robin.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900, minimum=1),
    "queue_order_strategy": "priority",
}
# Celery's Django fixup closes the database connection around every task unless this is set; a new
# PostgreSQL connection per verdict cost more than the grading. grading.tasks drops a connection
# that is broken or older than CONN_MAX_AGE before each task instead.
CELERY_DB_REUSE_MAX = 1_000_000
# A pool child is replaced once its peak resident memory (with what it shares with the worker's main
# process) has passed this many MiB, as a leak would make it, not after a count of tasks:
# a child replaced lingers a second after its last task (billiard), and a verdict handed to it in
# that second waits until the replacement is noticed, 1.3-1.8 s (bench.pipeline's slowest verdicts).
# The engine's caches are bounded: a child grading steadily stays near 150 MB, 300 MB with JAX.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_MAX_MEMORY_PER_CHILD_MB", 1024, minimum=0) * 1024 or None
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_MAX_TASKS_PER_CHILD", 0, minimum=0) or None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_ROUTES = {
    "grading.tasks.grade_submission": {"queue": "interactive"},
    "grading.tasks.regrade_chunk": {"queue": "batch"},
    "grading.tasks.regrade_finish": {"queue": "batch"},
}
# A worker that consumes only the batch queue lowers its CPU priority (nice) by this much, so a
# large re-grade takes only the CPU that students waiting for verdicts leave (0: do not).
BATCH_WORKER_NICENESS = env_int("BATCH_WORKER_NICENESS", 19, minimum=0)
if BATCH_WORKER_NICENESS > 19:
    raise ConfigError(f"BATCH_WORKER_NICENESS must be at most 19, not {BATCH_WORKER_NICENESS}")
SWEEP_INTERVAL_S = env_int("SWEEP_INTERVAL_S", 30, minimum=1)
SWEEP_STUCK_AFTER_S = env_int("SWEEP_STUCK_AFTER_S", 60, minimum=1)
SWEEP_MAX_ATTEMPTS = env_int("SWEEP_MAX_ATTEMPTS", 3, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {"task": "grading.tasks.sweep_stuck_submissions", "schedule": float(SWEEP_INTERVAL_S)},
}

# --- Submissions API and grading pipeline -----------------------------------------------------
SUBMISSION_RATE = env_rate("SUBMISSION_RATE", "30/m")  # per user, counted in the shared Redis cache
PREVIEW_RATE = env_rate("PREVIEW_RATE", "300/m")  # a debounced preview as the student types
SUBMISSION_MAX_LENGTH = env_int("SUBMISSION_MAX_LENGTH", 2000, minimum=1)
RATELIMIT_USE_CACHE = "default"
# A claim older than this belongs to a dead worker and may be taken over: longer than the hard limit.
GRADING_CLAIM_LEASE_S = env_int("GRADING_CLAIM_LEASE_S", CELERY_TASK_TIME_LIMIT + 15, minimum=1)
if GRADING_CLAIM_LEASE_S <= CELERY_TASK_TIME_LIMIT:
    raise ConfigError("GRADING_CLAIM_LEASE_S must exceed CELERY_TIME_LIMIT")
