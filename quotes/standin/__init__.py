"""
A local stand-in for OpenWeather, over real HTTP on loopback.

It answers the two calls the client makes (`/geo/1.0/direct` and
`/data/2.5/weather`) with bodies in OpenWeather's own format, kept beside this
file. Tests, the benchmark and `bin/run` use it, since OpenWeather itself is
out of reach from development and CI machines.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BODIES = Path(__file__).resolve().parent


def body(name: str) -> dict:
    """Return one of the recorded OpenWeather answers, e.g. 'leon-heavy-rain'."""
    return json.loads((BODIES / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class StandInPlace:
    name: str
    country: str
    latitude: float
    longitude: float
    weather: dict


def default_places() -> list[StandInPlace]:
    return [
        StandInPlace("León", "NI", 12.4379, -86.8781, body("leon-heavy-rain")),
        StandInPlace("Managua", "NI", 12.1328, -86.2504, body("managua-clear-sky")),
        StandInPlace(
            "Chinandega", "NI", 12.6294, -87.1311, body("mist-and-light-rain")
        ),
    ]


def places_from_file(path: str | Path) -> list[StandInPlace]:
    """
    Read more places from a JSON list of objects with `name`, `country`, `lat`,
    `lon` and `weather`, the name of one of the recorded answers.
    """
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        StandInPlace(
            e["name"], e["country"].upper(), e["lat"], e["lon"], body(e["weather"])
        )
        for e in entries
    ]


def _fold(text: str) -> str:
    from availability.models import normalize_city

    return normalize_city(text)


class OpenWeatherStandIn:
    """
    Serve OpenWeather's answers from a thread; tests steer it and count calls.

    `delay` holds every answer back; `failure` (status, body, headers) replaces
    every answer, its body sent as JSON unless it is bytes; `trickle` sends the
    body a byte at a time, that many seconds apart.
    """

    def __init__(self, *, api_key: str = "stand-in-key", delay: float = 0.0):
        self.api_key = api_key
        self.delay = delay
        self.trickle = 0.0
        self.failure: tuple[int, dict | bytes, dict] | None = None
        self.places = default_places()
        self.calls: list[str] = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> "OpenWeatherStandIn":
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def count(self, path: str = "") -> int:
        with self._lock:
            return sum(1 for call in self.calls if call.startswith(path))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
        self.delay, self.trickle, self.failure = 0.0, 0.0, None
        self.places = default_places()

    def set_weather(self, city: str, answer: dict) -> None:
        self._place(city).weather = answer

    def _place(self, city: str) -> StandInPlace:
        return next(p for p in self.places if _fold(p.name) == _fold(city))

    def answer(self, path: str, query: dict) -> tuple[int, dict | list | bytes, dict]:
        if path == "/_count":
            # Not OpenWeather's: how many calls came, for a benchmark to read.
            with self._lock:
                return 200, {"calls": len(self.calls)}, {}
        with self._lock:
            self.calls.append(path)
        if self.delay:
            time.sleep(self.delay)
        if self.failure:
            return self.failure
        if query.get("appid") != self.api_key:
            return 401, body("invalid-api-key"), {}
        if path == "/geo/1.0/direct":
            return 200, self._geocode(query.get("q", "")), {}
        if path == "/data/2.5/weather":
            return self._weather(query)
        return 404, {"cod": "404", "message": "Internal error"}, {}

    def _geocode(self, q: str) -> list:
        name, _, country = q.rpartition(",")
        return [
            {
                "name": p.name,
                "lat": p.latitude,
                "lon": p.longitude,
                "country": p.country,
            }
            for p in self.places
            if _fold(p.name) == _fold(name) and p.country == country.upper()
        ]

    def _weather(self, query: dict) -> tuple[int, dict, dict]:
        try:
            lat, lon = float(query["lat"]), float(query["lon"])
        except (KeyError, ValueError):
            return 400, {"cod": "400", "message": "wrong latitude"}, {}
        for p in self.places:
            if abs(p.latitude - lat) < 0.01 and abs(p.longitude - lon) < 0.01:
                return 200, p.weather, {}
        return 404, body("city-not-found"), {}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, answer, headers = standin.answer(parts.path, query)
                if isinstance(answer, bytes):
                    payload = answer
                else:
                    payload = json.dumps(answer, ensure_ascii=False).encode()

                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self._write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _write(self, payload: bytes) -> None:
                if not standin.trickle:
                    self.wfile.write(payload)
                    return
                for i in range(len(payload)):
                    self.wfile.write(payload[i : i + 1])
                    self.wfile.flush()
                    time.sleep(standin.trickle)

            def log_message(self, format, *args):
                pass

        return Handler
