import json
import logging
import subprocess
import sys

from django.test import SimpleTestCase

from availability.models import City
from nicaventas.testing import OPERATOR, STANDIN_KEY, ApiTestCase
from nicaventas.tests.live import BASE_DIR, PRODUCTION, clean_environment
from quotes.models import PricingRule

# A request through the whole middleware stack in a process of its own, with
# the logging configuration the environment selects.
ONE_REQUEST = (
    "import django; django.setup(); "
    "from django.test import Client; "
    "Client().get('/nowhere', {'appid': 'secret-in-query'})"
)


def request_log_lines(env: dict) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", ONE_REQUEST],
        cwd=BASE_DIR,
        env=clean_environment(DJANGO_SETTINGS_MODULE="nicaventas.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr

    return [line for line in result.stderr.splitlines() if "request_log" in line]


class RequestLogTests(ApiTestCase):
    def test_one_line_per_request_with_method_path_status_duration_and_cache(self):
        with self.assertLogs("nicaventas.request_log", "INFO") as logs:
            self.active()
            self.active()

        first, second = logs.records
        self.assertEqual(len(logs.records), 2)
        self.assertEqual(
            (first.method, first.path, first.status, first.cache),
            ("GET", "/active", 200, "miss"),
        )
        self.assertEqual(second.cache, "hit")
        self.assertIsInstance(first.duration_ms, float)
        self.assertGreaterEqual(first.duration_ms, 0)
        self.assertRegex(
            first.getMessage(), r"^GET /active 200 in \d+\.\d ms \(cache=miss\)$"
        )

    def test_quote_line_names_weather_ids_and_rule_applied(self):
        rain_rule = PricingRule.objects.get(
            city__name="León", product__sku="AZ00001", min_condition=500
        )

        with self.assertLogs("nicaventas.request_log", "INFO") as logs:
            response = self.quote("AZ00001", "Leon")

        (record,) = logs.records
        self.assertEqual(record.path, "/quote")
        self.assertEqual(record.weather, response.json()["weather"]["conditions"])
        self.assertTrue(all(500 <= i <= 599 for i in record.weather))
        self.assertEqual(record.rule, rain_rule.pk)
        self.assertEqual(
            (record.sku, record.city, record.cache), ("AZ00001", "León", "miss")
        )
        self.assertIn(f"rule={rain_rule.pk}", record.getMessage())

    def test_failed_request_logs_its_status_without_answer_fields(self):
        with self.assertLogs("nicaventas.request_log", "INFO") as logs:
            self.active("Atlantis")

        (record,) = logs.records
        self.assertEqual(record.status, 404)
        self.assertFalse(hasattr(record, "cache"))

    def test_health_probe_is_not_logged_while_it_succeeds(self):
        with self.assertNoLogs("nicaventas.request_log", "INFO"):
            response = self.client.get("/health")

        self.assertEqual(response.status_code, 200)

    def test_secrets_never_reach_the_log(self):
        for name in ("nicaventas", "quotes"):
            logger = logging.getLogger(name)
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.DEBUG)

        with self.assertLogs(level="DEBUG") as logs:
            with self.committed():
                self.client.put(
                    "/active",
                    {"country": "ni", "city": "Managua", "active": False},
                    format="json",
                    **OPERATOR,
                )
            self.quote("AZ00002", "Managua")

        token = OPERATOR["HTTP_AUTHORIZATION"].split()[1]
        self.assertFalse(City.objects.get(name="Managua").active)
        logged = "\n".join(logs.output)
        self.assertIn("PUT /active 200", logged)
        self.assertIn("OpenWeather /data/2.5/weather answered ok", logged)
        self.assertNotIn(token, logged)
        self.assertNotIn(STANDIN_KEY, logged)


class OpenWeatherCallLogTests(ApiTestCase):
    def test_each_call_logs_its_duration_and_outcome(self):
        self.standin.failure = (500, {"cod": 500, "message": "Internal error"}, {})

        with self.assertLogs("quotes.openweather", "INFO") as logs:
            self.quote("AZ00001", "Managua")

        (line,) = logs.output
        self.assertRegex(
            line, r"OpenWeather /data/2\.5/weather answered 500 in \d+ ms$"
        )


class LogFormatTests(SimpleTestCase):
    def test_production_writes_one_json_object_per_line(self):
        (line,) = request_log_lines(PRODUCTION)

        entry = json.loads(line)
        self.assertEqual(
            {k: entry[k] for k in ("level", "logger", "method", "path", "status")},
            {
                "level": "INFO",
                "logger": "nicaventas.request_log",
                "method": "GET",
                "path": "/nowhere",
                "status": 404,
            },
        )
        self.assertIsInstance(entry["duration_ms"], float)
        self.assertIn("time", entry)
        self.assertTrue(entry["message"].startswith("GET /nowhere 404 in "))
        self.assertNotIn("secret-in-query", line)

    def test_development_writes_readable_text(self):
        (line,) = request_log_lines({"LOG_LEVEL": "INFO"})

        self.assertRegex(
            line, r" INFO nicaventas\.request_log: GET /nowhere 404 in \d+\.\d ms$"
        )
