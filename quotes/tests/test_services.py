from django.core.cache import cache
from django.test import override_settings
from django_redis import get_redis_connection

from nicaventas.testing import ApiTestCase, requires_redis_server
from quotes.tests.cases import PrivateRedisMixin, quote_key, weather_key

WEATHER = "/data/2.5/weather"


def assert_undecodable_entry_is_a_logged_miss(case):
    with case.assertLogs("nicaventas.cache", "WARNING") as logs:
        response = case.quote()

    case.assertEqual(response.status_code, 200)
    case.assertEqual(response.json()["cache"], "miss")
    case.assertIn("could not be decoded", logs.output[0])
    case.assertEqual(case.quote().json()["cache"], "hit")


class QuoteCacheEntryTests(ApiTestCase):
    """What the cache holds is JSON; whatever does not decode is a miss."""

    def test_entry_that_is_not_json_is_a_logged_miss(self):
        self.quote()
        cache.set(quote_key(), "{'pickled': <object>}")

        assert_undecodable_entry_is_a_logged_miss(self)

    def test_entry_of_another_shape_is_a_miss(self):
        shapes = ['"a string"', "[1, 2]", "42", '{"versions": 1}', '{"data": []}']

        for shape in shapes:
            with self.subTest(shape=shape):
                self.quote()
                cache.set(quote_key(), shape)

                response = self.quote()

                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["cache"], "miss")
                self.assertEqual(response.json()["price"], 15.0)

    def test_weather_entry_that_does_not_decode_asks_openweather(self):
        entries = [
            "not json",
            "[]",
            '{"conditions": [500]}',
            '{"at": 1}',
            '{"conditions": [500], "at": "yesterday"}',
            '{"conditions": 500, "at": 1}',
            '{"conditions": [], "at": 1}',
        ]

        for entry in entries:
            with self.subTest(entry=entry):
                self.setUp()
                cache.set(weather_key(), entry)

                response = self.quote()

                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["weather"]["source"], "live")
                self.assertEqual(self.standin.count(WEATHER), 1)

    def test_hit_keeps_numbers_as_numbers(self):
        self.quote()

        hit = self.quote()

        self.assertEqual(hit.json()["cache"], "hit")
        for field in ("base_price", "variation", "price"):
            self.assertIsInstance(hit.json()[field], float)
        self.assertIsInstance(hit.json()["rule"], int)
        self.assertIsInstance(hit.json()["weather"]["conditions"][0], int)


@requires_redis_server
class RedisQuoteCacheTests(PrivateRedisMixin, ApiTestCase):
    def test_garbage_bytes_in_redis_are_a_logged_miss(self):
        self.quote()
        redis = get_redis_connection("default")
        redis.set(cache.make_key(quote_key()), b"\x80\x04\x95garbage")

        assert_undecodable_entry_is_a_logged_miss(self)

    def test_entries_hold_json_text(self):
        self.quote()
        redis = get_redis_connection("default")

        raw = redis.get(cache.make_key(quote_key()))

        self.assertIn(b'\\"price\\": 15.0', raw)
        self.assertNotIn(b"\x80", raw)

    @override_settings(QUOTE_CACHE_TTL=120, WEATHER_CACHE_TTL=60)
    def test_quote_and_weather_live_for_their_settings(self):
        self.quote()

        quote_ttl = cache.ttl(quote_key())
        weather_ttl = cache.ttl(weather_key())

        self.assertTrue(110 < quote_ttl <= 120, quote_ttl)
        self.assertTrue(50 < weather_ttl <= 60, weather_ttl)

    def test_stale_quote_is_not_stored(self):
        self.quote("AZ00001")
        self.standin.failure = (500, {"cod": 500}, {})
        cache.delete(weather_key())

        response = self.quote("AZ00002")

        redis = get_redis_connection("default")
        self.assertEqual(response.json()["weather"]["source"], "stale")
        self.assertFalse(redis.exists(cache.make_key(quote_key("AZ00002"))))
