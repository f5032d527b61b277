"""
Probes for orchestrators: is the process up, and can it serve?

Both are plain Django views: no authentication, no throttling, no cache
lookups, nothing but what each probe is about.
"""

import logging

from django.core.cache import caches
from django.db import Error as DatabaseError
from django.db import connection
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

from nicaventas.api import compact_json

logger = logging.getLogger(__name__)


@csrf_exempt
@require_safe
def health(request):
    """Answer as long as the process does; touch neither database nor Redis."""
    return compact_json({"status": "ok"})


@csrf_exempt
@require_safe
def ready(request):
    """Answer 200 if the database and Redis answer, else 503 naming which."""
    parts = {"database": _database(), "redis": _redis()}
    down = [name for name, state in parts.items() if state == "unreachable"]
    if not down:
        return compact_json({"status": "ready", **parts})

    msg = f"Not ready: {' and '.join(down)} unreachable."
    return compact_json({"status": "unavailable", **parts, "detail": msg}, status=503)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("Readiness: database unreachable: %s", error)
        return "unreachable"

    return "ok"


def _redis() -> str:
    if not isinstance(caches["default"], RedisCache):
        # The in-process cache of development: nothing to reach.
        return "not configured"
    try:
        get_redis_connection("default").ping()
    except (RedisError, OSError) as error:
        logger.warning("Readiness: Redis unreachable: %s", error)
        return "unreachable"

    return "ok"
