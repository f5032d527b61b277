from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings

from availability.models import City
from nicaventas.testing import ApiTestCase
from quotes.models import PricingRule
from quotes.standin import body
from quotes.tests.cases import weather_body


class WeatherCommandTests(ApiTestCase):
    def weather(self, *args) -> str:
        out = StringIO()
        call_command("weather", *args, stdout=out)
        return out.getvalue()

    def rule(self, sku: str, low: int, city: str = "León") -> PricingRule:
        return PricingRule.objects.get(
            city__name=city, product__sku=sku, min_condition=low
        )

    def test_prints_condition_ids_and_the_rule_each_product_gets(self):
        self.standin.set_weather("León", weather_body(501, 800))
        umbrella_rain = self.rule("AZ00001", 500)
        ice_cream_clear = self.rule("AZ00002", 800)

        output = self.weather("LEON", "NI")

        self.assertIn("León (ni) at 12.4379, -86.8781 (stored coordinates)", output)
        self.assertIn("Condition ids: 501, 800", output)
        # Rain and clear sky both hold: the largest variation wins.
        self.assertIn(f"rule {umbrella_rain.pk}: 500-599 x1.5  applies", output)
        self.assertIn("price 10.00 x 1.5 = 15.00", output)
        self.assertIn(f"rule {ice_cream_clear.pk}: 800-800 x1.5  applies", output)
        self.assertIn("matches, but another rule wins", output)
        self.assertIn("price 1.00 x 1.5 = 1.50", output)
        self.assertEqual(self.standin.count("/geo/"), 0)

    def test_agrees_with_the_quote(self):
        output = self.weather("Managua", "ni")
        quote = self.quote("AZ00002", "Managua").json()

        self.assertEqual(quote["price"], 1.5)
        self.assertIn(f"price 1.00 x 1.5 = 1.50 (rule {quote['rule']})", output)

    def test_asks_openweather_itself_even_when_weather_is_cached(self):
        self.quote("AZ00001", "Managua")
        self.standin.reset()

        self.weather("Managua", "ni")

        self.assertEqual(self.standin.count("/data/2.5/weather"), 1)

    def test_city_without_coordinates_is_geocoded_and_left_unchanged(self):
        City.objects.filter(name="Managua").update(latitude=None, longitude=None)

        output = self.weather("managua", "ni")

        self.assertIn("(geocoded by OpenWeather)", output)
        self.assertEqual(self.standin.count("/geo/1.0/direct"), 1)
        self.assertIsNone(City.objects.get(name="Managua").latitude)

    def test_unregistered_city_known_to_openweather_has_no_rules(self):
        City.objects.filter(name="Chinandega").delete()

        output = self.weather("Chinandega", "ni")

        self.assertIn("Not a registered city", output)
        self.assertIn("price 10.00 x 1 = 10.00 (no rule)", output)

    def test_unknown_city_is_an_error_saying_so(self):
        with self.assertRaisesMessage(
            CommandError, "OpenWeather knows no city 'Atlantis' in country 'ni'."
        ):
            self.weather("Atlantis", "ni")

    def test_unknown_country_is_an_error_before_any_call(self):
        with self.assertRaisesMessage(CommandError, "'zz' is not an ISO 3166-1"):
            self.weather("Leon", "zz")

        self.assertEqual(self.standin.count(), 0)

    def test_openweather_failure_is_an_error_saying_what_failed(self):
        self.standin.failure = (401, body("invalid-api-key"), {})

        with self.assertRaisesMessage(CommandError, "OpenWeather refused the API key."):
            self.weather("Leon", "ni")

    def test_missing_key_is_an_error_naming_the_setting(self):
        with (
            override_settings(OPENWEATHER_API_KEY=""),
            self.assertRaisesMessage(CommandError, "OPENWEATHER_API_KEY is not set"),
        ):
            self.weather("Leon", "ni")
