import os
import threading
import time
from decimal import Decimal

from django.core.cache import cache as django_cache
from django.core.management import call_command
from django.db import connections
from django.test import TransactionTestCase, override_settings
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from availability.models import City
from nicaventas import cache
from nicaventas.testing import (
    ApiTestCase,
    StandInMixin,
    requires_redis_server,
    reset_cache,
)
from quotes.models import Product
from quotes.standin import StandInPlace, body
from quotes.weather import PLACE_KEY
from quotes.tests.cases import (
    PrivateRedisMixin,
    forget_weather,
    stale_weather_key,
    weather_body,
    weather_key,
)

WEATHER = "/data/2.5/weather"
GEO = "/geo/1.0/direct"


class StaleWeatherTests(ApiTestCase):
    def fail_openweather(self):
        self.standin.failure = (500, {"cod": 500, "message": "Internal error"}, {})

    def test_failing_openweather_is_answered_from_stale_weather(self):
        self.standin.set_weather("León", body("mist-and-light-rain"))
        self.quote("AZ00001")
        self.fail_openweather()
        forget_weather()

        response = self.quote("AZ00002")

        answer = response.json()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(answer["weather"]["source"], "stale")
        self.assertEqual(answer["weather"]["conditions"], [701, 500])
        self.assertEqual((answer["variation"], answer["price"]), (0.5, 0.5))
        self.assertEqual(answer["cache"], "miss")

    def test_stale_quote_is_not_cached(self):
        self.quote("AZ00001")
        self.fail_openweather()
        forget_weather()
        self.quote("AZ00002")
        calls = self.standin.count(WEATHER)
        self.standin.reset()

        again = self.quote("AZ00002").json()

        self.assertEqual(calls, 2)
        self.assertEqual(again["cache"], "miss")
        self.assertEqual(again["weather"]["source"], "live")
        self.assertEqual(self.standin.count(WEATHER), 1)

    def test_without_stale_weather_failure_is_reported(self):
        self.fail_openweather()

        response = self.quote()

        self.assertEqual(response.status_code, 502)

    @override_settings(STALE_WEATHER_MAX_AGE=1800)
    def test_stale_weather_is_used_only_up_to_its_max_age(self):
        self.fail_openweather()
        ages = {600: 200, 1700: 200, 1900: 502, 3600: 502}

        for age, status in ages.items():
            with self.subTest(age=age):
                reset_cache()
                entry = {"conditions": [800], "at": time.time() - age}
                cache.store(stale_weather_key(), entry, 3600)

                response = self.quote()

                self.assertEqual(response.status_code, status)
                if status == 200:
                    self.assertEqual(response.json()["weather"]["source"], "stale")
                    self.assertEqual(response.json()["price"], 5.0)

    @override_settings(OPENWEATHER_TIMEOUT=0.3)
    def test_timeout_is_answered_from_stale_weather(self):
        self.quote("AZ00001")
        forget_weather()
        self.standin.delay = 1.0

        response = self.quote("AZ00002")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["weather"]["source"], "stale")


class GeocodingTests(ApiTestCase):
    def add_standin_city(self, name="Granada", latitude=11.9344, longitude=-85.956):
        self.standin.places.append(
            StandInPlace(name, "NI", latitude, longitude, weather_body(800))
        )

    def test_city_not_in_database_is_geocoded_once_then_asked_by_coordinates(self):
        self.add_standin_city()

        first = self.quote("AZ00001", "Granada").json()
        forget_weather(city="granada")
        second = self.quote("AZ00002", " GRANADA ").json()

        self.assertEqual(first["city"], "Granada")
        self.assertEqual(first["weather"]["conditions"], [800])
        self.assertEqual((first["variation"], first["rule"]), (1.0, None))
        self.assertEqual(second["weather"]["source"], "live")
        self.assertEqual(self.standin.count(GEO), 1)
        self.assertEqual(self.standin.count(WEATHER), 2)

    def test_unreadable_cached_place_is_geocoded_again(self):
        self.add_standin_city()
        cache.store(PLACE_KEY.format(country="ni", city="granada"), ["x"], 60)

        response = self.quote("AZ00001", "Granada")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.standin.count(GEO), 1)

    def test_database_city_without_coordinates_gets_them_stored(self):
        City.objects.filter(name="León").update(latitude=None, longitude=None)

        response = self.quote()
        forget_weather()
        self.quote("AZ00002")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["weather"]["conditions"], [503])
        leon = City.objects.get(name="León")
        self.assertEqual((leon.latitude, leon.longitude), (12.4379, -86.8781))
        self.assertEqual(self.standin.count(GEO), 1)
        self.assertEqual(self.standin.count(WEATHER), 2)

    def test_database_city_with_coordinates_is_never_geocoded(self):
        self.quote("AZ00001", "Managua")

        self.assertEqual(self.standin.count(GEO), 0)
        self.assertEqual(self.standin.count(WEATHER), 1)

    def test_city_the_geocoder_does_not_know_is_404(self):
        City.objects.create(country="ni", name="Macondo", active=True)

        for city in ("Macondo", "Atlantis"):
            with self.subTest(city=city):
                response = self.quote("AZ00001", city)

                self.assertEqual(response.status_code, 404)
                self.assertIn(
                    f"OpenWeather knows no city '{city}'", response.json()["detail"]
                )
        self.assertEqual(self.standin.count(WEATHER), 0)

    def test_coordinates_unknown_to_openweather_are_404(self):
        City.objects.filter(name="Managua").update(latitude=45.0, longitude=45.0)

        response = self.quote("AZ00001", "Managua")

        self.assertEqual(response.status_code, 404)
        self.assertIn("OpenWeather does not know", response.json()["detail"])


class StampedeTests(StandInMixin, TransactionTestCase):
    """Many quotes at once on a cold cache, each in a thread of its own."""

    threads = 24

    def setUp(self):
        call_command("seed", stdout=open(os.devnull, "w"))
        for i in range(4):
            Product.objects.create(
                sku=f"ST0000{i}", description=f"Product {i}", base_price=Decimal(i + 1)
            )
        reset_cache()
        self.standin.reset()
        self.standin.delay = 0.2

    def quote_together(self, bodies: list[dict]) -> list:
        """Post every body at the same moment, one thread each."""
        start = threading.Barrier(len(bodies))
        responses = [None] * len(bodies)

        def post(i, payload):
            try:
                start.wait(5)
                responses[i] = APIClient().post("/quote", payload, format="json")
            finally:
                connections.close_all()

        workers = [
            threading.Thread(target=post, args=(i, payload))
            for i, payload in enumerate(bodies)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)

        return responses

    def test_identical_quotes_ask_openweather_once(self):
        payload = {"sku": "AZ00001", "country": "ni", "city": "Leon"}

        responses = self.quote_together([payload] * self.threads)

        self.assertEqual([r.status_code for r in responses], [200] * self.threads)
        self.assertEqual({r.json()["price"] for r in responses}, {15.0})
        self.assertEqual(self.standin.count(WEATHER), 1)

    def test_quotes_for_one_city_ask_openweather_once(self):
        skus = ["AZ00001", "AZ00002", "ST00000", "ST00001", "ST00002", "ST00003"]
        spellings = ["Leon", "LEÓN", " león ", "leon"]
        bodies = [
            {"sku": skus[i % len(skus)], "country": "NI", "city": spellings[i % 4]}
            for i in range(self.threads)
        ]

        responses = self.quote_together(bodies)

        self.assertEqual([r.status_code for r in responses], [200] * self.threads)
        self.assertEqual({r.json()["city"] for r in responses}, {"León"})
        self.assertEqual(self.standin.count(WEATHER), 1)

    def test_failed_call_is_shared_by_those_waiting_for_it(self):
        self.standin.failure = (500, {"cod": 500, "message": "down"}, {})
        payload = {"sku": "AZ00001", "country": "ni", "city": "Leon"}

        responses = self.quote_together([payload] * self.threads)
        calls_of_the_burst = self.standin.count(WEATHER)
        later = APIClient().post("/quote", payload, format="json")

        self.assertEqual([r.status_code for r in responses], [502] * self.threads)
        self.assertEqual(calls_of_the_burst, 1)
        self.assertEqual(later.status_code, 502)
        self.assertEqual(self.standin.count(WEATHER), 2)

    def test_rate_limit_shared_with_waiters_keeps_retry_after(self):
        self.standin.failure = (429, body("rate-limited"), {"Retry-After": "30"})
        payload = {"sku": "AZ00001", "country": "ni", "city": "Leon"}

        responses = self.quote_together([payload] * self.threads)

        self.assertEqual({r.status_code for r in responses}, {503})
        self.assertEqual({r["Retry-After"] for r in responses}, {"30"})
        self.assertEqual(self.standin.count(WEATHER), 1)

    def test_cities_quoted_together_ask_once_each(self):
        cities = ["Leon", "Managua", "Chinandega"]
        bodies = [
            {"sku": "AZ00002", "country": "ni", "city": cities[i % 3]}
            for i in range(self.threads)
        ]

        responses = self.quote_together(bodies)

        self.assertEqual([r.status_code for r in responses], [200] * self.threads)
        self.assertEqual(self.standin.count(WEATHER), 3)


@requires_redis_server
class RedisStampedeTests(PrivateRedisMixin, StampedeTests):
    """The same, coordinated through a Redis lock."""

    def test_weather_is_shared_through_redis(self):
        payload = {"sku": "AZ00001", "country": "ni", "city": "Leon"}

        self.quote_together([payload] * self.threads)

        redis = get_redis_connection("default")
        self.assertTrue(redis.exists(django_cache.make_key(weather_key())))
        self.assertEqual(self.standin.count(WEATHER), 1)
