import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import FilteredRelation, Q

from availability import services as availability
from availability.models import City, normalize_city
from nicaventas import cache
from nicaventas.api import NotFound
from quotes.models import Product
from quotes.openweather import Coordinates
from quotes.weather import Place, weather_get

logger = logging.getLogger(__name__)

QUOTE_KEY = "quote:{sku}:{country}:{city}"
PRODUCT_VERSION_KEY = "pricing-version:{sku}"
PRICING_VERSION_KEY = "pricing-version:all"
cache.forget_after_outage(PRICING_VERSION_KEY)
CENT = Decimal("0.01")


class ProductNotFound(NotFound):
    def __init__(self, *, sku: str):
        super().__init__(f"No product has the SKU '{sku}'.")


def product_get(*, sku: str) -> dict:
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise ProductNotFound(sku=sku)

    return {
        "sku": product.sku,
        "description": product.description,
        "price": float(product.base_price),
    }


def quote_price(*, sku: str, country: str, city: str) -> dict:
    """Return the price of the product in the city under its current weather."""
    city_key = normalize_city(city)
    quote_key = QUOTE_KEY.format(sku=sku, country=country, city=city_key)
    # Whatever decided the answer: the product and its rules, and the city.
    version_keys = [
        PRODUCT_VERSION_KEY.format(sku=sku),
        PRICING_VERSION_KEY,
        availability.CITY_VERSION_KEY.format(country=country, city=city_key),
        availability.TABLE_VERSION_KEY,
    ]

    found = cache.get_many([quote_key, *version_keys])
    cached = cache.fresh_answer(quote_key, found, version_keys)
    if cached is not None:
        return {**cached, "cache": "hit"}

    tokens = cache.version_tokens(version_keys, found)
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise ProductNotFound(sku=sku)
    place, rules = _place_and_rules(product, country, city)
    weather = weather_get(place=place)
    rule = _best_rule(rules, weather.conditions)
    variation = rule["variation"] if rule else Decimal(1)
    price = (product.base_price * variation).quantize(CENT, rounding=ROUND_HALF_UP)
    answer = {
        "sku": product.sku,
        "description": product.description,
        "country": country,
        "city": place.name,
        "base_price": float(product.base_price),
        "variation": float(variation),
        "price": float(price),
        "weather": weather.as_dict(),
        "rule": rule["id"] if rule else None,
    }
    # A quote from stale weather is an answer in need, not one to keep.
    if tokens is not None and weather.source != "stale":
        entry = {"versions": tokens, "data": answer}
        cache.store(quote_key, entry, settings.QUOTE_CACHE_TTL)

    return {**answer, "cache": "miss"}


def _place_and_rules(product: Product, country: str, city: str):
    """Read the city and the product's rules there in one query."""
    rows = (
        City.objects.filter(country=country, name_key=normalize_city(city))
        .annotate(
            rule=FilteredRelation(
                "pricing_rules", condition=Q(pricing_rules__product=product)
            )
        )
        .values(
            "id",
            "name",
            "latitude",
            "longitude",
            "rule__id",
            "rule__min_condition",
            "rule__max_condition",
            "rule__variation",
        )
    )
    rows = list(rows)
    if not rows:
        # Not one of ours: priced without rules, if OpenWeather knows it.
        return Place(country, normalize_city(city), " ".join(city.split())), []

    row = rows[0]
    coordinates = None
    if row["latitude"] is not None and row["longitude"] is not None:
        coordinates = Coordinates(row["latitude"], row["longitude"])
    place = Place(country, normalize_city(city), row["name"], coordinates, row["id"])
    rules = [
        {
            "id": r["rule__id"],
            "min": r["rule__min_condition"],
            "max": r["rule__max_condition"],
            "variation": r["rule__variation"],
        }
        for r in rows
        if r["rule__id"] is not None
    ]

    return place, rules


def _best_rule(rules: list[dict], conditions: list[int]) -> dict | None:
    """Return the matching rule with the largest variation, the oldest on ties."""
    matching = [r for r in rules if any(r["min"] <= c <= r["max"] for c in conditions)]
    if not matching:
        return None

    return max(sorted(matching, key=lambda r: r["id"]), key=lambda r: r["variation"])


def quotes_forget(*, skus: set) -> None:
    keys = [PRODUCT_VERSION_KEY.format(sku=sku) for sku in skus if sku]
    cache.bump_versions(*keys)


def quotes_forget_all() -> None:
    cache.bump_versions(PRICING_VERSION_KEY)
