"""
Count the database queries of a miss and of a hit, for /active and /quote.

Run as `python -m bench.queries` with the benchmark server's environment, once
its load has run: the requests go through Django's test client in this
process, on the same database, Redis and OpenWeather stand-in, for cold cities
no load has asked about. Prints one JSON object.
"""

import json

import django


def main() -> None:
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import cities

    client = Client()
    first, second = (name for name, *_ in cities.cold_cities("queries"))
    asks = {
        "active": lambda: client.get(
            "/active", {"country": cities.COUNTRY, "city": first}
        ),
        "quote": lambda: client.post(
            "/quote",
            {"sku": cities.SKUS[0], "country": cities.COUNTRY, "city": second},
            content_type="application/json",
        ),
    }
    counts = {}
    for endpoint, ask in asks.items():
        for expected in ("miss", "hit"):
            with CaptureQueriesContext(connection) as queries:
                response = ask()
            answer = response.json()
            if response.status_code != 200 or answer.get("cache") != expected:
                msg = f"{endpoint} answered {response.status_code} {answer}"
                raise SystemExit(msg)
            counts[f"{endpoint} {expected}"] = len(queries)

    print(json.dumps(counts))


if __name__ == "__main__":
    main()
