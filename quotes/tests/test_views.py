import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from availability.models import City
from nicaventas.testing import ApiTestCase
from quotes.models import PricingRule, Product
from quotes.standin import body
from quotes.tests.cases import weather_body

WEATHER = "/data/2.5/weather"
QUOTE_FIELDS = {
    "sku",
    "description",
    "country",
    "city",
    "base_price",
    "variation",
    "price",
    "weather",
    "rule",
    "cache",
}


def rule_fields(rule: PricingRule) -> dict:
    return {
        "id": rule.pk,
        "city": rule.city_id,
        "product": rule.product_id,
        "min_condition": rule.min_condition,
        "max_condition": rule.max_condition,
        "variation": rule.variation,
    }


def inline_forms(prefix: str, rows: list[dict]) -> dict:
    """Return the fields of an admin inline formset holding the rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(sum(1 for row in rows if row["id"])),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": str(v) for name, v in row.items()})

    return data


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class PriceApiTests(ApiTestCase):
    def test_known_sku_gives_base_price_as_number(self):
        response = self.client.get("/price/AZ00001")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "sku": "AZ00001",
                "description": "Paraguas de señora estampado",
                "price": 10.0,
            },
        )
        self.assertIn(b'"price":10.0', response.content)

    def test_sku_in_lower_case_is_the_same_product(self):
        response = self.client.get("/price/az00002")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["sku"], "AZ00002")

    def test_unknown_sku_is_404(self):
        response = self.client.get("/price/ZZ99999")

        self.assertEqual(response.status_code, 404)
        self.assertIn("ZZ99999", response.json()["detail"])

    def test_malformed_sku_is_json_404(self):
        for path in ["/price/A", "/price/AZ!0001", "/price/" + "A" * 40, "/price/a/b"]:
            with self.subTest(path=path):
                response = self.client.get(path)

                self.assertEqual(response.status_code, 404)
                self.assertEqual(response["Content-Type"], "application/json")
                self.assertIn("detail", response.json())


class QuoteApiTests(ApiTestCase):
    def test_quote_has_exactly_the_documented_fields_and_types(self):
        response = self.quote("AZ00001", "LEON ", "NI")

        answer = response.json()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(answer), QUOTE_FIELDS)
        self.assertEqual(
            set(answer["weather"]), {"conditions", "source", "observed_at"}
        )
        rule = PricingRule.objects.get(
            city__name="León", product__sku="AZ00001", min_condition=500
        )
        self.assertEqual(
            {k: v for k, v in answer.items() if k != "weather"},
            {
                "sku": "AZ00001",
                "description": "Paraguas de señora estampado",
                "country": "ni",
                "city": "León",
                "base_price": 10.0,
                "variation": 1.5,
                "price": 15.0,
                "rule": rule.pk,
                "cache": "miss",
            },
        )
        for field in ("base_price", "variation", "price"):
            self.assertTrue(is_number(answer[field]), field)
        self.assertEqual(answer["weather"]["conditions"], [503])
        self.assertEqual(answer["weather"]["source"], "live")
        self.assertIsInstance(answer["weather"]["observed_at"], str)

    def test_one_condition_id_selects_its_rule(self):
        self.standin.set_weather("Managua", body("managua-clear-sky"))

        answer = self.quote("AZ00002", "Managua").json()

        rule = PricingRule.objects.get(
            city__name="Managua", product__sku="AZ00002", min_condition=800
        )
        self.assertEqual(answer["weather"]["conditions"], [800])
        self.assertEqual(answer["rule"], rule.pk)
        self.assertEqual(answer["variation"], 1.5)
        self.assertEqual(answer["price"], 1.5)

    def test_every_condition_id_counts_not_only_the_first(self):
        self.standin.set_weather("León", body("mist-and-light-rain"))

        answer = self.quote("AZ00001").json()

        self.assertEqual(answer["weather"]["conditions"], [701, 500])
        self.assertEqual(answer["variation"], 1.5)
        self.assertEqual(answer["price"], 15.0)
        self.assertIsNotNone(answer["rule"])

    def test_rule_bounds_are_inclusive(self):
        chinandega = City.objects.get(name="Chinandega")
        product = Product.objects.get(sku="AZ00001")
        rule = PricingRule.objects.create(
            city=chinandega,
            product=product,
            min_condition=500,
            max_condition=599,
            variation=Decimal("2"),
        )
        expected = {499: None, 500: rule.pk, 599: rule.pk, 600: None}

        for condition, rule_id in expected.items():
            with self.subTest(condition=condition):
                self.setUp()
                self.standin.set_weather("Chinandega", weather_body(condition))

                answer = self.quote("AZ00001", "Chinandega").json()

                self.assertEqual(answer["rule"], rule_id)
                self.assertEqual(answer["variation"], 2.0 if rule_id else 1.0)

    def test_no_matching_rule_gives_variation_one_and_no_rule(self):
        self.standin.set_weather("León", weather_body(211))

        answer = self.quote("AZ00001").json()

        self.assertEqual(answer["variation"], 1.0)
        self.assertEqual(answer["price"], 10.0)
        self.assertIsNone(answer["rule"])
        self.assertIn(b'"rule":null', self.quote("AZ00001").content)

    def test_city_without_rules_gives_base_price(self):
        answer = self.quote("AZ00002", "chinandega").json()

        self.assertEqual(answer["city"], "Chinandega")
        self.assertEqual(answer["weather"]["conditions"], [701, 500])
        self.assertEqual((answer["variation"], answer["price"]), (1.0, 1.0))
        self.assertIsNone(answer["rule"])

    def test_overlapping_rules_give_the_largest_variation(self):
        leon = City.objects.get(name="León")
        product = Product.objects.get(sku="AZ00001")
        largest = PricingRule.objects.create(
            city=leon,
            product=product,
            min_condition=700,
            max_condition=799,
            variation=Decimal("2.25"),
        )
        PricingRule.objects.create(
            city=leon,
            product=product,
            min_condition=500,
            max_condition=500,
            variation=Decimal("1.75"),
        )
        self.standin.set_weather("León", body("mist-and-light-rain"))

        answer = self.quote("AZ00001").json()

        self.assertEqual(answer["rule"], largest.pk)
        self.assertEqual(answer["variation"], 2.25)
        self.assertEqual(answer["price"], 22.5)

    def test_price_is_rounded_half_up_to_cents(self):
        product = Product.objects.create(
            sku="RND0001", description="Redondeo", base_price=Decimal("0.99")
        )
        chinandega = City.objects.get(name="Chinandega")
        cases = [("1.333", 1.32), ("1.5", 1.49), ("0.5", 0.5), ("1.125", 1.11)]

        for variation, price in cases:
            with self.subTest(variation=variation):
                self.setUp()
                PricingRule.objects.filter(product=product).delete()
                PricingRule.objects.create(
                    city=chinandega,
                    product=product,
                    min_condition=500,
                    max_condition=599,
                    variation=Decimal(variation),
                )

                answer = self.quote("RND0001", "Chinandega").json()

                self.assertEqual(answer["variation"], float(variation))
                self.assertEqual(answer["price"], price)

    def test_unknown_sku_is_404_without_asking_openweather(self):
        response = self.quote("ZZ99999")

        self.assertEqual(response.status_code, 404)
        self.assertIn("ZZ99999", response.json()["detail"])
        self.assertEqual(self.standin.count(), 0)

    def test_city_unknown_to_openweather_is_404_saying_so(self):
        response = self.quote("AZ00001", "Atlantis")

        self.assertEqual(response.status_code, 404)
        self.assertIn("OpenWeather", response.json()["detail"])
        self.assertIn("Atlantis", response.json()["detail"])

    def test_invalid_body_is_400_naming_the_field(self):
        cases = [
            ({"country": "ni", "city": "Leon"}, "sku"),
            ({"sku": "AZ00001", "city": "Leon"}, "country"),
            ({"sku": "AZ00001", "country": "ni"}, "city"),
            ({"sku": "AZ00001", "country": "xx", "city": "Leon"}, "country"),
            ({"sku": "AZ00001", "country": "nic", "city": "Leon"}, "country"),
            ({"sku": "AZ!", "country": "ni", "city": "Leon"}, "sku"),
            ({"sku": "AZ00001", "country": "ni", "city": ""}, "city"),
            ({"sku": "AZ00001", "country": "ni", "city": "L" * 101}, "city"),
            ({"sku": "AZ00001", "country": "ni", "city": "Le\x00on"}, "city"),
            ({"sku": 7, "country": ["ni"], "city": "Leon"}, "country"),
        ]

        for payload, field in cases:
            with self.subTest(payload=payload):
                response = self.client.post("/quote", payload, format="json")

                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json()["errors"])
        self.assertEqual(self.standin.count(), 0)

    def test_body_that_is_not_json_is_400(self):
        response = self.client.post(
            "/quote", "{not json", content_type="application/json"
        )

        self.assertEqual(response.status_code, 400)
        self.assertIn("detail", response.json())

    def test_body_in_another_format_is_415(self):
        response = self.client.post(
            "/quote", "sku=AZ00001", content_type="application/x-www-form-urlencoded"
        )

        self.assertEqual(response.status_code, 415)
        self.assertIn("detail", response.json())

    def test_get_is_405(self):
        response = self.client.get("/quote")

        self.assertEqual(response.status_code, 405)
        self.assertIn("POST", response["Allow"])


class QuoteCacheTests(ApiTestCase):
    def test_repeated_quote_is_hit_touching_neither_openweather_nor_database(self):
        miss = self.quote("AZ00001", "Leon")
        calls = self.standin.count()

        with self.assertNumQueries(0):
            hit = self.quote("az00001", " LEÓN", "NI")

        self.assertEqual(miss.json()["cache"], "miss")
        self.assertEqual(hit.json()["cache"], "hit")
        self.assertEqual(self.standin.count(), calls)
        without_cache = [
            {k: v for k, v in r.json().items() if k != "cache"} for r in (miss, hit)
        ]
        self.assertEqual(without_cache[0], without_cache[1])
        self.assertEqual(
            {k: type(v) for k, v in miss.json().items()},
            {k: type(v) for k, v in hit.json().items()},
        )
        self.assertIn(b'"price":15.0', hit.content)

    def test_cold_miss_costs_two_queries_at_most(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.quote("AZ00001", "Managua")

        self.assertEqual(response.json()["cache"], "miss")
        self.assertEqual(response.json()["weather"]["source"], "live")
        self.assertLessEqual(len(queries), 2)

    def test_miss_with_cached_weather_costs_two_queries_at_most(self):
        self.quote("AZ00001")
        calls = self.standin.count()

        with CaptureQueriesContext(connection) as queries:
            response = self.quote("AZ00002")

        self.assertEqual(response.json()["cache"], "miss")
        self.assertEqual(response.json()["weather"]["source"], "cached")
        self.assertLessEqual(len(queries), 2)
        self.assertEqual(self.standin.count(), calls)

    def test_skus_quoted_in_one_city_share_one_weather_call(self):
        for i in range(5):
            Product.objects.create(
                sku=f"XX0000{i}", description=f"Product {i}", base_price=Decimal(i)
            )
        skus = ["AZ00001", "AZ00002", *[f"XX0000{i}" for i in range(5)]]

        answers = [
            self.quote(sku, city).json() for sku in skus for city in ("León", "leon")
        ]

        sources = [a["weather"]["source"] for a in answers if a["cache"] == "miss"]
        self.assertEqual(self.standin.count(WEATHER), 1)
        self.assertEqual(sources.count("live"), 1)
        self.assertEqual({answer["cache"] for answer in answers}, {"miss", "hit"})

    def test_different_cities_ask_openweather_each(self):
        self.quote("AZ00001", "Leon")
        self.quote("AZ00001", "Managua")

        self.assertEqual(self.standin.count(WEATHER), 2)

    @override_settings(QUOTE_CACHE_TTL=1, WEATHER_CACHE_TTL=300)
    def test_quote_expires_after_its_lifetime_while_weather_stays(self):
        self.quote()
        self.assertEqual(self.quote().json()["cache"], "hit")
        time.sleep(1.2)

        answer = self.quote().json()

        self.assertEqual(answer["cache"], "miss")
        self.assertEqual(answer["weather"]["source"], "cached")
        self.assertEqual(self.standin.count(WEATHER), 1)


class QuoteInvalidationTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.assertEqual(self.quote().json()["cache"], "miss")
        self.assertEqual(self.quote().json()["cache"], "hit")

    def login_admin(self):
        user = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
        self.client.force_login(user)

    def product_form(self, product: Product, rule_changes=None, **changes) -> dict:
        """Return the product's admin change form as a browser posts it."""
        fields = {"sku": product.sku, "description": product.description}
        rules = [rule_fields(rule) for rule in product.rules.all()]
        for rule in rules:
            rule.update((rule_changes or {}).get(rule["id"], {}))

        return {
            **fields,
            "base_price": str(product.base_price),
            **inline_forms("rules", rules),
            **changes,
        }

    def rain_rule(self, sku="AZ00001") -> PricingRule:
        return PricingRule.objects.get(
            city__name="León", product__sku=sku, min_condition=500
        )

    def test_product_save_drops_its_quotes(self):
        product = Product.objects.get(sku="AZ00001")

        with self.committed():
            product.base_price = Decimal("20.00")
            product.save()

        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual((answer["base_price"], answer["price"]), (20.0, 30.0))

    def test_change_of_another_product_keeps_the_quote(self):
        product = Product.objects.get(sku="AZ00002")

        with self.committed():
            product.base_price = Decimal("2.00")
            product.save()

        self.assertEqual(self.quote().json()["cache"], "hit")

    def test_queryset_update_drops_quotes(self):
        with self.committed():
            Product.objects.filter(sku="AZ00001").update(base_price=Decimal("4.00"))

        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual(answer["price"], 6.0)

    def test_admin_change_form_drops_quotes(self):
        self.login_admin()
        product = Product.objects.get(sku="AZ00001")

        with self.committed():
            response = self.client.post(
                f"/admin/quotes/product/{product.pk}/change/",
                self.product_form(product, base_price="12.00"),
            )

        self.assertEqual(response.status_code, 302)
        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual(answer["price"], 18.0)

    def test_rule_save_drops_quotes(self):
        rule = self.rain_rule()

        with self.committed():
            rule.variation = Decimal("2.5")
            rule.save()

        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual((answer["variation"], answer["price"]), (2.5, 25.0))

    def test_rule_delete_drops_quotes(self):
        with self.committed():
            self.rain_rule().delete()

        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual((answer["rule"], answer["price"]), (None, 10.0))

    def test_rule_queryset_update_drops_quotes(self):
        with self.committed():
            PricingRule.objects.filter(variation=Decimal("1.5")).update(
                variation=Decimal("3")
            )

        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual(answer["price"], 30.0)

    def test_admin_inline_rule_change_drops_quotes(self):
        self.login_admin()
        product = Product.objects.get(sku="AZ00001")
        rule = self.rain_rule()
        form = self.product_form(product, {rule.pk: {"variation": "1.8"}})

        with self.committed():
            response = self.client.post(
                f"/admin/quotes/product/{product.pk}/change/", form
            )

        self.assertEqual(response.status_code, 302)
        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual(answer["price"], 18.0)

    def test_admin_inline_rule_delete_drops_quotes(self):
        self.login_admin()
        product = Product.objects.get(sku="AZ00001")
        rule = self.rain_rule()
        form = self.product_form(product, {rule.pk: {"DELETE": "on"}})

        with self.committed():
            response = self.client.post(
                f"/admin/quotes/product/{product.pk}/change/", form
            )

        self.assertEqual(response.status_code, 302)
        self.assertFalse(PricingRule.objects.filter(pk=rule.pk).exists())
        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual((answer["rule"], answer["price"]), (None, 10.0))

    def test_admin_rule_change_form_drops_quotes(self):
        self.login_admin()
        rule = self.rain_rule()
        form = {
            "city": str(rule.city_id),
            "product": str(rule.product_id),
            "min_condition": "500",
            "max_condition": "599",
            "variation": "0.9",
        }

        with self.committed():
            response = self.client.post(
                f"/admin/quotes/pricingrule/{rule.pk}/change/", form
            )

        self.assertEqual(response.status_code, 302)
        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual(answer["price"], 9.0)

    def test_admin_bulk_delete_of_rules_drops_quotes(self):
        self.login_admin()
        rule = self.rain_rule()
        form = {
            "action": "delete_selected",
            "_selected_action": [str(rule.pk)],
            "post": "yes",
        }

        with self.committed():
            response = self.client.post("/admin/quotes/pricingrule/", form)

        self.assertEqual(response.status_code, 302)
        self.assertFalse(PricingRule.objects.filter(pk=rule.pk).exists())
        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual((answer["rule"], answer["price"]), (None, 10.0))

    def test_admin_city_inline_rule_added_drops_quotes(self):
        self.login_admin()
        leon = City.objects.get(name="León")
        added = {
            "id": "",
            "city": leon.pk,
            "product": Product.objects.get(sku="AZ00001").pk,
            "min_condition": 503,
            "max_condition": 503,
            "variation": "3",
        }
        rules = [rule_fields(rule) for rule in leon.pricing_rules.all()]
        form = {
            "country": "ni",
            "name": leon.name,
            "active": "on",
            "latitude": str(leon.latitude),
            "longitude": str(leon.longitude),
            **inline_forms("pricing_rules", [*rules, added]),
        }

        with self.committed():
            response = self.client.post(
                f"/admin/availability/city/{leon.pk}/change/", form
            )

        self.assertEqual(response.status_code, 302)
        answer = self.quote().json()
        self.assertEqual(answer["cache"], "miss")
        self.assertEqual(answer["price"], 30.0)


class ProductAdminTests(ApiTestCase):
    def test_adding_an_existing_sku_in_lower_case_is_a_form_error(self):
        user = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
        self.client.force_login(user)
        form = {
            "sku": "az00001",
            "description": "Otro paraguas",
            "base_price": "3.00",
            **inline_forms("rules", []),
        }

        response = self.client.post("/admin/quotes/product/add/", form)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "already exists")
        self.assertEqual(Product.objects.filter(sku="AZ00001").count(), 1)
