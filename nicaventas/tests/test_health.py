from django.test import SimpleTestCase, TestCase, override_settings
from rest_framework.test import APIClient

from nicaventas.testing import (
    RedisServer,
    free_port,
    redis_cache,
    requires_redis_server,
    reset_cache,
)
from nicaventas.tests.live import PRODUCTION, Gunicorn


class HealthTests(TestCase):
    def test_health_answers_ok_touching_no_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/health")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})

    def test_health_needs_no_token_and_refuses_writes(self):
        response = self.client.post("/health")

        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("GET", response["Allow"])


class ReadyTests(TestCase):
    def test_ready_with_database_and_in_process_cache(self):
        locmem = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        }

        with override_settings(CACHES=locmem):
            response = self.client.get("/ready")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {"status": "ready", "database": "ok", "redis": "not configured"},
        )


@requires_redis_server
class ReadyWithRedisTests(TestCase):
    """Readiness against a redis-server of the test's own."""

    def setUp(self):
        self.redis_server = RedisServer().start()
        self.addCleanup(self.redis_server.stop)
        self.enterContext(override_settings(CACHES=redis_cache(self.redis_server.url)))
        reset_cache()
        self.client = APIClient()

    def test_ready_when_database_and_redis_answer(self):
        response = self.client.get("/ready")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(), {"status": "ready", "database": "ok", "redis": "ok"}
        )

    def test_redis_stopped_is_503_naming_redis(self):
        self.assertEqual(self.client.get("/ready").status_code, 200)
        self.redis_server.stop()

        with self.assertLogs("nicaventas.health", "WARNING"):
            response = self.client.get("/ready")

        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json(),
            {
                "status": "unavailable",
                "database": "ok",
                "redis": "unreachable",
                "detail": "Not ready: redis unreachable.",
            },
        )
        self.assertEqual(self.client.get("/health").status_code, 200)


class ReadyWithoutDatabaseTests(SimpleTestCase):
    """The image's server in production mode, its database unreachable."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        database_url = f"mysql://nicaventas@127.0.0.1:{free_port()}/nicaventas"
        cls.server = Gunicorn(env={**PRODUCTION, "DATABASE_URL": database_url})
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)

    def test_database_down_is_503_naming_the_database(self):
        status, body = self.server.get_json("/ready")

        self.assertEqual(status, 503)
        self.assertEqual(
            body,
            {
                "status": "unavailable",
                "database": "unreachable",
                "redis": "not configured",
                "detail": "Not ready: database unreachable.",
            },
        )

    def test_health_still_answers_and_the_api_says_what_failed(self):
        health = self.server.get_json("/health")
        active = self.server.get_json("/active?city=Leon&country=ni")

        self.assertEqual(health, (200, {"status": "ok"}))
        self.assertEqual(active, (503, {"detail": "The database is unavailable."}))
