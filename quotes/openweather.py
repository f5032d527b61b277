"""
A small OpenWeather client: where a city is, and what its weather is now.

Every call has one overall deadline, and every failure becomes one of the
exceptions below, which the API answers with 404, 502, 503 or 504. Messages
and logs never carry the request URL, since the URL holds the API key.
"""

import json
import logging
import time
from dataclasses import dataclass

import requests
import urllib3
from django.conf import settings

from nicaventas.api import NotFound, ServiceError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
DEFAULT_RETRY_AFTER = 60


class OpenWeatherError(ServiceError):
    status_code = 502


class OpenWeatherTimeout(OpenWeatherError):
    status_code = 504


class OpenWeatherUnavailable(OpenWeatherError):
    status_code = 503


class UnknownCity(NotFound):
    pass


@dataclass(frozen=True)
class Coordinates:
    latitude: float
    longitude: float


class OpenWeatherClient:
    def __init__(self, *, base_url: str, api_key: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = requests.Session()

    @classmethod
    def from_settings(cls) -> "OpenWeatherClient":
        return cls(
            base_url=settings.OPENWEATHER_BASE_URL,
            api_key=settings.OPENWEATHER_API_KEY,
            timeout=settings.OPENWEATHER_TIMEOUT,
        )

    def locate(self, *, city: str, country: str) -> Coordinates:
        """Return where the city of that country is, by the Geocoding API."""
        places = self._get(
            "/geo/1.0/direct", {"q": f"{city},{country.upper()}", "limit": 5}
        )
        if not isinstance(places, list):
            msg = "OpenWeather's geocoder gave an answer that is not a list."
            raise OpenWeatherError(msg)

        for place in places:
            if not isinstance(place, dict):
                continue
            if str(place.get("country", "")).lower() != country.lower():
                continue
            try:
                return Coordinates(float(place["lat"]), float(place["lon"]))
            except (KeyError, TypeError, ValueError):
                continue

        msg = f"OpenWeather knows no city '{city}' in country '{country}'."
        raise UnknownCity(msg)

    def conditions(self, coordinates: Coordinates) -> list[int]:
        """Return every weather condition id reported at the coordinates."""
        params = {"lat": coordinates.latitude, "lon": coordinates.longitude}
        answer = self._get("/data/2.5/weather", params)

        try:
            ids = [int(item["id"]) for item in answer["weather"]]
        except (KeyError, TypeError, ValueError):
            ids = []
        if not ids:
            msg = "OpenWeather's answer has no weather condition."
            raise OpenWeatherError(msg)

        return ids

    def _get(self, path: str, params: dict):
        if not self.api_key:
            msg = "OpenWeather is not configured: OPENWEATHER_API_KEY is not set."
            raise OpenWeatherUnavailable(msg)

        started = time.monotonic()
        outcome = "error"
        try:
            status, headers, body = self._fetch(path, {**params, "appid": self.api_key})
            outcome = str(status)
            result = self._decode(status, headers, body)
            outcome = "ok" if status == 200 else outcome
            return result
        finally:
            logger.info(
                "OpenWeather %s answered %s in %.0f ms",
                path,
                outcome,
                (time.monotonic() - started) * 1000,
            )

    def _fetch(self, path: str, params: dict) -> tuple[int, dict, bytes]:
        deadline = time.monotonic() + self.timeout
        try:
            response = self.session.get(
                self.base_url + path,
                params=params,
                timeout=(self.timeout, self.timeout),
                stream=True,
            )
        except requests.Timeout as e:
            raise self._timeout() from e
        except requests.RequestException as e:
            msg = "OpenWeather could not be reached."
            raise OpenWeatherError(msg) from e

        with response:
            body = self._read_until(response, deadline)

        return response.status_code, response.headers, body

    def _read_until(self, response, deadline: float) -> bytes:
        # requests' timeout bounds each read, not the whole body: a server
        # trickling a byte at a time would hold the worker indefinitely.
        raw = response.raw
        chunks, size = [], 0
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._timeout()
                sock = getattr(getattr(raw, "connection", None), "sock", None)
                if sock is not None:
                    sock.settimeout(remaining)
                chunk = raw.read1(8192)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    msg = "OpenWeather's answer is too large."
                    raise OpenWeatherError(msg)
                chunks.append(chunk)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as e:
            raise self._timeout() from e

    def _timeout(self) -> OpenWeatherTimeout:
        msg = f"OpenWeather did not answer within {self.timeout:g} seconds."
        return OpenWeatherTimeout(msg)

    def _decode(self, status: int, headers, body: bytes):
        if status == 429:
            retry_after = headers.get("Retry-After", "")
            if not retry_after.isdigit():
                retry_after = str(DEFAULT_RETRY_AFTER)
            msg = "OpenWeather's call limit is exhausted; try again later."
            raise OpenWeatherUnavailable(msg, headers={"Retry-After": retry_after})
        if status in (401, 403):
            msg = "OpenWeather refused the API key."
            raise OpenWeatherError(msg)
        if status == 404:
            msg = "OpenWeather does not know this city."
            raise UnknownCity(msg)
        if status >= 500:
            msg = f"OpenWeather failed with status {status}."
            raise OpenWeatherError(msg)
        if status != 200:
            msg = f"OpenWeather answered with unexpected status {status}."
            raise OpenWeatherError(msg)

        try:
            return json.loads(body)
        except ValueError as e:
            msg = "OpenWeather's answer is not valid JSON."
            raise OpenWeatherError(msg) from e
