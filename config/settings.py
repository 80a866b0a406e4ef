"""SiamLabel settings: one file, read from the environment.

Defaults are the embedded mode (SQLite, a filesystem broker, media under ./var) so that one
command starts the whole app on a fresh machine. DATABASE_URL and CELERY_BROKER_URL switch to
PostgreSQL and Redis for deployment and tests.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

VAR_DIR = Path(env.str("SIAMLABEL_VAR_DIR", default=str(BASE_DIR / "var")))  # the embedded mode's state

DEBUG = env.bool("DEBUG", default=False)
# The embedded mode (`make run`, README's manage.py commands): nothing configured, neither a database
# nor a secret. It keeps a generated key in var/ and serves plain http on 127.0.0.1. Naming a
# DATABASE_URL or a SECRET_KEY says "deployment": a key is then required and HTTPS is the default.
EMBEDDED = not any(env.str(name, default="") for name in ("DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE"))
_secret = env.str("SECRET_KEY", default="") or (
    Path(env.str("SECRET_KEY_FILE")).read_text().strip() if env.str("SECRET_KEY_FILE", default="") else ""
)
if EMBEDDED:
    from config.secret_key import embedded_secret_key

    _secret = embedded_secret_key(VAR_DIR / "secret_key")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production mode (DEBUG=0) refuses to start without it; "
            "set SECRET_KEY or SECRET_KEY_FILE, or DEBUG=1 for local development."
        )
    _secret = "insecure-development-key-only-for-DEBUG"
SECRET_KEY = _secret

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])  # e.g. https://label.example.org

# HTTPS: production (DEBUG=0) is HTTPS-only unless told otherwise; DEBUG=1 and the embedded mode
# serve plain http on 127.0.0.1. `manage.py check --deploy` passes on these defaults (docs/operations.md).
_HTTPS = not (DEBUG or EMBEDDED)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_HTTPS)
# Health probes come over plain http from inside the network (docker-compose's healthcheck).
SECURE_REDIRECT_EXEMPT = [r"^api/health/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=_HTTPS)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_HTTPS)
# Behind a proxy that ends TLS, the header it sets, e.g. HTTP_X_FORWARDED_PROTO,https; without it
# every proxied request looks like http and is redirected again. Only set it if the proxy
# overwrites that header on every request (else a client could claim https).
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured(f"SECURE_PROXY_SSL_HEADER must be HEADER,value (e.g. HTTP_X_FORWARDED_PROTO,https), "
                               f"got {','.join(_proxy_ssl_header)!r}")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) or None

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
    "annotator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "annotator.compression.ApiJsonGZipMiddleware",  # API JSON only (BREACH): annotator/compression.py
    "annotator.middleware.RequestSizeLimitMiddleware",
    "annotator.request_transaction.WriteTransactionMiddleware",  # one transaction per API write: honest 503s
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ]
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded mode has a web process and workers writing at once: wait for locks, WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    # Persistent connections (a PostgreSQL backend per request costs more than the request), checked
    # before reuse so a database restart costs no request an error.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds throttle counters. Never the database cache: a wrong password answers 400, which
# rolls the request's transaction back (annotator.request_transaction), and the count with it. Without
# CACHE_URL, files under SIAMLABEL_VAR_DIR: shared by the embedded mode's processes, no server.
CACHES = {"default": env.cache_url("CACHE_URL") if env.str("CACHE_URL", default="") else
          {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}}
if CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
    raise ImproperlyConfigured("CACHE_URL must not be a database cache: throttle counts would roll back with "
                               "failed sign-ins; use redis://, filecache:// or locmemcache://")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Media (uploads, frames, exports, imports) in an S3-compatible bucket when a bucket is named, so
# workers on other hosts need only the database, the broker and the bucket; MEDIA_ROOT otherwise.
# annotator/media_store.py is the one place that reads these (docs/operations.md, "Object storage").
SIAMLABEL_MEDIA_S3_BUCKET = env.str("SIAMLABEL_MEDIA_S3_BUCKET", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
# Local copies of bucket objects a worker needs as files (uploads to decode, checkpoints).
SIAMLABEL_MEDIA_CACHE_DIR = Path(env.str("SIAMLABEL_MEDIA_CACHE_DIR", default=str(VAR_DIR / "media-cache")))
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# Uploads: large files stream to a temporary file; the limit is ours, checked per file, and on the
# declared Content-Length before any of the body is read (annotator.middleware).
SIAMLABEL_MAX_UPLOAD_BYTES = env.int("SIAMLABEL_MAX_UPLOAD_MB", default=4096) * 1024 * 1024
# What an uploaded frames zip may inflate to, and the largest frame decoded (docs/operations.md).
SIAMLABEL_MAX_ZIP_UNCOMPRESSED_BYTES = env.int("SIAMLABEL_MAX_ZIP_UNCOMPRESSED_MB", default=8192) * 1024 * 1024
SIAMLABEL_MAX_ZIP_ENTRIES = env.int("SIAMLABEL_MAX_ZIP_ENTRIES", default=50_000)
SIAMLABEL_MAX_FRAME_PIXELS = env.int("SIAMLABEL_MAX_FRAME_PIXELS", default=7680 * 4320)
# Disk you can plan for (annotator/services/disk.py): frames that would leave less than the
# reserve free, or take media past the quota (0: none), are refused before extraction.
SIAMLABEL_DISK_RESERVE_MB = env.int("SIAMLABEL_DISK_RESERVE_MB", default=1024)
SIAMLABEL_STORAGE_QUOTA_MB = env.int("SIAMLABEL_STORAGE_QUOTA_MB", default=0)
# Stored frames' JPEG quality; bench/frame_quality.py measures size against accuracy
# (docs/operations.md, "Frame quality").
SIAMLABEL_FRAME_JPEG_QUALITY = env.int("SIAMLABEL_FRAME_JPEG_QUALITY", default=95)
if not 1 <= SIAMLABEL_FRAME_JPEG_QUALITY <= 100:
    raise ImproperlyConfigured(f"SIAMLABEL_FRAME_JPEG_QUALITY must be 1..100, got {SIAMLABEL_FRAME_JPEG_QUALITY}")
# Longest side of stored frames, in pixels; 0 stores them at their own size. Exports and imports
# stay in the original coordinates (docs/operations.md, "Frame size"). Under 128 the frame is
# smaller than SiamMask's exemplar crop (127 px): the tracker would only see upsampled blur.
SIAMLABEL_FRAME_MAX_SIDE = env.int("SIAMLABEL_FRAME_MAX_SIDE", default=0)
if SIAMLABEL_FRAME_MAX_SIDE != 0 and SIAMLABEL_FRAME_MAX_SIDE < 128:
    raise ImproperlyConfigured(
        f"SIAMLABEL_FRAME_MAX_SIDE must be 0 (frames at their own size) or at least 128 pixels, "
        f"got {SIAMLABEL_FRAME_MAX_SIDE}"
    )
FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
# Our own folder for uploads being received, so that one cut off by a crash can be found and
# removed (manage.py cleanup_media) rather than lingering in the system's temp folder.
FILE_UPLOAD_TEMP_DIR = Path(env.str("FILE_UPLOAD_TEMP_DIR", default=str(MEDIA_ROOT / "tmp-uploads")))
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024 * 1024
# Frames written per chunk by a propagation job (one transaction each).
SIAMLABEL_CHUNK_FRAMES = env.int("SIAMLABEL_CHUNK_FRAMES", default=16)
# Lost-target stop: override the tracker config's measured thresholds (docs/propagation.md).
SIAMLABEL_LOST_SCORE_THRESHOLD = env.float("SIAMLABEL_LOST_SCORE_THRESHOLD", default=None)
SIAMLABEL_LOST_PATIENCE = env.int("SIAMLABEL_LOST_PATIENCE", default=None)
# The same for models with a quality head (predicted IoU); None keeps the runner's default.
SIAMLABEL_LOST_QUALITY_THRESHOLD = env.float("SIAMLABEL_LOST_QUALITY_THRESHOLD", default=None)
# A running job whose worker showed no sign of life for this long may be taken over by a
# re-delivered message (guards against duplicate runs when a job outlives the visibility timeout).
SIAMLABEL_JOB_LEASE_SECONDS = env.int("SIAMLABEL_JOB_LEASE_SECONDS", default=60)
# How often workers report to /api/health, renew their jobs' leases and look for orphaned jobs.
SIAMLABEL_HEARTBEAT_SECONDS = env.int("SIAMLABEL_HEARTBEAT_SECONDS", default=10)
# How often a job or task (propagation, extraction, export, import) may be started: tasks are
# acknowledged late, so one whose worker keeps dying on it (a decoder crash, an OOM kill) would
# otherwise be re-delivered forever. Past the cap it ends `failed` (docs/operations.md).
SIAMLABEL_MAX_ATTEMPTS = env.int("SIAMLABEL_MAX_ATTEMPTS", default=3)
if SIAMLABEL_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(f"SIAMLABEL_MAX_ATTEMPTS must be at least 1, got {SIAMLABEL_MAX_ATTEMPTS}")
SIAMLABEL_WEIGHTS_DIR = Path(env.str("SIAMLABEL_WEIGHTS_DIR", default=str(BASE_DIR / "weights")))
# Tracker precision of a propagation job that does not name one: "exact" (float32, the official
# numerics) or "fast" (bfloat16 trunk on CPUs with AVX-512 BF16/AMX, float16 on CUDA); docs/tracker.md.
SIAMLABEL_DEFAULT_PRECISION = env.str("SIAMLABEL_DEFAULT_PRECISION", default="exact")
if SIAMLABEL_DEFAULT_PRECISION not in ("exact", "fast"):
    raise ImproperlyConfigured(f"SIAMLABEL_DEFAULT_PRECISION must be exact or fast, got {SIAMLABEL_DEFAULT_PRECISION!r}")
# Two-anchor fusion for a propagation request that does not say (`fusion`): between two manual
# frames, run back from the far one too and keep the better frame (docs/propagation.md).
SIAMLABEL_DEFAULT_FUSION = env.bool("SIAMLABEL_DEFAULT_FUSION", default=True)
# Fine-tuning on a project's accepted tracks (docs/models.md): the share of videos held out to
# judge the new model, the frames a held-out track is judged on at most, the seconds one task
# delivery trains before it yields the `gpu` queue, and where runs keep their data and state.
SIAMLABEL_FINETUNE_HELDOUT_FRACTION = env.float("SIAMLABEL_FINETUNE_HELDOUT_FRACTION", default=0.25)
if not 0 < SIAMLABEL_FINETUNE_HELDOUT_FRACTION < 1:
    raise ImproperlyConfigured("SIAMLABEL_FINETUNE_HELDOUT_FRACTION must be between 0 and 1, "
                               f"got {SIAMLABEL_FINETUNE_HELDOUT_FRACTION}")
SIAMLABEL_FINETUNE_HELDOUT_MAX_FRAMES = env.int("SIAMLABEL_FINETUNE_HELDOUT_MAX_FRAMES", default=200)
SIAMLABEL_FINETUNE_SLICE_SECONDS = env.float("SIAMLABEL_FINETUNE_SLICE_SECONDS", default=60)
SIAMLABEL_FINETUNE_BATCH_SIZE = env.int("SIAMLABEL_FINETUNE_BATCH_SIZE", default=0)  # 0: the training code's default
SIAMLABEL_FINETUNE_DIR = Path(env.str("SIAMLABEL_FINETUNE_DIR", default=str(VAR_DIR / "finetune")))
# Threads of a worker process for torch and for OpenCV; 0 = the cores this process may run on
# (its CPU affinity, which containers and taskset narrow). docs/operations.md.
SIAMLABEL_TORCH_THREADS = env.int("SIAMLABEL_TORCH_THREADS", default=0)
SIAMLABEL_OPENCV_THREADS = env.int("SIAMLABEL_OPENCV_THREADS", default=0)

# An API token stops working this long after it was issued; POST /api/auth/token/ issues a new one.
SIAMLABEL_TOKEN_LIFETIME = timedelta(hours=env.int("SIAMLABEL_TOKEN_LIFETIME_HOURS", default=14 * 24))
if SIAMLABEL_TOKEN_LIFETIME <= timedelta(0):
    raise ImproperlyConfigured("SIAMLABEL_TOKEN_LIFETIME_HOURS must be at least 1")


def _throttle_rate(name: str, default: str) -> str:
    """Return a DRF throttle rate from the environment: requests/period, period s, min, hour or day."""
    rate = env.str(name, default=default)
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", rate):
        raise ImproperlyConfigured(f"{name} must look like 10/min (requests per s, min, hour or day), got {rate!r}")
    return rate


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotator.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "annotator.api.schema.AutoSchema",  # adds the standard error responses
    "EXCEPTION_HANDLER": "annotator.api.errors.exception_handler",
    # Every list is paged: ?page=&page_size= (default 50, at most 500). docs/api.md, "Pagination".
    "DEFAULT_PAGINATION_CLASS": "annotator.api.pagination.PagePagination",
    # annotator.api.throttles; counters live in CACHES. docs/operations.md, "Throttling".
    "DEFAULT_THROTTLE_RATES": {
        "sign_in_ip": _throttle_rate("SIAMLABEL_THROTTLE_SIGN_IN_IP", "20/min"),
        "sign_in_username": _throttle_rate("SIAMLABEL_THROTTLE_SIGN_IN_USERNAME", "5/min"),
        "member_add": _throttle_rate("SIAMLABEL_THROTTLE_MEMBER_ADD", "60/hour"),
    },
    # Proxies in front that append to X-Forwarded-For. 0: the client is REMOTE_ADDR, and a forged
    # X-Forwarded-For cannot buy a fresh per-IP budget.
    "NUM_PROXIES": env.int("SIAMLABEL_NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SiamLabel API",
    "DESCRIPTION": "Video annotation with SiamMask propagation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc assets ship in a package: the docs page works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`: name each set of choices after what it is.
    "ENUM_NAME_OVERRIDES": {
        "VideoStatusEnum": "annotator.choices.VideoStatus",
        "JobStatusEnum": "annotator.choices.JobStatus",
        "ReviewStatusEnum": "annotator.choices.ReviewStatus",
        "HealthStateEnum": "annotator.api.serializers_system.HEALTH_STATES",
        "SourceEnum": "annotator.choices.Source",
        "ProjectModelSourceEnum": "annotator.api.serializers_finetune.MODEL_SOURCES",
    },
}

# Celery: CELERY_* keys, read by config/celery.py with namespace="CELERY".
# The filesystem transport ignores the host, but kombu logs "No hostname was supplied" on each
# connection to a URL without one (every worker start, health probe and heartbeat): name it.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # kombu keeps its exchange tables in ./control unless told otherwise
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A job killed mid-run is re-delivered after this many seconds (acks_late tasks).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "queue_order_strategy": "priority",
    }
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
