"""The OpenAPI schema describes every endpoint; Swagger UI needs no CDN."""

import re

import yaml
from django.contrib.staticfiles import finders
from django.test import TestCase

from nicaventas.api import SKU_PATTERN

OPERATIONS = {
    ("/active", "get"): {"200", "400", "404", "503"},
    ("/active", "post"): {"200", "201", "400", "401", "413", "415", "429", "503"},
    ("/active", "put"): {"200", "400", "401", "404", "413", "415", "429", "503"},
    ("/price/{sku}", "get"): {"200", "404", "503"},
    ("/quote", "post"): {"200", "400", "404", "413", "415", "429", "502", "503", "504"},
}


class SchemaTests(TestCase):
    def schema(self) -> dict:
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/json")
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_schema_is_openapi_3_in_yaml_by_default(self):
        response = self.client.get("/api/schema/")

        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            response["Content-Type"].startswith("application/vnd.oai.openapi")
        )
        schema = yaml.safe_load(response.content)
        self.assertTrue(schema["openapi"].startswith("3."))
        self.assertEqual(schema["info"]["title"], "NicaVentas")

    def test_every_endpoint_and_its_statuses_are_described(self):
        schema = self.schema()

        operations = {
            (path, method): set(operation["responses"])
            for path, item in schema["paths"].items()
            for method, operation in item.items()
        }
        self.assertEqual(operations, OPERATIONS)

    def test_errors_have_the_error_bodies(self):
        schema = self.schema()

        for (path, method), statuses in OPERATIONS.items():
            responses = schema["paths"][path][method]["responses"]
            for status in statuses - {"200", "201"}:
                with self.subTest(path=path, method=method, status=status):
                    body = responses[status]["content"]["application/json"]["schema"]
                    expected = "ValidationError" if status == "400" else "Error"
                    self.assertEqual(body, {"$ref": f"#/components/schemas/{expected}"})
        components = schema["components"]["schemas"]
        self.assertEqual(components["Error"]["required"], ["detail"])
        self.assertEqual(components["ValidationError"]["required"], ["detail"])

    def test_bodies_and_parameters_carry_the_validation_rules(self):
        schema = self.schema()

        components = schema["components"]["schemas"]
        quote = components["QuoteRequest"]["properties"]
        self.assertEqual(quote["sku"]["pattern"], SKU_PATTERN)
        self.assertEqual(quote["city"]["maxLength"], 100)
        self.assertEqual(
            (quote["country"]["minLength"], quote["country"]["maxLength"]), (2, 2)
        )
        self.assertEqual(
            components["CitySet"]["properties"]["active"], {"type": "boolean"}
        )
        self.assertEqual(
            components["CitySet"]["required"], ["active", "city", "country"]
        )
        self.assertNotIn("active", components["CityRegister"]["required"])
        path = schema["paths"]["/price/{sku}"]["get"]["parameters"][0]
        self.assertEqual(path["schema"]["pattern"], SKU_PATTERN)

    def test_only_writes_need_the_operator_token(self):
        schema = self.schema()

        security = {
            (path, method): operation.get("security", [])
            for path, item in schema["paths"].items()
            for method, operation in item.items()
        }
        self.assertEqual(
            security,
            {
                ("/active", "get"): [],
                ("/active", "post"): [{"operatorToken": []}],
                ("/active", "put"): [{"operatorToken": []}],
                ("/price/{sku}", "get"): [],
                ("/quote", "post"): [],
            },
        )
        self.assertEqual(
            schema["components"]["securitySchemes"],
            {"operatorToken": {"type": "http", "scheme": "bearer"}},
        )


class SwaggerUiTests(TestCase):
    def test_docs_page_loads_its_assets_from_our_static_files(self):
        response = self.client.get("/api/docs/")

        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("/api/schema/", html)
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        self.assertTrue(assets)
        for asset in assets:
            with self.subTest(asset=asset):
                self.assertTrue(asset.startswith("/static/drf_spectacular_sidecar/"))
                path = asset.removeprefix("/static/")
                self.assertIsNotNone(finders.find(path))
        self.assertNotRegex(html, r"https?://")
