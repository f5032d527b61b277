"""One error format everywhere, validation of every input, the bearer token."""

import json
from unittest import mock

from django.test import Client, override_settings
from rest_framework.test import APIClient

from availability.models import City
from nicaventas.testing import OPERATOR, ApiTestCase

HOSTILE_STRINGS = {
    "sql": "' OR 1=1 --",
    "emoji": "🌧️☂️",
    "nul": "Le\x00on",
    "control": "Le\u0007on",
    "long": "a" * 10_000,
    "blank": "   ",
    "empty": "",
}
WRONG_TYPES = {"null": None, "array": ["Leon"], "object": {"name": "Leon"}, "int": 7}
LEON = {"country": "ni", "city": "Leon"}


class ErrorFormatTests(ApiTestCase):
    def assertJsonError(self, response, status, detail=None):
        self.assertEqual(response.status_code, status)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertIsInstance(body["detail"], str)
        if detail is not None:
            self.assertEqual(body["detail"], detail)
        self.assertNotIn(b"Traceback", response.content)
        self.assertNotIn(b"<html", response.content.lower())
        return body

    def test_unknown_url_is_json_404_in_debug_or_not(self):
        for debug in (True, False):
            with self.subTest(debug=debug), override_settings(DEBUG=debug):
                response = self.client.get("/no/such/page")

                self.assertJsonError(response, 404, "Not found.")

    def test_unexpected_error_is_json_500_without_traceback_in_debug_or_not(self):
        client = APIClient(raise_request_exception=False)
        failure = RuntimeError("secret internals")
        for debug in (True, False):
            with (
                self.subTest(debug=debug),
                override_settings(DEBUG=debug),
                mock.patch("quotes.services.quote_price", side_effect=failure),
                self.assertLogs("django.request", "ERROR"),
            ):
                response = client.post(
                    "/quote", {"sku": "AZ00001", **LEON}, format="json"
                )

                self.assertJsonError(response, 500, "Internal server error.")
                self.assertNotIn(b"secret internals", response.content)

    def test_validation_error_has_detail_and_errors_per_field(self):
        response = self.client.post(
            "/quote", {"sku": "AZ00001", "country": "zz"}, format="json"
        )

        body = self.assertJsonError(response, 400, "Invalid input.")
        self.assertEqual(set(body["errors"]), {"country", "city"})
        self.assertEqual(body["errors"]["city"], ["This field is required."])
        self.assertIn("ISO 3166-1", body["errors"]["country"][0])

    def test_wrong_method_is_json_405_with_allow(self):
        cases = [("delete", "/active"), ("get", "/quote"), ("post", "/price/AZ00001")]
        for method, url in cases:
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url)

                body = self.assertJsonError(response, 405)
                self.assertIn(method.upper(), body["detail"])
                self.assertIn("OPTIONS", response["Allow"])

    def test_body_not_json_is_415(self):
        cases = [
            ("text/plain", b"sku=AZ00001"),
            ("application/x-www-form-urlencoded", b"sku=AZ00001&country=ni&city=Leon"),
            ("application/xml", b"<quote/>"),
        ]
        for content_type, data in cases:
            with self.subTest(content_type=content_type):
                response = self.client.post("/quote", data, content_type=content_type)

                body = self.assertJsonError(response, 415)
                self.assertIn(content_type, body["detail"])
        self.assertEqual(self.standin.calls, [])

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
    def test_body_over_the_size_limit_is_413(self):
        data = '{"sku": "AZ00001", "country": "ni", "city": "%s"}' % ("a" * 2000)
        for url, extra in (("/quote", {}), ("/active", OPERATOR)):
            with self.subTest(url=url):
                response = self.client.post(
                    url, data, content_type="application/json", **extra
                )

                self.assertJsonError(
                    response, 413, "The request body is larger than 1024 bytes."
                )
        self.assertEqual(self.standin.calls, [])

    def test_invalid_json_and_invalid_utf8_are_400(self):
        bodies = {
            "truncated": b'{"sku": "AZ00001",',
            "latin-1": b'{"city": "Le\xf3n"}',
            "utf-16 mark": b"\xff\xfe",
            "nan": b"nan",
            "deep arrays": b"[" * 10_000,
            "deep objects": b'{"a":' * 2_000 + b"1" + b"}" * 2_000,
        }
        for name, data in bodies.items():
            with self.subTest(body=name):
                response = self.client.post(
                    "/quote", data, content_type="application/json"
                )

                body = self.assertJsonError(response, 400)
                self.assertIn("JSON parse error", body["detail"])

    def test_json_array_or_scalar_body_is_400(self):
        for data in ([{"sku": "AZ00001", **LEON}], "AZ00001", 42, None):
            with self.subTest(data=data):
                response = self.client.post(
                    "/quote", json.dumps(data), content_type="application/json"
                )

                body = self.assertJsonError(response, 400, "Invalid input.")
                self.assertIn("non_field_errors", body["errors"])

    def test_browser_asking_for_html_still_gets_json_errors(self):
        response = self.client.get(
            "/active", {"country": "ni", "city": "Atlantis"}, HTTP_ACCEPT="text/html"
        )

        self.assertJsonError(response, 404)


class ValidationTests(ApiTestCase):
    def post_active(self, body):
        with self.committed():
            return self.client.post("/active", body, format="json", **OPERATOR)

    def test_hostile_city_is_400_everywhere_and_stores_nothing(self):
        cities = City.objects.count()
        for name, value in {**HOSTILE_STRINGS, **WRONG_TYPES}.items():
            with self.subTest(value=name):
                body = {"country": "ni", "city": value}
                responses = {
                    "quote": self.client.post(
                        "/quote", {**body, "sku": "AZ00001"}, format="json"
                    ),
                    "post": self.post_active({**body, "active": True}),
                    "put": self.client.put(
                        "/active", {**body, "active": True}, format="json", **OPERATOR
                    ),
                }
                if value is not None and not isinstance(value, list | dict | int):
                    responses["get"] = self.client.get("/active", body)

                for method, response in responses.items():
                    self.assertEqual(response.status_code, 400, method)
                    self.assertIn("city", response.json()["errors"], method)
        self.assertEqual(City.objects.count(), cities)
        self.assertEqual(self.standin.calls, [])

    def test_hostile_country_is_400(self):
        values = {**HOSTILE_STRINGS, **WRONG_TYPES, "unknown": "zz", "alpha3": "nic"}
        for name, value in values.items():
            with self.subTest(value=name):
                response = self.client.post(
                    "/quote",
                    {"sku": "AZ00001", "country": value, "city": "Leon"},
                    format="json",
                )

                self.assertEqual(response.status_code, 400)
                self.assertIn("country", response.json()["errors"])

    def test_hostile_sku_is_400_in_body_and_404_in_path(self):
        values = {
            **HOSTILE_STRINGS,
            **WRONG_TYPES,
            "space": "AZ 00001",
            "dash first": "-AZ00001",
            "one char": "A",
            "33 chars": "A" * 33,
            "accent": "AZ0000É",
        }
        for name, value in values.items():
            with self.subTest(value=name):
                response = self.client.post(
                    "/quote", {"sku": value, **LEON}, format="json"
                )

                self.assertEqual(response.status_code, 400)
                self.assertIn("sku", response.json()["errors"])
        for value in ("' OR 1=1 --", "🌧", "A" * 10_000, "AZ%00"):
            with self.subTest(path=value[:20]):
                response = self.client.get(f"/price/{value}")

                self.assertEqual(response.status_code, 404)
                self.assertIn("No product has the SKU", response.json()["detail"])
        self.assertEqual(self.standin.calls, [])

    def test_active_takes_json_booleans_only(self):
        for value in ("true", "True", "yes", "on", 1, 0, "1", 1.0, [], {}, None):
            with self.subTest(active=value):
                response = self.client.put(
                    "/active", {**LEON, "active": value}, format="json", **OPERATOR
                )

                self.assertEqual(response.status_code, 400)
                self.assertEqual(
                    response.json()["errors"],
                    {
                        "active": [
                            "This field may not be null."
                            if value is None
                            else "Must be true or false (a JSON boolean)."
                        ]
                    },
                )
        self.assertIs(City.objects.get(name="León").active, True)

    def test_valid_input_is_trimmed_and_any_case(self):
        response = self.post_active(
            {"country": " NI ", "city": "  St. John's (Norte)-2 ", "active": True}
        )
        sku_lower = self.client.get("/price/az00001")

        self.assertEqual(response.status_code, 201)
        self.assertEqual(
            response.json(),
            {"active": True, "country": "ni", "city": "St. John's (Norte)-2"},
        )
        self.assertEqual(sku_lower.json()["sku"], "AZ00001")

    def test_city_of_100_characters_is_accepted_and_101_refused(self):
        ok = self.post_active({"country": "ni", "city": "x" * 100})
        too_long = self.post_active({"country": "ni", "city": " " + "x" * 101})

        self.assertEqual(ok.status_code, 201)
        self.assertEqual(too_long.status_code, 400)
        self.assertEqual(
            too_long.json()["errors"],
            {"city": ["Ensure this field has no more than 100 characters."]},
        )


class BearerTokenTests(ApiTestCase):
    def put(self, authorization):
        return self.client.put(
            "/active",
            {**LEON, "active": False},
            format="json",
            HTTP_AUTHORIZATION=authorization,
        )

    def test_bad_authorization_headers_are_401_and_change_nothing(self):
        headers = {
            "empty": "",
            "keyword only": "Bearer",
            "keyword and blanks": "Bearer   ",
            "other scheme": "Basic dXNlcjpwYXNz",
            "two words": "Bearer  a b",
            "wrong token": "Bearer wrong",
            # What a WSGI server hands over for non-ASCII bytes: latin-1 text.
            "latin-1": "Bearer caf\xe9\xff",
            "token without keyword": OPERATOR["HTTP_AUTHORIZATION"].split()[1],
        }
        for name, header in headers.items():
            with self.subTest(header=name):
                response = self.put(header)

                self.assertEqual(response.status_code, 401)
                self.assertIn(
                    response.json()["detail"],
                    {
                        "Authentication credentials were not provided.",
                        "Use the header 'Authorization: Bearer <operator token>'.",
                        "Invalid operator token.",
                    },
                )
                self.assertEqual(
                    response["WWW-Authenticate"], 'Bearer realm="nicaventas"'
                )
        self.assertIs(City.objects.get(name="León").active, True)

    def test_operator_token_is_accepted(self):
        with self.committed():
            response = self.put(OPERATOR["HTTP_AUTHORIZATION"])

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(), {"active": False, "country": "ni", "city": "León"}
        )

    def test_reads_ignore_a_bad_authorization_header(self):
        response = self.client.get("/active", LEON, HTTP_AUTHORIZATION="Bearer \xe9")

        self.assertEqual(response.status_code, 200)
        self.assertIs(response.json()["active"], True)


class BrowsableApiTests(ApiTestCase):
    def test_browser_gets_the_browsable_api_page(self):
        response = self.client.get(
            "/active", {"country": "ni", "city": "Leon"}, HTTP_ACCEPT="text/html"
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn("text/html", response["Content-Type"])
        self.assertContains(response, "León")

    def test_browser_opening_quote_gets_the_form_to_post(self):
        response = self.client.get("/quote", HTTP_ACCEPT="text/html")

        self.assertEqual(response.status_code, 405)
        self.assertIn("text/html", response["Content-Type"])
        self.assertContains(response, "<form", status_code=405)

    def test_api_client_opening_quote_gets_json_405(self):
        response = self.client.get("/quote")

        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.json()["detail"], 'Method "GET" not allowed.')


class BreakerFindingsTests(ApiTestCase):
    """Inputs a hostile tester sent that once gave a 500 or a wrong answer."""

    def test_lone_surrogate_in_country_is_400(self):
        body = '{"sku": "AZ00001", "country": "\\ud800i", "city": "Leon"}'

        response = self.client.post("/quote", body, content_type="application/json")

        self.assertEqual(response.status_code, 400)
        self.assertIn("country", response.json()["errors"])

    def test_letters_that_only_upper_case_to_a_code_are_not_a_country(self):
        for country in ("\u0131t", "\u017fe"):
            with self.subTest(country=country):
                response = self.client.post(
                    "/active",
                    {"country": country, "city": "Roma"},
                    format="json",
                    **OPERATOR,
                )

                self.assertEqual(response.status_code, 400)
        self.assertFalse(City.objects.filter(name="Roma").exists())

    def test_too_many_query_parameters_is_400_json(self):
        query = "&".join(["a"] * 1001) + "&city=Leon&country=ni"

        response = self.client.get(f"/active?{query}")

        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"detail": "Too many query parameters."})

    def test_name_that_lengthens_when_normalised_is_400_not_503(self):
        name = "Straße" * 16 + "abcd"

        response = self.client.post(
            "/active", {"country": "de", "city": name}, format="json", **OPERATOR
        )

        self.assertEqual(response.status_code, 400)
        self.assertIn("too long", response.json()["errors"]["city"][0])

    def test_quote_for_a_city_of_accents_only_is_400(self):
        response = self.quote(city="\u0301\u0301")

        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.standin.calls, [])

    def test_posting_to_health_is_405_not_403(self):
        browser = Client(enforce_csrf_checks=True)
        for path in ("/health", "/ready"):
            with self.subTest(path=path):
                response = browser.post(path)

                self.assertEqual(response.status_code, 405)
                self.assertIn("GET", response["Allow"])


class ChunkedBodyTests(ApiTestCase):
    def test_chunked_body_without_length_is_411_not_missing_fields(self):
        response = self.client.generic(
            "POST",
            "/quote",
            b"",
            content_type="application/json",
            HTTP_TRANSFER_ENCODING="chunked",
            CONTENT_LENGTH="",
        )

        self.assertEqual(response.status_code, 411)
        self.assertIn("Content-Length", response.json()["detail"])


class SecondBreakerFindingsTests(ApiTestCase):
    def test_sku_that_only_upper_cases_to_ascii_is_400(self):
        for sku in ("\u00df-01", "\u017fs-01", "AZ0000\u0131"):
            with self.subTest(sku=sku):
                response = self.quote(sku=sku)

                self.assertEqual(response.status_code, 400)
                self.assertIn("sku", response.json()["errors"])
