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
SHIYU_OFFICE_HOURS = os.environ.get("SHIYU_OFFICE_HOURS", "09:00-12:00,13:30-17:30")
