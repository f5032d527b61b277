"""Writes and quotes are throttled per client address, in the shared cache."""

import redis
from django.conf import settings
from django.test import override_settings

from availability.models import City
from nicaventas.testing import (
    OPERATOR,
    ApiTestCase,
    RedisServer,
    redis_cache,
    requires_redis_server,
    reset_cache,
)

WEATHER = "/data/2.5/weather"


def rates(**scopes):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "writes": "2/minute",
                "quote": "2/minute",
                **scopes,
            },
        }
    )


class ThrottleTests(ApiTestCase):
    def put(self, active, **extra):
        with self.committed():
            return self.client.put(
                "/active",
                {"country": "ni", "city": "Leon", "active": active},
                format="json",
                **OPERATOR,
                **extra,
            )

    def assertThrottled(self, response):
        self.assertEqual(response.status_code, 429)
        self.assertRegex(
            response.json()["detail"],
            r"^Request was throttled\. Expected available in \d+ seconds?\.$",
        )
        self.assertIn(int(response["Retry-After"]), range(1, 61))

    @rates()
    def test_write_over_the_rate_is_429_with_retry_after_and_changes_nothing(self):
        self.put(True)
        self.put(True)

        third = self.put(False)

        self.assertThrottled(third)
        self.assertIs(City.objects.get(name="León").active, True)

    @rates()
    def test_reads_are_not_throttled_by_writes(self):
        self.put(True)
        self.put(True)

        reads = [self.active().status_code for _ in range(5)]

        self.assertEqual(reads, [200] * 5)

    @rates()
    def test_quote_over_the_rate_is_429_and_does_not_ask_openweather(self):
        self.quote()
        self.quote(city="Managua")

        third = self.quote(city="Chinandega")

        self.assertThrottled(third)
        self.assertEqual(self.standin.calls, [WEATHER, WEATHER])

    @rates()
    def test_each_client_address_has_its_own_count(self):
        for _ in range(2):
            self.quote(REMOTE_ADDR="10.0.0.1")

        other = self.quote(REMOTE_ADDR="10.0.0.2")
        same = self.quote(REMOTE_ADDR="10.0.0.1")

        self.assertEqual(other.status_code, 200)
        self.assertThrottled(same)

    @rates()
    def test_forged_x_forwarded_for_does_not_escape_the_throttle(self):
        for n in range(2):
            self.quote(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

        response = self.quote(HTTP_X_FORWARDED_FOR="192.0.2.99")

        self.assertThrottled(response)

    @rates()
    def test_guessing_the_token_is_throttled_like_any_write(self):
        wrong = {"HTTP_AUTHORIZATION": "Bearer not-the-token"}
        guesses = [
            self.client.put("/active", {}, format="json", **wrong).status_code
            for _ in range(3)
        ]

        after = self.put(False)

        self.assertEqual(guesses, [401, 401, 429])
        self.assertThrottled(after)
        self.assertIs(City.objects.get(name="León").active, True)

    @rates()
    def test_an_authorised_write_is_counted_once(self):
        self.put(False)

        second = self.put(True)

        self.assertEqual(second.status_code, 200)

    def test_default_rates_let_a_busy_test_through(self):
        statuses = {self.quote().status_code for _ in range(100)}

        self.assertEqual(statuses, {200})


@requires_redis_server
class RedisThrottleTests(ApiTestCase):
    def setUp(self):
        self.redis_server = RedisServer().start()
        self.addCleanup(self.redis_server.stop)
        self.enterContext(override_settings(CACHES=redis_cache(self.redis_server.url)))
        super().setUp()
        self.addCleanup(reset_cache)

    @rates()
    def test_counts_live_in_redis_for_every_worker_to_see(self):
        self.quote()
        self.quote()

        third = self.quote()

        self.assertEqual(third.status_code, 429)
        keys = redis.Redis(port=self.redis_server.port).keys("*throttle_quote_*")
        self.assertEqual(keys, [b"nicaventas-test:1:throttle_quote_127.0.0.1"])

    @rates(quote="1/minute")
    def test_dead_redis_lets_requests_through_instead_of_failing(self):
        self.quote()
        self.redis_server.stop()

        with self.assertLogs("nicaventas.cache", "WARNING") as logs:
            responses = [self.quote() for _ in range(3)]

        self.assertEqual([r.status_code for r in responses], [200, 200, 200])
        self.assertEqual(responses[-1].json()["price"], 15.0)
        self.assertIn("Cache unreachable", logs.output[0])
