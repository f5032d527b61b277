"""
Load the benchmark's data into an empty database and empty the cache.

Run as `python -m bench.seed <places.json>` with the service's environment:
products and rules as `manage.py seed` loads them, the twenty cities with rain
and clear-sky rules for both SKUs, the cold cities, and the stand-in's places.
"""

import json
import sys
from decimal import Decimal

import django


def main(places_path: str) -> None:
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from availability.models import City, normalize_city
    from bench import cities
    from quotes.models import PricingRule, Product

    call_command("migrate", "--no-input", verbosity=0)
    call_command("seed")

    stored = {c.name_key: c for c in City.objects.filter(country=cities.COUNTRY)}
    twenty = []
    for name, latitude, longitude in cities.CITIES:
        city = stored.get(normalize_city(name)) or City.objects.create(
            country=cities.COUNTRY,
            name=name,
            active=True,
            latitude=latitude,
            longitude=longitude,
        )
        twenty.append(city)

    cold = [
        City(
            country=cities.COUNTRY,
            name=name,
            name_key=normalize_city(name),
            active=True,
            latitude=latitude,
            longitude=longitude,
        )
        for pool in cities.POOLS
        for name, latitude, longitude in cities.cold_cities(pool)
    ]
    City.objects.bulk_create(cold, batch_size=2000)

    products = list(Product.objects.filter(sku__in=cities.SKUS))
    # Every city that is quoted gets rules; those only asked if active do not.
    ruled = (
        City.objects.filter(country=cities.COUNTRY, pricing_rules__isnull=True)
        .exclude(name__startswith=cities.cold_city("active-miss", 0)[:-5])
        .distinct()
    )
    rules = [
        PricingRule(
            city=city,
            product=product,
            min_condition=low,
            max_condition=high,
            variation=Decimal(variation),
        )
        for city in ruled
        for product in products
        for low, high, variation in [(500, 599, "1.5"), (800, 800, "0.5")]
    ]
    PricingRule.objects.bulk_create(rules, batch_size=2000)

    places = [
        {
            "name": name,
            "country": cities.COUNTRY,
            "lat": latitude,
            "lon": longitude,
            "weather": cities.weather_of(i),
        }
        for i, (name, latitude, longitude) in enumerate(cities.CITIES)
    ]
    with open(places_path, "w", encoding="utf-8") as f:
        json.dump(places, f, ensure_ascii=False)
    cache.clear()

    print(
        f"{len(twenty)} cities, {len(cold)} cold cities, {len(rules)} rules, "
        f"{len(places)} stand-in places"
    )


if __name__ == "__main__":
    main(sys.argv[1])
