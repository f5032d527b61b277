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

import atexit
import hashlib
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
        self._failed_at = 0.0
        self._recovering = threading.Lock()
        self.down = False

    def allows(self) -> bool:
        # The pause is read on each call: a changed setting applies at once.
        paused = time.monotonic() - self._failed_at < settings.CACHE_RETRY_AFTER
        return not (self.down and paused)

    def failed(self, error: Exception) -> None:
        with self._lock:
            self._failed_at = time.monotonic()
            if self.down:
                return
            self.down = True
            logger.warning("Cache unreachable, answering from the database: %s", error)
            threading.Thread(target=self._watch, daemon=True).start()

    def succeeded(self) -> None:
        if self.down:
            self._recover()

    def _watch(self) -> None:
        # Requests skip the cache while it is down; this thread notices its
        # return by itself, so that no process waits for a request to do so.
        while self.down:
            time.sleep(WATCH_SECONDS)
            self._recover()

    def _recover(self) -> None:
        # One recovery at a time, and never under the lock failed() takes.
        if not self._recovering.acquire(blocking=False):
            return
        try:
            if not self.down:
                return
            try:
                _renew_versions_after_outage()
            except CACHE_ERRORS:
                return
            with self._lock:
                self.down = False
            logger.warning("Cache reachable again")
        finally:
            self._recovering.release()


breaker = _Breaker()
_FAILED = object()

# Version keys whose new token could not be written when their change
# committed, the cache being down. Answers that change made wrong may still be
# in the cache, so nothing is read from it until those tokens are written; the
# breaker's watcher writes them as soon as the cache is back, and a process
# that exits meanwhile waits a little for it.
# TODO: a process killed outright during an outage can leave other processes
# serving an answer made wrong by its change, until that answer expires.
_unwritten_versions: set[str] = set()
_versions_lock = threading.Lock()
EXIT_RETRY_SECONDS = 5.0
WATCH_SECONDS = 0.2

# Version keys that cover whole tables. A process that saw the cache fail may
# have missed announcing a change, so on recovery it forgets every answer.
_table_versions: set[str] = set()


def forget_after_outage(*keys: str) -> None:
    """Register version keys to renew whenever the cache comes back."""
    _table_versions.update(keys)


def _renew_versions_after_outage() -> None:
    """Write the tables' and the unwritten versions, past the breaker."""
    with _versions_lock:
        keys = sorted(_table_versions | _unwritten_versions)
    for key in keys:
        cache.set(_safe_key(key), json.dumps(uuid.uuid4().hex), None)
        with _versions_lock:
            _unwritten_versions.discard(key)


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


def _safe_key(key: str) -> str:
    """Return the key as it is if every backend takes it, else a digest of it."""
    if len(key) <= 200 and all(33 <= ord(c) <= 126 for c in key):
        return key
    head = key.partition(":")[0]
    return f"{head}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


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
    if _unwritten_versions and not _write_versions():
        return {}
    safe = {_safe_key(key): key for key in keys}
    recovering = breaker.down
    raw = _call(cache.get_many, list(safe), default={})
    if recovering:
        # Read before the tables' versions were renewed: may be stale.
        return {}

    return {safe[key]: _decode(safe[key], value) for key, value in raw.items()}


def get(key: str):
    if _unwritten_versions and not _write_versions():
        return None
    recovering = breaker.down
    raw = _call(cache.get, _safe_key(key))

    return None if recovering else _decode(key, raw)


def store(key: str, value, timeout: float | None) -> bool:
    """Store value under key; False when the cache could not take it."""
    value = json.dumps(value, ensure_ascii=False)
    stored = _call(cache.set, _safe_key(key), value, timeout, default=_FAILED)
    return stored is not _FAILED


def add(key: str, value, timeout: float) -> bool:
    """Store value unless key exists; True when stored (False if cache is down)."""
    added = _call(cache.add, _safe_key(key), json.dumps(value), timeout, default=False)
    return bool(added)


def count(key: str, window: int) -> tuple[int, int] | None:
    """
    Count one more event under key in a window of that many seconds.

    Return the events counted in the current window and the seconds left of
    it, or None when the cache is down. On Redis it is one round trip.
    """
    return _call(_count, _safe_key(key), window)


def _count(key: str, window: int) -> tuple[int, int]:
    client = getattr(cache, "client", None)
    if client is None:
        cache.add(key, 0, window)
        return cache.incr(key), window

    full_key = cache.make_key(key)
    pipe = client.get_client(write=True).pipeline(transaction=False)
    pipe.incr(full_key)
    pipe.expire(full_key, window, nx=True)
    pipe.ttl(full_key)
    counted, _, left = pipe.execute()

    return counted, max(left, 1)


def delete(key: str) -> None:
    _call(cache.delete, _safe_key(key))


def is_available() -> bool:
    return not breaker.down


def fresh_answer(key: str, found: dict, version_keys: list[str]) -> dict | None:
    """
    Return the answer stored under key by get_many, if its tokens are current.

    An entry of another shape (written by other code, say) is a logged miss.
    """
    entry = found.get(key)
    if entry is None:
        return None
    if not (
        isinstance(entry, dict)
        and isinstance(entry.get("versions"), list)
        and isinstance(entry.get("data"), dict)
    ):
        logger.warning("Cache entry %s has an unknown shape, treated as a miss", key)
        return None
    if entry["versions"] != [found.get(k) for k in version_keys]:
        return None

    return entry["data"]


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
        with _versions_lock:
            _unwritten_versions.update(keys)
        # When the cache cannot take them, the breaker is down and its
        # watcher writes them on its return.
        _write_versions()

    transaction.on_commit(bump)


@atexit.register
def _write_versions_before_exit() -> None:
    # A shell or command that changed rows while the cache was down is the
    # only one that knows; it waits a little for the cache to come back.
    give_up_at = time.monotonic() + EXIT_RETRY_SECONDS
    while _unwritten_versions and time.monotonic() < give_up_at:
        breaker.succeeded()
        if _unwritten_versions:
            time.sleep(WATCH_SECONDS)
    if _unwritten_versions:
        logger.error(
            "Cache unreachable: answers made stale by changes to %s may be "
            "served until they expire",
            ", ".join(sorted(_unwritten_versions)),
        )


def _write_versions() -> bool:
    """Write new tokens for the unwritten version keys; True when all are."""
    with _versions_lock:
        keys = sorted(_unwritten_versions)
    for key in keys:
        if not store(key, uuid.uuid4().hex, None):
            return False
        with _versions_lock:
            _unwritten_versions.discard(key)

    return True
