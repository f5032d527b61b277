from django.test import SimpleTestCase, override_settings

from nicaventas.testing import ApiTestCase, free_port
from quotes.openweather import (
    Coordinates,
    OpenWeatherClient,
    OpenWeatherError,
    OpenWeatherTimeout,
    OpenWeatherUnavailable,
    UnknownCity,
)
from quotes.standin import OpenWeatherStandIn, body

WEATHER = "/data/2.5/weather"
LEON = Coordinates(12.4379, -86.8781)


class OpenWeatherClientTests(SimpleTestCase):
    """The client against the stand-in over real HTTP, without the API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standin = OpenWeatherStandIn(api_key="client-key").start()
        cls.addClassCleanup(cls.standin.stop)

    def setUp(self):
        self.standin.reset()
        self.client = OpenWeatherClient(
            base_url=self.standin.url, api_key="client-key", timeout=1.0
        )

    def test_conditions_lists_every_weather_id(self):
        self.standin.set_weather("León", body("mist-and-light-rain"))

        conditions = self.client.conditions(LEON)

        self.assertEqual(conditions, [701, 500])

    def test_locate_finds_the_city_in_its_country(self):
        coordinates = self.client.locate(city="León", country="ni")

        self.assertEqual(coordinates, LEON)
        self.assertEqual(self.standin.count("/geo/1.0/direct"), 1)

    def test_locate_ignores_a_namesake_in_another_country(self):
        with self.assertRaisesMessage(UnknownCity, "'León' in country 'mx'"):
            self.client.locate(city="León", country="mx")

    def test_answer_without_conditions_is_an_error(self):
        self.standin.set_weather("León", {**body("leon-heavy-rain"), "weather": []})

        with self.assertRaises(OpenWeatherError) as raised:
            self.client.conditions(LEON)

        self.assertEqual(raised.exception.status_code, 502)

    def test_unreachable_server_is_502(self):
        client = OpenWeatherClient(
            base_url=f"http://127.0.0.1:{free_port()}", api_key="k", timeout=1.0
        )

        with self.assertRaises(OpenWeatherError) as raised:
            client.conditions(LEON)

        self.assertEqual(raised.exception.status_code, 502)

    def test_missing_key_is_503_without_a_call(self):
        client = OpenWeatherClient(base_url=self.standin.url, api_key="", timeout=1.0)

        with self.assertRaises(OpenWeatherUnavailable):
            client.conditions(LEON)

        self.assertEqual(self.standin.count(), 0)

    def test_trickling_body_gives_up_at_the_deadline(self):
        self.standin.trickle = 0.02
        client = OpenWeatherClient(
            base_url=self.standin.url, api_key="client-key", timeout=0.3
        )

        with self.assertRaises(OpenWeatherTimeout):
            client.conditions(LEON)

        self.assertEqual(self.standin.count(), 1)


class QuoteUpstreamFailureTests(ApiTestCase):
    """How a quote answers when OpenWeather fails; a failure is never cached."""

    def assert_failure_not_cached(self):
        calls = self.standin.count(WEATHER)
        self.standin.reset()

        response = self.quote()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["cache"], "miss")
        self.assertEqual(response.json()["weather"]["source"], "live")
        self.assertGreaterEqual(calls, 1)
        self.assertEqual(self.standin.count(WEATHER), 1)

    @override_settings(OPENWEATHER_API_KEY="a-key-openweather-refuses")
    def test_refused_key_is_502(self):
        response = self.quote()

        self.assertEqual(response.status_code, 502)
        self.assertIn("API key", response.json()["detail"])
        self.assertNotIn(b"a-key-openweather-refuses", response.content)

    def test_server_error_is_502_and_not_cached(self):
        self.standin.failure = (500, {"cod": 500, "message": "Internal error"}, {})

        response = self.quote()

        self.assertEqual(response.status_code, 502)
        self.assertIn("500", response.json()["detail"])
        self.assert_failure_not_cached()

    def test_rate_limit_is_503_with_retry_after(self):
        self.standin.failure = (429, body("rate-limited"), {"Retry-After": "42"})

        response = self.quote()

        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "42")
        self.assertIn("limit", response.json()["detail"])
        self.assert_failure_not_cached()

    def test_rate_limit_without_retry_after_still_says_when(self):
        self.standin.failure = (429, body("rate-limited"), {})

        response = self.quote()

        self.assertEqual(response.status_code, 503)
        self.assertTrue(response["Retry-After"].isdigit())

    @override_settings(OPENWEATHER_TIMEOUT=0.3)
    def test_slow_answer_is_504_and_not_cached(self):
        self.standin.delay = 1.0

        response = self.quote()

        self.assertEqual(response.status_code, 504)
        self.assertIn("0.3 seconds", response.json()["detail"])
        self.assert_failure_not_cached()

    @override_settings(OPENWEATHER_TIMEOUT=0.3)
    def test_trickling_answer_is_504(self):
        self.standin.trickle = 0.02

        response = self.quote()

        self.assertEqual(response.status_code, 504)
        self.assertEqual(self.standin.count(WEATHER), 1)

    def test_answer_that_is_not_json_is_502_and_not_cached(self):
        self.standin.failure = (200, b"<html>Bad gateway</html>", {})

        response = self.quote()

        self.assertEqual(response.status_code, 502)
        self.assertIn("JSON", response.json()["detail"])
        self.assert_failure_not_cached()

    def test_error_page_that_is_not_json_is_502(self):
        self.standin.failure = (503, b"Service Unavailable", {})

        response = self.quote()

        self.assertEqual(response.status_code, 502)
        self.assertIn("503", response.json()["detail"])

    def test_api_key_never_appears_in_logs_or_answers(self):
        secret = "secret-appid-6f1d2c3b4a"
        self.addCleanup(setattr, self.standin, "api_key", self.standin.api_key)
        self.standin.api_key = secret
        failures = [
            None,
            (500, {"cod": 500}, {}),
            (429, body("rate-limited"), {}),
            (401, body("invalid-api-key"), {}),
            (200, b"not json", {}),
        ]
        responses = []

        with (
            override_settings(OPENWEATHER_API_KEY=secret, OPENWEATHER_TIMEOUT=0.3),
            self.assertLogs("quotes", "DEBUG") as logs,
        ):
            for failure in failures:
                self.setUp()
                self.standin.api_key = secret
                self.standin.failure = failure
                responses.append(self.quote("AZ00001", "Atlantis"))
                responses.append(self.quote())
            self.standin.failure = None
            self.standin.delay = 1.0
            responses.append(self.quote("AZ00002"))

        self.assertEqual(
            [r.status_code for r in responses],
            [404, 200, 502, 502, 503, 503, 502, 502, 502, 502, 504],
        )
        self.assertGreaterEqual(len(logs.output), len(responses))
        for line in logs.output:
            self.assertNotIn(secret, line)
        for response in responses:
            self.assertNotIn(secret.encode(), response.content)
