from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase

from availability.models import City, normalize_city
from nicaventas.testing import ApiTestCase


class NormalizeCityTests(TestCase):
    def test_spellings_of_one_name_share_a_key(self):
        for spelling in ["León", "Leon", "leon ", " LEÓN", "Le\u0301on", "LEÓN\t"]:
            with self.subTest(spelling=spelling):
                self.assertEqual(normalize_city(spelling), "leon")

    def test_inner_blanks_collapse(self):
        self.assertEqual(normalize_city(" San   Juan  del Sur "), "san juan del sur")


class CityIdentityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.leon = City.objects.create(country="ni", name="León", active=True)

    def test_full_clean_refuses_another_spelling(self):
        for name in ["Leon", "LEÓN", " leon "]:
            with self.subTest(name=name):
                city = City(country="NI", name=name)

                with self.assertRaises(ValidationError):
                    city.full_clean()

    def test_orm_refuses_another_spelling(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            City.objects.create(country="ni", name="LEON ")

        self.assertEqual(City.objects.count(), 1)

    def test_orm_rename_onto_another_city_is_refused(self):
        managua = City.objects.create(country="ni", name="Managua")
        managua.name = "Leon"

        with self.assertRaises(IntegrityError), transaction.atomic():
            managua.save()

    def test_same_name_in_another_country_is_allowed(self):
        city = City(country="mx", name="Leon")

        city.full_clean()
        city.save()

        self.assertEqual(City.objects.filter(name_key="leon").count(), 2)

    def test_names_a_collation_confuses_are_distinct(self):
        # MariaDB's collations hold every emoji equal, and ı equal to i.
        for first, second in [("🌧 Town", "🌞 Town"), ("Isparta", "ısparta")]:
            with self.subTest(first=first, second=second):
                City.objects.create(country="tr", name=first)
                city = City(country="tr", name=second)

                city.full_clean()
                city.save()

                found = City.objects.get(country="tr", name_key=normalize_city(second))
                self.assertEqual(found.name, second)

    def test_blank_name_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            City(country="ni", name="  \u0301 ").full_clean()

        self.assertIn("name", caught.exception.message_dict)

    def test_unknown_country_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            City(country="zz", name="Nowhere").full_clean()

        self.assertIn("country", caught.exception.message_dict)

    def test_country_is_stored_in_lower_case(self):
        city = City.objects.create(country="MX ", name="Puebla")

        city.refresh_from_db()
        self.assertEqual(city.country, "mx")


class CityBulkRenameTests(ApiTestCase):
    def test_bulk_update_of_names_keeps_the_lookup_key(self):
        city = City.objects.get(name="Chinandega")
        city.name = "Chinandega Norte"

        with self.committed():
            City.objects.bulk_update([city], ["name"])

        self.assertEqual(self.active("chinandega norte").status_code, 200)
        self.assertEqual(self.active("Chinandega").status_code, 404)

    def test_one_name_for_many_rows_is_refused(self):
        with self.assertRaises(TypeError):
            City.objects.filter(country="ni").update(name="Same")

    def test_bulk_create_computes_the_lookup_key(self):
        with self.committed():
            City.objects.bulk_create([City(country="NI", name="Estelí")])

        self.assertEqual(self.active("esteli").json()["city"], "Estelí")

    def test_a_lookup_key_alone_cannot_be_set_for_many_rows(self):
        with self.assertRaises(TypeError):
            City.objects.filter(country="ni").update(name_key="zz")
