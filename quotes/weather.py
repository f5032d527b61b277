"""
The current weather of a city, asked of OpenWeather as rarely as possible.

One answer per city serves every SKU quoted there for WEATHER_CACHE_TTL
seconds. On a cold cache, one request per city asks OpenWeather while the
others wait for its answer. A copy is kept for STALE_WEATHER_MAX_AGE seconds
so that a failing OpenWeather can be answered with the last known weather.
"""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from availability.models import City
from nicaventas import cache
from nicaventas.api import ServiceError
from quotes.openweather import (
    Coordinates,
    OpenWeatherClient,
    OpenWeatherError,
)

logger = logging.getLogger(__name__)

WEATHER_KEY = "weather:{country}:{city}"
STALE_WEATHER_KEY = "weather-stale:{country}:{city}"
LOCK_KEY = "weather-lock:{country}:{city}"
FAILED_KEY = "weather-failed:{country}:{city}"
PLACE_KEY = "place:{country}:{city}"
PLACE_TTL = 24 * 60 * 60
POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Weather:
    conditions: list[int]
    source: str
    observed_at: float

    def as_dict(self) -> dict:
        observed = datetime.fromtimestamp(self.observed_at, tz=UTC)
        return {
            "conditions": self.conditions,
            "source": self.source,
            "observed_at": observed.isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class Place:
    """A city as the weather lookup needs it."""

    country: str
    key: str
    name: str
    coordinates: Coordinates | None = None
    city_id: int | None = None


def weather_get(*, place: Place) -> Weather:
    """Return the weather of the place: cached, live, or stale if need be."""
    parts = {"country": place.country, "city": place.key}
    weather_key, lock_key = WEATHER_KEY.format(**parts), LOCK_KEY.format(**parts)

    cached = _cached(weather_key)
    if cached:
        return cached

    failed_key = FAILED_KEY.format(**parts)
    waiting_since = time.time()
    give_up_at = time.monotonic() + settings.OPENWEATHER_TIMEOUT + 0.5
    lock_ttl = int(settings.OPENWEATHER_TIMEOUT * 2) + 1
    while True:
        if cache.add(lock_key, 1, lock_ttl):
            try:
                # The previous holder may have finished and let go between the
                # look above and this lock.
                found = cache.get_many([weather_key, failed_key])
                _raise_if_failed_since(found.get(failed_key), waiting_since)
                return _as_weather(found.get(weather_key)) or _fetch(place)
            except ServiceError as error:
                # Those waiting for this very call share its outcome rather
                # than repeat it; later requests ask again.
                outcome = {"at": time.time(), "status": error.status_code}
                outcome |= {"detail": error.detail, "headers": error.headers}
                cache.store(failed_key, outcome, lock_ttl)
                raise
            finally:
                cache.delete(lock_key)
        if not cache.is_available() or time.monotonic() > give_up_at:
            # No cache to coordinate through, or the asker is too slow.
            return _fetch(place)
        time.sleep(POLL_SECONDS)
        found = cache.get_many([weather_key, failed_key])
        cached = _as_weather(found.get(weather_key))
        if cached:
            return cached
        _raise_if_failed_since(found.get(failed_key), waiting_since)


def _raise_if_failed_since(outcome, since: float) -> None:
    try:
        if float(outcome["at"]) < since:
            return
        error = ServiceError(str(outcome["detail"]), headers=outcome["headers"])
        error.status_code = int(outcome["status"])
    except (KeyError, TypeError, ValueError):
        return
    raise error


def _cached(key: str) -> Weather | None:
    return _as_weather(cache.get(key))


def _as_weather(entry) -> Weather | None:
    try:
        conditions = [int(c) for c in entry["conditions"]]
        weather = Weather(conditions, "cached", float(entry["at"]))
    except (KeyError, TypeError, ValueError):
        return None

    return weather if conditions else None


def _fetch(place: Place) -> Weather:
    parts = {"country": place.country, "city": place.key}
    client = OpenWeatherClient.from_settings()

    try:
        coordinates = place.coordinates or _locate(client, place)
        conditions = client.conditions(coordinates)
    except OpenWeatherError as error:
        stale = _cached(STALE_WEATHER_KEY.format(**parts))
        too_old = time.time() - settings.STALE_WEATHER_MAX_AGE
        if stale is None or stale.observed_at < too_old:
            raise
        logger.warning(
            "OpenWeather failed for %s (%s), quoting from older weather",
            place.name,
            error.detail,
        )
        return Weather(stale.conditions, "stale", stale.observed_at)

    now = time.time()
    entry = {"conditions": conditions, "at": now}
    cache.store(WEATHER_KEY.format(**parts), entry, settings.WEATHER_CACHE_TTL)
    cache.store(
        STALE_WEATHER_KEY.format(**parts), entry, settings.STALE_WEATHER_MAX_AGE
    )

    return Weather(conditions, "live", now)


def _locate(client: OpenWeatherClient, place: Place) -> Coordinates:
    place_key = PLACE_KEY.format(country=place.country, city=place.key)
    known = cache.get(place_key)
    try:
        return Coordinates(float(known["lat"]), float(known["lon"]))
    except (KeyError, TypeError, ValueError):
        pass  # Not located yet, or unreadable: ask the geocoder.

    coordinates = client.locate(city=place.name, country=place.country)
    if place.city_id is not None:
        City.objects.filter(pk=place.city_id).store_coordinates(coordinates)
    else:
        where = {"lat": coordinates.latitude, "lon": coordinates.longitude}
        cache.store(place_key, where, PLACE_TTL)

    return coordinates
