"""
Cache access that never fails a request.

Values are stored as JSON text, so a hit decodes to the same plain types as
the answer that was stored, and an entry written by another version of the
code is at worst a miss.

Invalidation uses version tokens. An answer is stored together with the
tokens of everything it was computed from (a product, a city, a table); a
change replaces the token, which costs one write whatever the number of
cached answers, and an answer whose tokens no longer match is a miss. Tokens
are read before the database, so an answer computed from rows that changed
meanwhile carries the old token and is never served.
"""

import json
import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

try:
    from django_redis.exceptions import ConnectionInterrupted
    from redis.exceptions import RedisError

    CACHE_ERRORS = (ConnectionInterrupted, RedisError, OSError)
except ImportError:  # pragma: no cover - django-redis is a requirement
    CACHE_ERRORS = (OSError,)


class _Breaker:
    """Skip the cache for a moment after it fails, and log once per outage."""

    def __init__(self):
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self.down = False

    def allows(self) -> bool:
        return not self.down or time.monotonic() >= self._retry_at

    def failed(self, error: Exception) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + settings.CACHE_RETRY_AFTER
            if not self.down:
                self.down = True
                logger.warning(
                    "Cache unreachable, answering from the database: %s", error
                )

    def succeeded(self) -> None:
        if self.down:
            with self._lock:
                if self.down:
                    self.down = False
                    logger.warning("Cache reachable again")


breaker = _Breaker()


def _call(operation, *args, default=None):
    if not breaker.allows():
        return default
    try:
        result = operation(*args)
    except CACHE_ERRORS as error:
        breaker.failed(error)
        return default
    except ValueError:
        # django-redis could not decode what Redis holds.
        logger.warning("Cache entry could not be decoded, treated as a miss")
        return default
    breaker.succeeded()

    return result


def _decode(key: str, raw):
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        logger.warning("Cache entry %s could not be decoded, treated as a miss", key)
        return None


def get_many(keys: list[str]) -> dict:
    """Return the decoded values of the keys found; a broken cache finds none."""
    raw = _call(cache.get_many, keys, default={})

    return {key: _decode(key, value) for key, value in raw.items()}


def get(key: str):
    return _decode(key, _call(cache.get, key))


def store(key: str, value, timeout: float | None) -> None:
    _call(cache.set, key, json.dumps(value, ensure_ascii=False), timeout)


def add(key: str, value, timeout: float) -> bool:
    """Store value unless key exists; True when stored (False if cache is down)."""
    return bool(_call(cache.add, key, json.dumps(value), timeout, default=False))


def delete(key: str) -> None:
    _call(cache.delete, key)


def is_available() -> bool:
    return not breaker.down


def version_tokens(keys: list[str], found: dict) -> list[str] | None:
    """
    Return the tokens of the version keys, creating the missing ones.

    None means the cache could not give them, and nothing may be stored.
    """
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            add(key, uuid.uuid4().hex, None)
            token = get(key)
        if token is None:
            return None
        tokens.append(token)

    return tokens


def bump_versions(*keys: str) -> None:
    """Give the version keys new tokens once the current transaction commits."""

    def bump():
        for key in keys:
            store(key, uuid.uuid4().hex, None)

    transaction.on_commit(bump)
