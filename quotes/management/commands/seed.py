from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from availability.models import City, normalize_city
from quotes.models import PricingRule, Product

PRODUCTS = [
    ("AZ00001", "Paraguas de señora estampado", Decimal("10.00")),
    ("AZ00002", "Helado de sabor fresa", Decimal("1.00")),
]
# name, active, latitude, longitude (OpenWeather's geocoder)
CITIES = [
    ("León", True, 12.4379, -86.8781),
    ("Managua", True, 12.1328, -86.2504),
    ("Chinandega", False, 12.6294, -87.1311),
]
RAIN, CLEAR = (500, 599), (800, 800)
RULES = {
    "AZ00001": [(RAIN, Decimal("1.5")), (CLEAR, Decimal("0.5"))],
    "AZ00002": [(RAIN, Decimal("0.5")), (CLEAR, Decimal("1.5"))],
}
RULED_CITIES = ["León", "Managua"]


class Command(BaseCommand):
    help = "Load the initial products, cities and rules; running it again is safe."

    @transaction.atomic
    def handle(self, *args, **options):
        products = {}
        for sku, description, price in PRODUCTS:
            products[sku], _ = Product.objects.get_or_create(
                sku=sku, defaults={"description": description, "base_price": price}
            )

        cities = {}
        for name, active, latitude, longitude in CITIES:
            cities[name], _ = City.objects.get_or_create(
                country="ni",
                name_key=normalize_city(name),
                defaults={
                    "name": name,
                    "active": active,
                    "latitude": latitude,
                    "longitude": longitude,
                },
            )

        created = 0
        for name in RULED_CITIES:
            for sku, rules in RULES.items():
                for (low, high), variation in rules:
                    _, new = PricingRule.objects.get_or_create(
                        city=cities[name],
                        product=products[sku],
                        min_condition=low,
                        max_condition=high,
                        defaults={"variation": variation},
                    )
                    created += new

        self.stdout.write(
            f"{len(products)} products, {len(cities)} cities, "
            f"{created} new rules loaded."
        )
