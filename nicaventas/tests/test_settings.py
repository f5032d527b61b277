"""Production configuration, start-up guards and who may use the admin."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings

BASE_DIR = Path(settings.BASE_DIR)
# What README.md documents for production, with made-up secrets.
PRODUCTION = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": "k7#Qz!v9^pW2@xL4&nR8*tY6%bM3$cJ5-hF1+gD0=sA7~eU9?oI2",
    "DJANGO_ALLOWED_HOSTS": "api.nicaventas.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://api.nicaventas.example",
    "DJANGO_SECURE_SSL_REDIRECT": "True",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
    "DJANGO_SECURE_HSTS_PRELOAD": "True",
    "DJANGO_BEHIND_TLS_PROXY": "True",
    "OPERATOR_TOKEN": "f3b1c9e27d8a4f6091b5c3e8d7a2f4b6",
    "OPENWEATHER_API_KEY": "an-openweather-key",
}
# Settings only: `shell -c` and `check` touch neither database nor Redis.
PRINT_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, "
    "s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
)


def manage(*args, **env) -> subprocess.CompletedProcess:
    """Run manage.py with only PATH and the given environment variables."""
    environment = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class ProductionSettingsTests(TestCase):
    def test_check_deploy_is_clean_in_the_documented_configuration(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            result.stdout.strip(), "System check identified no issues (0 silenced)."
        )

    def test_check_deploy_warns_without_the_https_settings(self):
        plain = {k: v for k, v in PRODUCTION.items() if "SECURE" not in k}

        result = manage("check", "--deploy", "--fail-level", "WARNING", **plain)

        self.assertEqual(result.returncode, 1)
        for check in ("security.W004", "security.W008"):
            self.assertIn(check, result.stderr)

    def test_hosts_origins_and_throttle_rates_come_from_the_environment(self):
        result = manage(
            "shell",
            "--no-imports",
            "-c",
            PRINT_SETTINGS,
            **PRODUCTION,
            THROTTLE_WRITES="5/second",
            THROTTLE_QUOTE="9/hour",
        )

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            result.stdout.strip(),
            "['api.nicaventas.example'] ['https://api.nicaventas.example'] "
            "{'writes': '5/second', 'quote': '9/hour'}",
        )

    def test_missing_or_development_secrets_refuse_to_start(self):
        cases = {
            "DJANGO_SECRET_KEY": ("", "Set DJANGO_SECRET_KEY"),
            "OPERATOR_TOKEN": ("", "Set OPERATOR_TOKEN"),
        }
        for name, (_, message) in cases.items():
            with self.subTest(missing=name):
                env = {k: v for k, v in PRODUCTION.items() if k != name}

                result = manage("check", **env)

                self.assertNotEqual(result.returncode, 0)
                self.assertIn("ImproperlyConfigured", result.stderr)
                self.assertIn(message, result.stderr)
        with self.subTest(token="development"):
            token = settings.DEVELOPMENT_OPERATOR_TOKEN

            result = manage("check", **{**PRODUCTION, "OPERATOR_TOKEN": token})

            self.assertNotEqual(result.returncode, 0)
            self.assertIn("brief's example token is refused", result.stderr)

    def test_empty_operator_token_refuses_to_start_even_in_development(self):
        for token in ("", "   "):
            with self.subTest(token=repr(token)):
                result = manage("check", DJANGO_DEBUG="True", OPERATOR_TOKEN=token)

                self.assertNotEqual(result.returncode, 0)
                self.assertIn("OPERATOR_TOKEN is empty", result.stderr)

    def test_missing_openweather_key_refuses_to_start_in_production(self):
        env = {k: v for k, v in PRODUCTION.items() if k != "OPENWEATHER_API_KEY"}

        result = manage("check", "--deploy", **env)

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("quotes.E001", result.stderr)

    @override_settings(ALLOWED_HOSTS=["api.nicaventas.example"])
    def test_unknown_host_is_json_400(self):
        with self.assertLogs("django.security.DisallowedHost", "ERROR"):
            response = self.client.get(
                "/active", {"country": "ni", "city": "Leon"}, HTTP_HOST="evil.example"
            )

        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"detail": "Bad request."})


class AdminAccessTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        users = get_user_model().objects
        cls.staff = users.create_user("staff", password="x", is_staff=True)
        cls.customer = users.create_user("customer", password="x")
        cls.superuser = users.create_superuser("root", password="x")

    def test_anonymous_and_non_staff_users_are_sent_to_the_login_page(self):
        for user in (None, self.customer):
            with self.subTest(user=str(user)):
                if user:
                    self.client.force_login(user)

                response = self.client.get("/admin/availability/city/")

                self.assertEqual(response.status_code, 302)
                self.assertEqual(
                    response["Location"],
                    "/admin/login/?next=/admin/availability/city/",
                )

    def test_non_staff_user_cannot_log_in_to_the_admin(self):
        response = self.client.post(
            "/admin/login/", {"username": "customer", "password": "x"}
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please enter the correct username and password")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_superuser_sees_the_cities(self):
        self.client.force_login(self.superuser)

        response = self.client.get("/admin/availability/city/")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select city to change")

    def test_staff_without_permissions_is_forbidden_the_cities(self):
        self.client.force_login(self.staff)

        with self.assertLogs("django.request", "WARNING"):
            response = self.client.get("/admin/availability/city/")

        self.assertEqual(response.status_code, 403)
