"""Test helpers: the OpenWeather stand-in, private Redis servers, a base case."""

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

import redis
from django.conf import settings
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.test.runner import DiscoverRunner
from rest_framework.test import APIClient

from nicaventas import cache as safe_cache
from quotes.standin import OpenWeatherStandIn

STANDIN_KEY = "test-key"
OPERATOR = {"HTTP_AUTHORIZATION": f"Bearer {settings.OPERATOR_TOKEN}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on a free loopback port."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)


def requires_redis_server(test_item):
    """Skip, saying why, where no redis-server can be started; never in CI."""
    if shutil.which("redis-server") or os.environ.get("CI"):
        return test_item
    return unittest.skip("needs the redis-server program, which is not installed")(
        test_item
    )


def redis_cache(url: str) -> dict:
    return {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "nicaventas-test",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
            },
        }
    }


def reset_cache() -> None:
    safe_cache.breaker.down = False
    try:
        cache.clear()
    except Exception:  # noqa: BLE001 - a test may have stopped its Redis
        pass


class StandInMixin:
    """Point the class's tests at an OpenWeather stand-in of its own."""

    standin: OpenWeatherStandIn

    @classmethod
    def setUpClass(cls):
        cls.standin = OpenWeatherStandIn(api_key=STANDIN_KEY).start()
        cls.addClassCleanup(cls.standin.stop)
        cls.enterClassContext(
            override_settings(
                OPENWEATHER_BASE_URL=cls.standin.url,
                OPENWEATHER_API_KEY=STANDIN_KEY,
                OPENWEATHER_TIMEOUT=2.0,
            )
        )
        super().setUpClass()


class ApiTestCase(StandInMixin, TestCase):
    """
    A case with the initial data, an empty cache and an OpenWeather stand-in.

    Cache invalidation runs on commit; wrap writes in `self.committed()`.
    """

    @classmethod
    def setUpTestData(cls):
        from django.core.management import call_command

        call_command("seed", stdout=open(os.devnull, "w"))

    def setUp(self):
        reset_cache()
        self.standin.reset()
        self.client = APIClient()

    def committed(self):
        return self.captureOnCommitCallbacks(execute=True)

    def active(self, city="Leon", country="ni"):
        return self.client.get("/active", {"city": city, "country": country})

    def quote(self, sku="AZ00001", city="Leon", country="ni", **extra):
        body = {"sku": sku, "city": city, "country": country}
        return self.client.post("/quote", body, format="json", **extra)


class QuietRunner(DiscoverRunner):
    """
    Keep log lines out of the test report, and say why each skipped test was.

    Tests that check logging capture it with assertLogs, which does not need
    the console handler; -v 3 keeps the handler for debugging.
    """

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        if self.verbosity < 3:
            for handler in logging.getLogger().handlers:
                handler.setLevel(logging.CRITICAL + 1)

    def suite_result(self, suite, result, **kwargs):
        for test, reason in result.skipped:
            print(f"skipped {test.id()}: {reason}", file=sys.stderr)
        return super().suite_result(suite, result, **kwargs)
