"""Settings, read from the environment so that one code base serves dev, CI and production.

Environment variables: DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, DATABASE_URL,
REDIS_URL, RECOMMENDER_DATA_SOURCE, RECOMMENDER_VAR_DIR, DJANGO_LOG_LEVEL, DJANGO_LOG_FORMAT;
every one is listed with its default in .env.example.
"""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

# Everything the app writes at run time (SQLite file, downloaded data, model artifacts).
VAR_DIR = Path(os.environ.get("RECOMMENDER_VAR_DIR", BASE_DIR / "var"))
# SQLite cannot create the folder its file lives in; making it here keeps "migrate" one step.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """A random key kept in var/ so a single-machine install needs no configuration.

    Production sets DJANGO_SECRET_KEY, shared by every web server and worker.
    """
    key_file = VAR_DIR / "secret-key.txt"
    if not key_file.exists():
        # Written whole to a private (0600) temporary file, then linked into place: the key
        # is never readable by others nor half-written, and when the web server and a worker
        # start at once, the second link fails and both use the first one's key.
        handle, temporary = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret-key-")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(secrets.token_urlsafe(50))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, key_file)
        finally:
            os.unlink(temporary)
    key = key_file.read_text().strip()
    if len(key) < 50:
        # Django only notices an empty key when something is signed, deep inside a request.
        raise ImproperlyConfigured(
            f"{key_file} holds no usable secret key (fewer than 50 characters): delete it to "
            "have a new one made, or set DJANGO_SECRET_KEY"
        )
    return key


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _local_secret_key()

# Behind HTTPS (DJANGO_HTTPS=1): secure cookies, redirect to https and HSTS. Off by default
# because the one-command install serves plain http on loopback.
HTTPS = env_bool("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# Request size limits: the API takes small JSON bodies; the admin's forms are small too.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DJANGO_MAX_BODY_BYTES", 256 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "playlists",
    "recommender",
]

MIDDLEWARE = [
    # First, so that its duration covers every other middleware and its status is the final one.
    "config.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # 503 "database unavailable" instead of a 500 or a traceback (config/database_unavailable.py)
    "config.database_unavailable.DatabaseUnavailableMiddleware",
    "config.ratelimit.ApiRateLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"

_default_sqlite = VAR_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_default_sqlite}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file-backed test database, so that a real Celery worker process can see what the
    # tests write; WAL lets the web process read while the worker writes.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that drops packets (rather than refusing) must not hold a web worker
    # for the kernel's TCP timeout (minutes): give up after a few seconds and answer 503.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# WhiteNoise warns on every start when the folder is missing (before the first collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Time, level, logger and message on every line; DJANGO_LOG_FORMAT=json for a log collector.
LOGGING = logging_config(
    level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    fmt=os.environ.get("DJANGO_LOG_FORMAT", "text").strip().lower(),
)

# --- Celery (Redis is the broker; run state lives on our own rows, not in a result backend)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How long the main worker process waits, after a pool process died, for a result it might
# still have sent before reporting the task lost (Celery's default: 10 s). Runs record their
# state on their own row, so the wait only delays marking a killed run failed (tasks.py).
CELERY_WORKER_LOST_WAIT = 1.0
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The longest training run we expect is well under an hour; the broker must not redeliver a
# message that is still being worked on, so its visibility timeout sits above the hard limit.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("RECOMMENDER_TRAIN_SOFT_LIMIT", 3 * 3600))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 300
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker outlives a Redis outage: when the broker goes away it reconnects by itself, trying
# again after 2, 4, 6 ... then every 30 s (kombu's schedule), for as long as it takes (None:
# Celery's default gives up after 100 attempts, ~45 min, and bin/up's worker has no supervisor
# to start it again). So Redis back after e.g. 30 s needs no restart of the worker; it picks up
# new runs within 30 s. Publishers (web, train_model) do not wait: "max_retries": 0 above makes
# them fail at once with "queue unavailable". tests/recommender/test_redis_restart.py
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Tests (and a second app on the same Redis) route their tasks to a queue of their own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("RECOMMENDER_CELERY_QUEUE", "celery")

# --- Our own settings
# Where the data set comes from: a yes_* folder, or an http(s) base URL holding its files.
RECOMMENDER_DATA_SOURCE = os.environ.get(
    "RECOMMENDER_DATA_SOURCE",
    "https://storage.googleapis.com/maps-premium/dataset/yes_complete/",
)
RECOMMENDER_DOWNLOAD_DIR = VAR_DIR / "data"
RECOMMENDER_ARTIFACTS_DIR = Path(os.environ.get("RECOMMENDER_ARTIFACTS_DIR", VAR_DIR / "models"))
# One run trains at a time (all workers): a run that finds another training asks again after
# this many seconds (read by the worker).
RECOMMENDER_TRAIN_WAIT_SECONDS = float(os.environ.get("RECOMMENDER_TRAIN_WAIT_SECONDS", "15"))
# Processes a training run's fit and evaluation share out to, forked from the worker's
# (recommender/ml/parallel.py); 0 or unset: the usable CPUs, at most 4. 1 runs everything in
# the worker's process. The results are the same whatever the number.
RECOMMENDER_TRAIN_PROCESSES = int(os.environ.get("RECOMMENDER_TRAIN_PROCESSES") or "0")
# Requests per second per client address on /api/ (per web process; 0 turns it off) and the
# burst a client may use at once. Load benchmarks from one address turn it off.
RECOMMENDER_API_RATE_LIMIT = float(os.environ.get("RECOMMENDER_API_RATE_LIMIT", "50"))
RECOMMENDER_API_RATE_BURST = int(os.environ.get("RECOMMENDER_API_RATE_BURST", "100"))
# Plain similar and next requests skip django-ninja's machinery for the same answer
# (recommender/api/fast_path.py); off, every request goes through its operation.
RECOMMENDER_API_FAST_PATH = env_bool("RECOMMENDER_API_FAST_PATH", True)
# The song index (read by the worker when it builds a version): exact below this many songs
# with a vector, above it an inverted file of at least this many lists (LISTS_PER_ROOT times
# the square root of the songs when that is more), at most NPROBE searched per query (the
# same share in a file with more lists): as few as reach the recall target (0 turns it off).
# Each version stores the lists, probes and recall@10 its index reached
# (recommender/ml/index.py).
RECOMMENDER_INDEX_EXACT_BELOW = int(os.environ.get("RECOMMENDER_INDEX_EXACT_BELOW", "20000"))
RECOMMENDER_INDEX_LISTS = int(os.environ.get("RECOMMENDER_INDEX_LISTS", "256"))
RECOMMENDER_INDEX_LISTS_PER_ROOT = float(os.environ.get("RECOMMENDER_INDEX_LISTS_PER_ROOT", "0.5"))
RECOMMENDER_INDEX_NPROBE = int(os.environ.get("RECOMMENDER_INDEX_NPROBE", "64"))
RECOMMENDER_INDEX_RECALL = float(os.environ.get("RECOMMENDER_INDEX_RECALL", "0.96"))
