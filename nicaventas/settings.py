"""
Settings for NicaVentas, read from the environment.

Every value has a development default so that a fresh clone runs on SQLite and
the in-process cache. With DJANGO_DEBUG off, the secrets must be given.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEVELOPMENT_SECRET_KEY = "django-insecure-nicaventas-development-only"
DEVELOPMENT_OPERATOR_TOKEN = "2234hj234h2kkjjh42kjj2b20asd6918"


# Core
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The mode DJANGO_DEBUG chose. The test runner turns DEBUG off; not this.
DEVELOPMENT = DEBUG
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS, for `check --deploy`: off by default so that plain-HTTP development
# (and the walk-throughs on localhost) keep working; production turns them on.
# https://docs.djangoproject.com/en/5.2/ref/middleware/#http-strict-transport-security
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    # Only behind a proxy that sets this header itself, whatever clients send.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "availability",
    "quotes",
]

MIDDLEWARE = [
    "nicaventas.request_log.RequestLogMiddleware",
    "nicaventas.middleware.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Which API this process serves: both, as one service, or one of the two
# services of docker-compose.yml. Admin, /health and /ready are in each.
NICAVENTAS_API = env.str("NICAVENTAS_API", default="all")
URLCONFS = {
    "all": "nicaventas.urls",
    "availability": "nicaventas.urls_availability",
    "quotes": "nicaventas.urls_quotes",
}
if NICAVENTAS_API not in URLCONFS:
    msg = f"NICAVENTAS_API is {NICAVENTAS_API!r}: use all, availability or quotes."
    raise ImproperlyConfigured(msg)
ROOT_URLCONF = URLCONFS[NICAVENTAS_API]
WSGI_APPLICATION = "nicaventas.wsgi.application"

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
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# WhiteNoise serves the admin's and the API docs' files. Out of
# development, they are the hashed and compressed copies collectstatic made.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development the files are served from the apps, as they are edited.
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TEST_RUNNER = "nicaventas.testing.QuietRunner"

# Small JSON bodies only; anything larger is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_MAX_BODY_BYTES", default=16 * 1024)


# Database
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=2),
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
        }
    )
    DATABASES["default"]["TEST"] = {
        "CHARSET": "utf8mb4",
        "COLLATION": "utf8mb4_unicode_ci",
    }


# Cache
# https://docs.djangoproject.com/en/5.2/topics/cache/

REDIS_URL = env.str("REDIS_URL", default="")
# A dead Redis must cost a fraction of a second, not a request timeout.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "nicaventas",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "nicaventas",
        }
    }

# Seconds the cache is bypassed after an error, before it is tried again.
CACHE_RETRY_AFTER = env.float("CACHE_RETRY_AFTER", default=2.0)


# NicaVentas

QUOTE_CACHE_TTL = env.int("QUOTE_CACHE_TTL", default=300)
WEATHER_CACHE_TTL = env.int("WEATHER_CACHE_TTL", default=QUOTE_CACHE_TTL)
STALE_WEATHER_MAX_AGE = env.int("STALE_WEATHER_MAX_AGE", default=30 * 60)
ACTIVE_CACHE_TTL = env.int("ACTIVE_CACHE_TTL", default=300)

OPENWEATHER_API_KEY = env.str("OPENWEATHER_API_KEY", default="")
OPENWEATHER_BASE_URL = env.str(
    "OPENWEATHER_BASE_URL", default="https://api.openweathermap.org"
).rstrip("/")
# Overall deadline of one OpenWeather call, connecting and reading included.
OPENWEATHER_TIMEOUT = env.float("OPENWEATHER_TIMEOUT", default=3.0)

OPERATOR_TOKEN = env.str("OPERATOR_TOKEN", default=DEVELOPMENT_OPERATOR_TOKEN)

# GET /bench/floor, a constant answer the benchmark compares the API with.
BENCH_FLOOR = env.bool("NICAVENTAS_BENCH_FLOOR", default=False)


# Django REST framework
# https://www.django-rest-framework.org/api-guide/settings/

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        # For a browser; errors are JSON there too (nicaventas.api).
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["nicaventas.parsers.JsonParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "nicaventas.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per client address; counters live in the default cache, shared by workers.
    "DEFAULT_THROTTLE_RATES": {
        "writes": env.str("THROTTLE_WRITES", default="120/minute"),
        "quote": env.str("THROTTLE_QUOTE", default="1200/minute"),
    },
    # Proxies in front that append to X-Forwarded-For; 0 trusts REMOTE_ADDR.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "NicaVentas",
    "DESCRIPTION": "Whether to sell in a city, and at what price given its weather.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files, nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}


# Logging
# https://docs.djangoproject.com/en/5.2/topics/logging/

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        # One JSON object per line: the message plus the record's extra fields.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if DEVELOPMENT else "json",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        **{
            name: {"level": env.str("LOG_LEVEL", default="INFO")}
            for name in ("nicaventas", "availability", "quotes")
        },
        # Its debug lines show request URLs, and OpenWeather's carry the key.
        "urllib3": {"level": "WARNING"},
        # Django's own console handler would print each of its lines twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}


# Production guards

if not DEBUG:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        msg = "Set DJANGO_SECRET_KEY: the development key is refused with DEBUG off."
        raise ImproperlyConfigured(msg)
    if OPERATOR_TOKEN == DEVELOPMENT_OPERATOR_TOKEN:
        msg = "Set OPERATOR_TOKEN: the brief's example token is refused with DEBUG off."
        raise ImproperlyConfigured(msg)
if not OPERATOR_TOKEN.strip():
    msg = "OPERATOR_TOKEN is empty: an empty token would let anyone write."
    raise ImproperlyConfigured(msg)
