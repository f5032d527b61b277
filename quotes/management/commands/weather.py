from decimal import ROUND_HALF_UP, Decimal

import pycountry
from django.core.management.base import BaseCommand, CommandError

from availability.models import City, normalize_city
from quotes.models import PricingRule, Product
from nicaventas.api import ServiceError
from quotes.openweather import Coordinates, OpenWeatherClient
from quotes.services import CENT, _best_rule


class Command(BaseCommand):
    help = (
        "Ask OpenWeather for the weather of a city now, bypassing the cache, and "
        "show the condition ids and which pricing rule each product would get."
    )

    def add_arguments(self, parser):
        parser.add_argument("city", help="e.g. León; case and accents are ignored")
        parser.add_argument("country", help="ISO 3166-1 alpha-2 code, e.g. ni")

    def handle(self, *args, city, country, **options):
        country = country.strip().lower()
        if pycountry.countries.get(alpha_2=country.upper()) is None:
            msg = f"'{country}' is not an ISO 3166-1 alpha-2 country code."
            raise CommandError(msg)
        stored = City.objects.filter(country=country, name_key=normalize_city(city))
        stored = stored.first()
        client = OpenWeatherClient.from_settings()

        try:
            if stored is not None and stored.latitude is not None:
                coordinates = Coordinates(stored.latitude, stored.longitude)
                where = "stored coordinates"
            else:
                coordinates = client.locate(city=city, country=country)
                where = "geocoded by OpenWeather"
            conditions = client.conditions(coordinates)
        except ServiceError as error:
            raise CommandError(error.detail) from error

        name = stored.name if stored else " ".join(city.split())
        self.stdout.write(
            f"{name} ({country}) at {coordinates.latitude:g}, "
            f"{coordinates.longitude:g} ({where})"
        )
        if stored is None:
            self.stdout.write("Not a registered city: no rules, every variation is 1.")
        self.stdout.write(f"Condition ids: {', '.join(map(str, conditions))}")
        rules = list(PricingRule.objects.filter(city=stored)) if stored else []
        for product in Product.objects.all():
            self._show_product(product, rules, conditions)

    def _show_product(self, product, rules, conditions) -> None:
        own = [rule for rule in rules if rule.product_id == product.pk]
        best = _best_rule(
            [
                {
                    "id": r.pk,
                    "min": r.min_condition,
                    "max": r.max_condition,
                    "variation": r.variation,
                }
                for r in own
            ],
            conditions,
        )
        variation = best["variation"] if best else Decimal(1)
        price = (product.base_price * variation).quantize(CENT, rounding=ROUND_HALF_UP)

        self.stdout.write(f"\n{product.sku} {product.description}")
        for rule in own:
            if best and rule.pk == best["id"]:
                mark = "applies"
            elif rule.matches(conditions):
                mark = "matches, but another rule wins"
            else:
                mark = "no match"
            self.stdout.write(
                f"  rule {rule.pk}: {rule.min_condition}-{rule.max_condition} "
                f"x{_plain(rule.variation)}  {mark}"
            )
        applied = f"rule {best['id']}" if best else "no rule"
        self.stdout.write(
            f"  price {product.base_price} x {_plain(variation)} = {price} ({applied})"
        )


def _plain(number: Decimal) -> str:
    """Return the number without trailing zeros: 1.500 is 1.5, 10.000 is 10."""
    return f"{number.normalize():f}"
