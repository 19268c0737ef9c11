"""Django settings. Everything that differs between a laptop demo and a city's
production cluster comes from the environment (DATABASE_URL, REDIS_URL, SHIYU_*)."""
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SHIYU_VAR_DIR", BASE_DIR.parent / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """A key from the environment, else one generated once and kept under var/."""
    if key := os.environ.get("SHIYU_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SHIYU_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("SHIYU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")

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
    "shiyu.core",
    "shiyu.geo",
    "shiyu.org",
    "shiyu.tickets",
    "shiyu.routing",
    "shiyu.intake",
    "shiyu.deadlines",
    "shiyu.summons",
    "shiyu.proactive",
    "shiyu.risk",
    "shiyu.metrics",
    "shiyu.open311",
    "shiyu.api",
    "shiyu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shiyu.urls"
WSGI_APPLICATION = "shiyu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shiyu.web.pages.navigation",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shiyu.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=int(os.environ.get("SHIYU_CONN_MAX_AGE", "600")),
                               conn_health_checks=True)
    if db["ENGINE"].endswith("sqlite3"):
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue instead of failing with "database is locked".
        db["OPTIONS"] = {
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
                             "PRAGMA cache_size=-65536;"),  # 64 MiB page cache
            "transaction_mode": "IMMEDIATE",
        }
        db["CONN_MAX_AGE"] = 0 if db["NAME"] == ":memory:" else db["CONN_MAX_AGE"]
    elif db["ENGINE"].endswith("postgresql") and _env_bool("SHIYU_PG_SERVER_SIDE_BINDING", True):
        # Parameters travel apart from the SQL and psycopg prepares statements that
        # repeat (intake's insert), which saves parsing and planning on every request.
        db["OPTIONS"] = {"server_side_binding": True}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even when serving from the apps' folders
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("SHIYU_MEDIA_ROOT", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "shiyu.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shiyu staff API",
    "DESCRIPTION": "Tickets (接诉即办) for a city's existing systems: hotline telephony, grid apps.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from the installed package: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl None: Swagger UI would otherwise send the schema URL to an online validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHIYU_LOG_LEVEL", "WARNING")},
}

# Shiyu's own knobs.
SHIYU_PHOTO_MAX_BYTES = int(os.environ.get("SHIYU_PHOTO_MAX_BYTES", 10 * 1024 * 1024))
SHIYU_REOPEN_ON_UNSATISFIED = _env_bool("SHIYU_REOPEN_ON_UNSATISFIED", True)
SHIYU_CALLBACK_TRIES = int(os.environ.get("SHIYU_CALLBACK_TRIES", "3"))  # then the resident is unreachable
SHIYU_OFFICE_HOURS = os.environ.get("SHIYU_OFFICE_HOURS", "09:00-12:00,13:30-17:30")

# Intake intelligence (shiyu.intake; the README's "Intake intelligence" says more)
SHIYU_CLASSIFIER_MODEL = Path(os.environ.get("SHIYU_CLASSIFIER_MODEL", VAR_DIR / "models" / "category.model"))
SHIYU_TRIAGE_THRESHOLD = float(os.environ.get("SHIYU_TRIAGE_THRESHOLD", "0.6"))  # below: a person chooses
SHIYU_TRAINING_MAX = int(os.environ.get("SHIYU_TRAINING_MAX", "200000"))  # newest closed tickets to learn from
SHIYU_SIMILAR_WINDOW_DAYS = int(os.environ.get("SHIYU_SIMILAR_WINDOW_DAYS", "60"))  # tickets kept in the index
SHIYU_REPEAT_DAYS = int(os.environ.get("SHIYU_REPEAT_DAYS", "30"))
SHIYU_DUPLICATE_DAYS = int(os.environ.get("SHIYU_DUPLICATE_DAYS", "7"))
SHIYU_DUPLICATE_RADIUS_M = float(os.environ.get("SHIYU_DUPLICATE_RADIUS_M", "300"))
SHIYU_ANSWER_INDEX_MAX = int(os.environ.get("SHIYU_ANSWER_INDEX_MAX", "200000"))
# Dispatch by the routing rules without a dispatcher, for tickets they place with confidence.
SHIYU_AUTO_DISPATCH = _env_bool("SHIYU_AUTO_DISPATCH", False)

# 吹哨报到 (shiyu.summons): minutes a summoned department has to report on site, unless the summons says otherwise.
SHIYU_SUMMONS_REPORT_MINUTES = int(os.environ.get("SHIYU_SUMMONS_REPORT_MINUTES", "30"))

# Risk alerts (shiyu.risk; the README's "Risk alerts" says more). Windows: SHIYU_REPEAT_DAYS, SHIYU_DUPLICATE_DAYS.
SHIYU_RISK_REPEATS = int(os.environ.get("SHIYU_RISK_REPEATS", "3"))  # one reporter's repeats: yellow; twice: orange
SHIYU_RISK_REPORTERS = int(os.environ.get("SHIYU_RISK_REPORTERS", "5"))  # on one issue (群体性): orange; twice: red
# Category codes (any level: a code covers the categories under it) whose overdue tickets raise an alert:
# wages owed, fire and work safety, gas, land and demolition, neighbour and medical disputes, prepaid cards.
SHIYU_RISK_CATEGORIES = [code for code in os.environ.get(
    "SHIYU_RISK_CATEGORIES", "0401,0802,0803,1103,100201,120503,090302,060103,070201").split(",") if code]

# Deadlines (shiyu.deadlines): colours, escalation (督办), notifications, holiday calendar.
# The sweep runs every SHIYU_SWEEP_SECONDS: as a Celery beat task on Redis when REDIS_URL
# is set (`celery -A shiyu.celery worker --beat`), else in a thread of each web process
# (0: not at all; `shiyu tick` sweeps once).
REDIS_URL = os.environ.get("REDIS_URL", "")
SHIYU_SWEEP_SECONDS = int(os.environ.get("SHIYU_SWEEP_SECONDS", "60"))
# Yellow: the resolution deadline falls within this many working hours (7: one working
# day of the default office hours), or clock hours for a round-the-clock category.
SHIYU_DUE_SOON_WORKING_HOURS = float(os.environ.get("SHIYU_DUE_SOON_WORKING_HOURS", "7"))
SHIYU_DUE_SOON_URGENT_HOURS = float(os.environ.get("SHIYU_DUE_SOON_URGENT_HOURS", "4"))
SHIYU_URGENT_ACCEPT_MINUTES = int(os.environ.get("SHIYU_URGENT_ACCEPT_MINUTES", "30"))  # an urgent ticket's sign-for
# Warn when next year's holiday schedule is still missing this many days before it starts.
SHIYU_CALENDAR_LOOKAHEAD_DAYS = int(os.environ.get("SHIYU_CALENDAR_LOOKAHEAD_DAYS", "60"))

# The shared cache: portal rate limits and computed hot issues. Redis where there is one
# (all web processes and hosts count together); else files under var/, shared by the
# processes of the one host that the embedded setup runs on.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "shiyu"} if REDIS_URL else
          {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}}
# Reverse proxies in front of the web processes (comma-separated addresses): the client's
# address is then read from their X-Forwarded-For (shiyu.core.clients), e.g. for rate limits.
SHIYU_TRUSTED_PROXIES = frozenset(a.strip() for a in os.environ.get("SHIYU_TRUSTED_PROXIES", "").split(",")
                                  if a.strip())

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # the embedded default: a task called runs at once, in-process
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # expires: a sweep still queued when the next is due is dropped, not run late.
    "deadline-sweep": {"task": "shiyu.deadlines.sweep", "schedule": SHIYU_SWEEP_SECONDS,
                       "options": {"expires": SHIYU_SWEEP_SECONDS}},
} if SHIYU_SWEEP_SECONDS > 0 else {}

# The three rates and rankings (shiyu.metrics; the README's "The three rates" defines them).
# Weights are relative: a unit's score divides by the sum of the weights of the rates it has
# (punctuality, 吹哨报到 reports on time, only for a department or enterprise summoned that month).
# The resident's two answers weigh most; nearly every unit signs for nearly everything on time.
SHIYU_SCORE_WEIGHTS = {
    "response": float(os.environ.get("SHIYU_WEIGHT_RESPONSE", "0.1")),
    "resolution": float(os.environ.get("SHIYU_WEIGHT_RESOLUTION", "0.45")),
    "satisfaction": float(os.environ.get("SHIYU_WEIGHT_SATISFACTION", "0.45")),
    "punctuality": float(os.environ.get("SHIYU_WEIGHT_PUNCTUALITY", "0.1")),
}
SHIYU_BASICALLY_SATISFIED_FACTOR = float(os.environ.get("SHIYU_BASICALLY_SATISFIED_FACTOR", "0.8"))
SHIYU_BOTTOM_GROUP = os.environ.get("SHIYU_BOTTOM_GROUP", "10%")  # "10%" of the ranked units, or a count: "5"
SHIYU_GOVERNANCE_MONTHS = int(os.environ.get("SHIYU_GOVERNANCE_MONTHS", "3"))  # months running in the bottom group
SHIYU_PRIORITY_TOP = int(os.environ.get("SHIYU_PRIORITY_TOP", "10"))  # pairs listed for 每月一题
SHIYU_PRIORITY_MIN_TICKETS = int(os.environ.get("SHIYU_PRIORITY_MIN_TICKETS", "20"))  # to count as growing
SHIYU_PRIORITY_TICKETS = int(os.environ.get("SHIYU_PRIORITY_TICKETS", "100"))  # newest tickets shown per pair
# "database" (the default) counts in the platform's own database; "analytics" in the Parquet
# copy under SHIYU_ANALYTICS_DIR, kept in step by `shiyu manage metrics_sync` (run it every few minutes).
SHIYU_METRICS_SOURCE = os.environ.get("SHIYU_METRICS_SOURCE", "database")
SHIYU_ANALYTICS_DIR = Path(os.environ.get("SHIYU_ANALYTICS_DIR", VAR_DIR / "analytics"))
# The command dashboard's ranking and hot issues: the deadline sweep counts them again when older than
# this (a month's ranking takes 10-30 s over 1M tickets on SQLite; the dashboard reads what was stored).
SHIYU_DASHBOARD_REFRESH_SECONDS = int(os.environ.get("SHIYU_DASHBOARD_REFRESH_SECONDS", "600"))
