import os
import signal
import socket
import threading
import time
import unittest
from unittest import mock

import redis
from django.test import SimpleTestCase, override_settings

from nicaventas import cache, testing
from nicaventas.testing import (
    OPERATOR,
    ApiTestCase,
    RedisServer,
    redis_cache,
    requires_redis_server,
    reset_cache,
)


class SilentRedis:
    """A hung Redis on a port: it accepts connections and never answers."""

    def __init__(self, port: int):
        self.connections = []
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


class PrivateRedisCase(ApiTestCase):
    """The cache on a redis-server of the test's own, to stop and pause."""

    def setUp(self):
        super().setUp()
        self.redis = RedisServer().start()
        self.addCleanup(self.redis.stop)
        # Long enough that no request of a test reaches the end of the pause.
        self.enterContext(
            override_settings(CACHES=redis_cache(self.redis.url), CACHE_RETRY_AFTER=60)
        )
        reset_cache()

    def put(self, active: bool):
        body = {"country": "ni", "city": "Leon", "active": active}
        return self.client.put("/active", body, format="json", **OPERATOR)

    def wait_for(self, condition) -> bool:
        """Poll condition for up to five seconds."""
        for _ in range(100):
            if condition():
                return True
            time.sleep(0.05)
        return False


@requires_redis_server
class RedisOutageTests(PrivateRedisCase):
    """With Redis gone, every endpoint answers from the database."""

    def test_every_endpoint_answers_from_database(self):
        self.assertEqual(self.active().json()["cache"], "miss")
        self.assertEqual(self.active().json()["cache"], "hit")
        self.assertEqual(self.quote().json()["cache"], "miss")
        self.assertEqual(self.quote().json()["cache"], "hit")
        self.redis.stop()

        with self.assertLogs("nicaventas.cache", "WARNING"):
            active = self.active()
            with self.committed():
                registered = self.client.post(
                    "/active",
                    {"country": "ni", "city": "Masaya"},
                    format="json",
                    **OPERATOR,
                )
                switched = self.put(active=False)
            after = self.active()
            price = self.client.get("/price/AZ00001")
            quote = self.quote()
            again = self.quote()

        self.assertEqual(active.status_code, 200)
        self.assertEqual(
            active.json(),
            {"active": True, "country": "ni", "city": "León", "cache": "miss"},
        )
        self.assertEqual(registered.status_code, 201)
        self.assertEqual(switched.status_code, 200)
        self.assertEqual(after.json(), {**active.json(), "active": False})
        self.assertEqual(price.status_code, 200)
        self.assertEqual(price.json()["price"], 10.0)
        self.assertEqual(quote.status_code, 200)
        self.assertEqual(quote.json()["price"], 15.0)
        self.assertEqual(quote.json()["cache"], "miss")
        self.assertEqual(again.json()["cache"], "miss")

    def test_outage_is_logged_once_per_burst(self):
        self.active()
        self.redis.stop()

        with self.assertLogs("nicaventas.cache", "WARNING") as logs:
            responses = [self.active() for _ in range(5)]
            responses += [self.quote() for _ in range(3)]
            with self.committed():
                responses += [self.put(active=False), self.put(active=True)]

        self.assertEqual([r.status_code for r in responses], [200] * 10)
        self.assertEqual(len(logs.records), 1)
        self.assertIn("unreachable", logs.records[0].getMessage())

    def test_requests_do_not_wait_on_redis_after_first_failure(self):
        self.active()
        self.redis.stop()
        hung = SilentRedis(self.redis.port)
        self.addCleanup(hung.close)

        with self.assertLogs("nicaventas.cache", "WARNING"):
            answers = [self.active().json() for _ in range(6)]
            answers += [self.quote().json() for _ in range(2)]
            with self.committed():
                self.put(active=False)
            answers.append(self.active().json())

        # One connection, by the first request; it gave up after the socket
        # timeout, and no later request asked Redis again.
        self.assertEqual(len(hung.connections), 1)
        self.assertEqual({a["cache"] for a in answers}, {"miss"})
        self.assertIs(answers[-1]["active"], False)

    def test_service_recovers_when_redis_returns(self):
        self.active()
        self.quote()
        self.redis.stop()

        with override_settings(CACHE_RETRY_AFTER=0):
            with self.assertLogs("nicaventas.cache", "WARNING") as down:
                during = [self.active().json(), self.quote().json()]
            with self.assertLogs("nicaventas.cache", "WARNING") as up:
                self.redis.start()
                recovered = self.wait_for(lambda: not cache.breaker.down)
            back = [self.active().json(), self.quote().json()]
            again = [self.active().json(), self.quote().json()]

        self.assertTrue(recovered)
        self.assertEqual([a["cache"] for a in during], ["miss", "miss"])
        self.assertEqual([a["cache"] for a in back], ["miss", "miss"])
        self.assertEqual([a["cache"] for a in again], ["hit", "hit"])
        self.assertEqual(len(down.records), 1)
        self.assertEqual(
            [r.getMessage() for r in up.records], ["Cache reachable again"]
        )

    def test_change_during_outage_is_not_answered_stale_after_it(self):
        self.active()
        self.assertEqual(self.active().json()["cache"], "hit")
        os.kill(self.redis.process.pid, signal.SIGSTOP)
        self.addCleanup(os.kill, self.redis.process.pid, signal.SIGCONT)

        # Redis hangs, then comes back with its data: the old answer included.
        with self.assertLogs("nicaventas.cache", "WARNING"):
            self.assertEqual(self.active().json()["cache"], "miss")
            with self.committed():
                self.assertEqual(self.put(active=False).status_code, 200)
        os.kill(self.redis.process.pid, signal.SIGCONT)
        with (
            override_settings(CACHE_RETRY_AFTER=0),
            self.assertLogs("nicaventas.cache", "WARNING"),
        ):
            after = self.active().json()

        self.assertEqual(after["cache"], "miss")
        self.assertIs(after["active"], False)
        self.assertEqual(self.active().json()["cache"], "hit")


@requires_redis_server
class OutageAftermathTests(PrivateRedisCase):
    """A change the cache missed is still announced once it comes back."""

    version_key = "nicaventas-test:1:active-version:ni:leon"

    def pause_redis(self):
        os.kill(self.redis.process.pid, signal.SIGSTOP)
        self.addCleanup(os.kill, self.redis.process.pid, signal.SIGCONT)

    def resume_redis(self):
        os.kill(self.redis.process.pid, signal.SIGCONT)

    def stored_token(self):
        return redis.Redis(port=self.redis.port).get(self.version_key)

    def test_recovery_forgets_answers_other_processes_may_have_left_stale(self):
        self.active()
        self.assertEqual(self.active().json()["cache"], "hit")
        self.pause_redis()
        with self.assertLogs("nicaventas.cache", "WARNING"):
            self.active()
            self.resume_redis()
            # No request needed: the breaker notices the return by itself.
            recovered = self.wait_for(lambda: not cache.breaker.down)

        after = self.active().json()

        self.assertTrue(recovered)
        self.assertEqual(after["cache"], "miss")
        self.assertEqual(self.active().json()["cache"], "hit")

    def test_change_missed_by_the_cache_reaches_it_without_another_request(self):
        self.active()
        before = self.stored_token()
        self.pause_redis()
        with self.assertLogs("nicaventas.cache", "WARNING"):
            with self.committed():
                self.assertEqual(self.put(active=False).status_code, 200)
            self.resume_redis()

            renewed = self.wait_for(lambda: self.stored_token() != before)

        self.assertTrue(renewed)
        self.assertEqual(cache._unwritten_versions, set())

    def test_exiting_process_waits_briefly_to_announce_its_change(self):
        self.active()
        before = self.stored_token()
        self.pause_redis()
        # Only the exiting process itself may write: no watcher.
        self.enterContext(mock.patch.object(cache._Breaker, "_watch"))
        with self.assertLogs("nicaventas.cache", "WARNING"):
            with self.committed():
                self.put(active=False)
        threading.Timer(0.5, self.resume_redis).start()

        with self.assertLogs("nicaventas.cache", "WARNING"):
            cache._write_versions_before_exit()

        self.assertNotEqual(self.stored_token(), before)


class RequiresRedisServerTests(SimpleTestCase):
    def decorated(self, *, installed: bool, ci: str | None):
        environ = {k: v for k, v in os.environ.items() if k != "CI"}
        if ci is not None:
            environ["CI"] = ci
        which = "/usr/bin/redis-server" if installed else None

        with mock.patch.object(testing.shutil, "which", return_value=which):
            with mock.patch.dict(os.environ, environ, clear=True):
                case = requires_redis_server(type("Case", (unittest.TestCase,), {}))

        skipped = getattr(case, "__unittest_skip__", False)
        return skipped, getattr(case, "__unittest_skip_why__", "")

    def test_runs_where_redis_server_is_installed(self):
        self.assertEqual(self.decorated(installed=True, ci=None), (False, ""))

    def test_skips_saying_why_where_redis_server_is_missing(self):
        skipped, why = self.decorated(installed=False, ci=None)

        self.assertTrue(skipped)
        self.assertIn("redis-server", why)

    def test_never_skips_in_ci(self):
        self.assertEqual(self.decorated(installed=False, ci="true"), (False, ""))
