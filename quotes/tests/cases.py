"""Helpers shared by the quote tests."""

import copy

from django.test import override_settings

from nicaventas import cache
from nicaventas.testing import RedisServer, redis_cache, reset_cache
from quotes.services import QUOTE_KEY
from quotes.standin import body
from quotes.weather import STALE_WEATHER_KEY, WEATHER_KEY


def weather_body(*ids: int) -> dict:
    """Return a real OpenWeather answer reporting the given condition ids."""
    answer = copy.deepcopy(body("leon-heavy-rain"))
    answer["weather"] = [
        {"id": i, "main": "Test", "description": f"condition {i}", "icon": "01d"}
        for i in ids
    ]
    return answer


def quote_key(sku="AZ00001", country="ni", city="leon") -> str:
    return QUOTE_KEY.format(sku=sku, country=country, city=city)


def weather_key(country="ni", city="leon") -> str:
    return WEATHER_KEY.format(country=country, city=city)


def stale_weather_key(country="ni", city="leon") -> str:
    return STALE_WEATHER_KEY.format(country=country, city=city)


def forget_weather(country="ni", city="leon") -> None:
    """Let the fresh weather of the city expire, keeping the stale copy."""
    cache.delete(weather_key(country, city))


class PrivateRedisMixin:
    """Run the case's tests on a redis-server of its own, whatever REDIS_URL is."""

    redis_server: RedisServer

    @classmethod
    def setUpClass(cls):
        cls.redis_server = RedisServer().start()
        cls.addClassCleanup(cls.redis_server.stop)
        cls.enterClassContext(
            override_settings(CACHES=redis_cache(cls.redis_server.url))
        )
        super().setUpClass()

    def setUp(self):
        super().setUp()
        reset_cache()
