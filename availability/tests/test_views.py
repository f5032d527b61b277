from django.db import connection
from django.test.utils import CaptureQueriesContext

from availability.models import City
from nicaventas.testing import OPERATOR, ApiTestCase

WRONG_TOKEN = {"HTTP_AUTHORIZATION": "Bearer not-the-operator-token"}


class ActiveGetTests(ApiTestCase):
    def test_second_identical_question_is_cache_hit(self):
        first = self.active("Leon", "ni")
        second = self.active("LEÓN ", "NI")

        self.assertEqual(first.status_code, 200)
        self.assertEqual(
            first.json(),
            {"active": True, "country": "ni", "city": "León", "cache": "miss"},
        )
        self.assertEqual(second.status_code, 200)
        self.assertEqual(
            second.json(),
            {"active": True, "country": "ni", "city": "León", "cache": "hit"},
        )

    def test_miss_costs_two_queries_at_most(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.active()

        self.assertEqual(response.json()["cache"], "miss")
        self.assertLessEqual(len(queries), 2)

    def test_hit_touches_no_database(self):
        self.active()

        with self.assertNumQueries(0):
            response = self.active()

        self.assertEqual(response.json()["cache"], "hit")

    def test_spellings_of_one_city_answer_its_stored_name(self):
        for spelling in ["Leon", "leon ", "LEÓN", "  león", "LeÓn"]:
            with self.subTest(spelling=spelling):
                response = self.active(spelling, "NI")

                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["city"], "León")
                self.assertEqual(response.json()["country"], "ni")
                self.assertIs(response.json()["active"], True)

    def test_inactive_city_answers_false(self):
        response = self.active("chinandega")

        self.assertEqual(response.status_code, 200)
        self.assertIs(response.json()["active"], False)

    def test_unknown_city_is_404(self):
        response = self.active("Atlantis", "ni")

        self.assertEqual(response.status_code, 404)
        self.assertIn("Atlantis", response.json()["detail"])

    def test_known_city_in_other_country_is_404(self):
        response = self.active("Leon", "mx")

        self.assertEqual(response.status_code, 404)

    def test_unknown_city_is_not_cached(self):
        self.active("Masaya")
        with self.committed():
            City.objects.create(country="ni", name="Masaya", active=True)

        response = self.active("Masaya")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["cache"], "miss")

    def test_missing_or_invalid_parameter_is_400_naming_it(self):
        cases = [
            ({"city": "Leon"}, ["country"]),
            ({"country": "ni"}, ["city"]),
            ({}, ["city", "country"]),
            ({"city": "Leon", "country": "zz"}, ["country"]),
            ({"city": "Leon", "country": "nic"}, ["country"]),
            ({"city": "   ", "country": "ni"}, ["city"]),
            ({"city": "x" * 101, "country": "ni"}, ["city"]),
        ]
        for params, fields in cases:
            with self.subTest(params=params):
                response = self.client.get("/active", params)

                self.assertEqual(response.status_code, 400)
                body = response.json()
                self.assertIn("detail", body)
                self.assertEqual(sorted(body["errors"]), fields)
                for field in fields:
                    self.assertIsInstance(body["errors"][field][0], str)

    def test_stray_authorization_header_does_not_matter(self):
        for header in ["Bearer wrong", "Basic dXNlcjpwYXNz", "garbage"]:
            with self.subTest(header=header):
                response = self.active(HTTP_AUTHORIZATION=header)

                self.assertEqual(response.status_code, 200)
                self.assertIs(response.json()["active"], True)

    def active(self, city="Leon", country="ni", **extra):
        return self.client.get("/active", {"city": city, "country": country}, **extra)


class ActivePostTests(ApiTestCase):
    def post(self, body, **extra):
        return self.client.post("/active", body, format="json", **extra)

    def test_new_city_is_201_and_inactive_by_default(self):
        with self.committed():
            response = self.post({"country": "NI", "city": " Masaya "}, **OPERATOR)
        after = self.active("masaya")

        self.assertEqual(response.status_code, 201)
        self.assertEqual(
            response.json(), {"active": False, "country": "ni", "city": "Masaya"}
        )
        self.assertEqual(
            after.json(),
            {"active": False, "country": "ni", "city": "Masaya", "cache": "miss"},
        )

    def test_new_city_takes_active_from_body(self):
        with self.committed():
            response = self.post(
                {"country": "ni", "city": "Granada", "active": True}, **OPERATOR
            )

        self.assertEqual(response.status_code, 201)
        self.assertIs(response.json()["active"], True)
        self.assertIs(City.objects.get(name="Granada").active, True)

    def test_existing_city_is_200_and_sets_state(self):
        self.active()
        count = City.objects.count()

        with self.committed():
            response = self.post(
                {"country": "ni", "city": "LEON", "active": False}, **OPERATOR
            )
        after = self.active()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(), {"active": False, "country": "ni", "city": "León"}
        )
        self.assertEqual(City.objects.count(), count)
        self.assertEqual(after.json()["cache"], "miss")
        self.assertIs(after.json()["active"], False)

    def test_existing_city_without_active_keeps_its_state(self):
        with self.committed():
            response = self.post({"country": "ni", "city": "Leon"}, **OPERATOR)

        self.assertEqual(response.status_code, 200)
        self.assertIs(response.json()["active"], True)
        self.assertIs(City.objects.get(name="León").active, True)

    def test_spellings_differing_by_accents_are_one_city(self):
        with self.committed():
            first = self.post({"country": "ni", "city": "Estelí"}, **OPERATOR)
            second = self.post(
                {"country": "ni", "city": "ESTELI ", "active": True}, **OPERATOR
            )

        self.assertEqual(first.status_code, 201)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.json()["city"], "Estelí")
        self.assertEqual(City.objects.filter(name_key="esteli").count(), 1)

    def test_names_a_collation_confuses_are_distinct_cities(self):
        # MariaDB's collations compare all these characters as equal.
        with self.committed():
            first = self.post({"country": "jp", "city": "𠮷田"}, **OPERATOR)
            second = self.post(
                {"country": "jp", "city": "𡈽田", "active": True}, **OPERATOR
            )

        self.assertEqual(first.status_code, 201)
        self.assertEqual(second.status_code, 201)
        self.assertIs(self.active("𠮷田", "jp").json()["active"], False)
        self.assertEqual(self.active("𡈽田", "jp").json()["city"], "𡈽田")

    def test_same_name_in_another_country_is_another_city(self):
        response = self.post({"country": "mx", "city": "León"}, **OPERATOR)

        self.assertEqual(response.status_code, 201)
        self.assertEqual(City.objects.filter(name_key="leon").count(), 2)

    def test_without_or_with_wrong_token_is_401_and_changes_nothing(self):
        before = list(City.objects.values_list("country", "name", "active"))
        headers = [
            {},
            WRONG_TOKEN,
            {"HTTP_AUTHORIZATION": "Bearer"},
            {"HTTP_AUTHORIZATION": f"Token {OPERATOR['HTTP_AUTHORIZATION'][7:]}"},
        ]
        bodies = [
            {"country": "ni", "city": "Leon", "active": False},
            {"country": "ni", "city": "Masaya", "active": True},
        ]
        for extra in headers:
            for body in bodies:
                with self.subTest(headers=extra, body=body), self.committed():
                    response = self.post(body, **extra)

                    self.assertEqual(response.status_code, 401)
                    self.assertTrue(response["WWW-Authenticate"].startswith("Bearer"))
                    self.assertIn("detail", response.json())

        self.assertEqual(
            list(City.objects.values_list("country", "name", "active")), before
        )
        self.assertIs(self.active().json()["active"], True)

    def test_bad_body_is_400_naming_the_field(self):
        cases = [
            ({"country": "ni"}, ["city"]),
            ({"city": "Masaya"}, ["country"]),
            ({"country": "zz", "city": "Masaya"}, ["country"]),
            ({"country": "ni", "city": ""}, ["city"]),
            ({"country": "ni", "city": "\u0301"}, ["city"]),
            ({"country": "ni", "city": "Masaya", "active": "maybe"}, ["active"]),
            ({"country": "ni", "city": "Masaya", "active": None}, ["active"]),
            ({"country": "ni", "city": ["Masaya"]}, ["city"]),
            (["ni", "Masaya"], ["non_field_errors"]),
        ]
        for body, fields in cases:
            with self.subTest(body=body):
                response = self.post(body, **OPERATOR)

                self.assertEqual(response.status_code, 400)
                self.assertEqual(sorted(response.json()["errors"]), fields)

        self.assertFalse(City.objects.filter(name_key="masaya").exists())

    def test_malformed_json_is_400(self):
        response = self.client.post(
            "/active", "{not json", content_type="application/json", **OPERATOR
        )

        self.assertEqual(response.status_code, 400)
        self.assertIn("detail", response.json())

    def test_body_other_than_json_is_415(self):
        form = self.client.post(
            "/active", {"country": "ni", "city": "Masaya"}, **OPERATOR
        )
        text = self.client.post(
            "/active", "ni Masaya", content_type="text/plain", **OPERATOR
        )

        for response in [form, text]:
            self.assertEqual(response.status_code, 415)
            self.assertIn("detail", response.json())
        self.assertFalse(City.objects.filter(name_key="masaya").exists())


class ActivePutTests(ApiTestCase):
    def put(self, body, **extra):
        return self.client.put("/active", body, format="json", **extra)

    def test_put_sets_state_and_invalidates_cached_answer(self):
        self.active()
        self.active()

        with self.committed():
            response = self.put(
                {"country": "ni", "city": "leon", "active": False}, **OPERATOR
            )
        after = self.active()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(), {"active": False, "country": "ni", "city": "León"}
        )
        self.assertEqual(after.json()["cache"], "miss")
        self.assertIs(after.json()["active"], False)
        self.assertEqual(self.active().json()["cache"], "hit")

    def test_unknown_city_is_404_and_creates_nothing(self):
        response = self.put(
            {"country": "ni", "city": "Masaya", "active": True}, **OPERATOR
        )

        self.assertEqual(response.status_code, 404)
        self.assertIn("Masaya", response.json()["detail"])
        self.assertFalse(City.objects.filter(name_key="masaya").exists())

    def test_missing_active_is_400(self):
        response = self.put({"country": "ni", "city": "Leon"}, **OPERATOR)

        self.assertEqual(response.status_code, 400)
        self.assertEqual(list(response.json()["errors"]), ["active"])

    def test_without_or_with_wrong_token_is_401_and_changes_nothing(self):
        self.active()

        for extra in [{}, WRONG_TOKEN]:
            with self.subTest(headers=extra), self.committed():
                response = self.put(
                    {"country": "ni", "city": "leon", "active": False}, **extra
                )

                self.assertEqual(response.status_code, 401)
                self.assertTrue(response["WWW-Authenticate"].startswith("Bearer"))
        after = self.active()

        self.assertIs(City.objects.get(name="León").active, True)
        self.assertEqual(after.json()["cache"], "hit")
        self.assertIs(after.json()["active"], True)

    def test_other_methods_are_405(self):
        response = self.client.delete("/active", **OPERATOR)

        self.assertEqual(response.status_code, 405)
        self.assertIn("detail", response.json())
