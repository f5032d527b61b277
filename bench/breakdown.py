"""
Time the parts of a cached answer in one process, without the network.

Run as `python -m bench.breakdown` with the benchmark server's environment,
once the load has cached León's answers: the median of many calls to each
part, to tell how much of a hit's cost over the floor is DRF's and how much is
the cache's. Prints one JSON object of microseconds.
"""

import io
import itertools
import json
import statistics
import sys
import time

import django

CALLS = 2000


def median_us(call) -> float:
    for _ in range(200):
        call()
    times = []
    for _ in range(CALLS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1e6, 1)


def wsgi_caller(handler, method: str, path: str, query: str = "", body=b""):
    """Return a call of the WSGI handler, middleware included, as gunicorn does."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }

    clients = itertools.cycle(f"127.2.{n // 256}.{n % 256}" for n in range(1000))

    def call():
        request = {
            **environ,
            "wsgi.input": io.BytesIO(body),
            # As many clients as bench/load.lua, all below the throttle's rate.
            "HTTP_X_FORWARDED_FOR": next(clients),
        }
        answer = handler(request, start_response)
        b"".join(answer)
        answer.close()

    return call


def start_response(status, headers, exc_info=None):
    if not status.startswith("200"):
        raise SystemExit(f"The benchmark's request failed: {status}")


def main() -> None:
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import QueryDict

    from availability import services as availability
    from availability.views import ActiveApi
    from bench import cities
    from nicaventas import cache
    from quotes import services as quotes
    from quotes.views import QuoteApi

    handler = WSGIHandler()
    city = cities.CITIES[0][0]
    query = QueryDict(mutable=True)
    query.update({"country": cities.COUNTRY, "city": city})
    body = {"sku": cities.SKUS[0], "country": cities.COUNTRY, "city": city}
    raw_body = json.dumps(body).encode()
    parts = {
        "Django view, no DRF": wsgi_caller(handler, "GET", "/bench/floor-django"),
        "floor (DRF view)": wsgi_caller(handler, "GET", "/bench/floor"),
        "GET /active hit": wsgi_caller(handler, "GET", "/active", query.urlencode()),
        "POST /quote hit": wsgi_caller(handler, "POST", "/quote", body=raw_body),
        "one cache round trip": lambda: cache.get("bench:absent"),
        "/active input validation": lambda: ActiveApi.QuerySerializer(
            data=query
        ).is_valid(raise_exception=True),
        "/active cached answer (service)": lambda: availability.active_get(
            country=cities.COUNTRY, city=city
        ),
        "/quote input validation": lambda: QuoteApi.InputSerializer(data=body).is_valid(
            raise_exception=True
        ),
        "/quote cached answer (service)": lambda: quotes.quote_price(**body),
    }

    print(json.dumps({name: median_us(call) for name, call in parts.items()}))


if __name__ == "__main__":
    main()
