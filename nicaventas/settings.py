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

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "availability",
    "quotes",
]

MIDDLEWARE = [
    "nicaventas.middleware.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "nicaventas.urls"
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
STATIC_ROOT = BASE_DIR / "staticfiles"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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


# Django REST framework
# https://www.django-rest-framework.org/api-guide/settings/

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "nicaventas.api.exception_handler",
}


# Logging
# https://docs.djangoproject.com/en/5.2/topics/logging/

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        name: {"level": env.str("LOG_LEVEL", default="INFO")}
        for name in ("nicaventas", "availability", "quotes")
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
