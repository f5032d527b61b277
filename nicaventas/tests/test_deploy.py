"""
The deployment: docker-compose.yml, the image's server and its static files.

No Docker engine runs where the tests do, so the compose file is checked by
reading it, and what the image runs (gunicorn with gunicorn.conf.py, the
collected static files) is run here as the image would.
"""

import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml
from django.db import connection
from django.test import SimpleTestCase, override_settings

from nicaventas.testing import ApiTestCase, free_port
from nicaventas.tests.live import BASE_DIR, PRODUCTION, Gunicorn, clean_environment

APP_SERVICES = ("availability", "quotes", "migrate")
ENV_READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
GUNICORN_ENV_READ = re.compile(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""")
INTERPOLATED = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def env_example() -> dict:
    pairs = {}
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def variables_read() -> set:
    """Return the names the settings and gunicorn.conf.py read from the env."""
    settings_py = (BASE_DIR / "nicaventas" / "settings.py").read_text()
    gunicorn_py = (BASE_DIR / "gunicorn.conf.py").read_text()

    names = set(ENV_READ.findall(settings_py))
    return names | set(GUNICORN_ENV_READ.findall(gunicorn_py))


def interpolate(value: str, env: dict) -> str:
    """Fill in ${NAME}, ${NAME:-default} and ${NAME:?error} as compose does."""

    def fill(match):
        name, operator, rest = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if operator == ":?":
            raise ValueError(rest)
        return rest or ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", fill, value)


class ComposeFileTests(SimpleTestCase):
    databases = {"default"}  # Only to read the server's version.

    def setUp(self):
        self.services = compose()["services"]

    def test_services_are_both_apis_their_stores_and_a_migration_step(self):
        self.assertEqual(
            set(self.services),
            {"availability", "quotes", "migrate", "mariadb", "redis"},
        )

    def test_availability_on_8000_and_quotes_on_8001_from_one_image(self):
        ports = {
            name: self.services[name]["ports"] for name in ("availability", "quotes")
        }
        images = {self.services[name]["image"] for name in APP_SERVICES}

        self.assertEqual(ports["availability"], ["127.0.0.1:8000:8000"])
        self.assertEqual(ports["quotes"], ["127.0.0.1:8001:8000"])
        self.assertEqual(images, {"nicaventas:latest"})
        for name in APP_SERVICES:
            self.assertEqual(self.services[name]["build"], ".")
        self.assertTrue((BASE_DIR / "Dockerfile").is_file())

    def test_each_api_service_serves_its_own_urlconf(self):
        from django.conf import settings

        chosen = {
            name: self.services[name]["environment"]["NICAVENTAS_API"]
            for name in ("availability", "quotes")
        }

        self.assertEqual(chosen, {"availability": "availability", "quotes": "quotes"})
        self.assertLessEqual(set(chosen.values()), set(settings.URLCONFS))

    def test_stores_are_mariadb_10_11_with_a_named_volume_and_redis_7(self):
        mariadb = self.services["mariadb"]
        volume = mariadb["volumes"][0].split(":")[0]

        self.assertEqual(mariadb["image"], "mariadb:10.11")
        self.assertIn(volume, compose()["volumes"])
        self.assertTrue(self.services["redis"]["image"].startswith("redis:7"))

    @unittest.skipUnless(connection.vendor == "mysql", "the tests run on SQLite")
    def test_mariadb_is_the_version_these_tests_run_on(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            version = cursor.fetchone()[0]

        tag = self.services["mariadb"]["image"].partition(":")[2]
        self.assertTrue(version.startswith(tag + "."), f"{version} is not {tag}")

    def test_every_long_running_service_has_a_healthcheck(self):
        for name in ("availability", "quotes", "mariadb", "redis"):
            with self.subTest(service=name):
                self.assertTrue(self.services[name]["healthcheck"]["test"])
        probe = " ".join(self.services["quotes"]["healthcheck"]["test"])
        self.assertIn("http://127.0.0.1:8000/health", probe)

    def test_apis_start_after_healthy_stores_and_a_completed_migration(self):
        expected = {
            "migrate": {"condition": "service_completed_successfully"},
            "mariadb": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }

        for name in ("availability", "quotes"):
            with self.subTest(service=name):
                self.assertEqual(self.services[name]["depends_on"], expected)
        self.assertEqual(
            self.services["migrate"]["depends_on"]["mariadb"],
            {"condition": "service_healthy"},
        )

    def test_migrate_applies_migrations_and_initial_data_once(self):
        migrate = self.services["migrate"]
        command = " ".join(migrate["command"])

        self.assertIn("manage.py migrate --no-input", command)
        self.assertIn("manage.py seed", command)
        self.assertEqual(migrate["restart"], "no")

    def test_app_services_set_only_variables_the_settings_read(self):
        read = variables_read()

        for name in APP_SERVICES:
            with self.subTest(service=name):
                self.assertLessEqual(set(self.services[name]["environment"]), read)
                self.assertNotIn("env_file", self.services[name])

    def test_secrets_come_from_env_file_never_from_compose_itself(self):
        secrets = ("DJANGO_SECRET_KEY", "OPERATOR_TOKEN", "OPENWEATHER_API_KEY")

        for name in APP_SERVICES:
            environment = self.services[name]["environment"]
            with self.subTest(service=name):
                for secret in secrets:
                    self.assertEqual(
                        environment[secret], f"${{{secret}:?set {secret} in .env}}"
                    )
                self.assertIn("${MARIADB_PASSWORD:?", environment["DATABASE_URL"])
        self.assertIn(".env", (BASE_DIR / ".gitignore").read_text().split())
        self.assertIn(".env", (BASE_DIR / ".dockerignore").read_text().split())

    def test_env_example_lists_exactly_what_compose_fills_in(self):
        text = (BASE_DIR / "docker-compose.yml").read_text()
        interpolated = set(INTERPOLATED.findall(text))

        self.assertEqual(set(env_example()), interpolated)
        # And each is for a settings read, or for the MariaDB container.
        self.assertLessEqual(
            interpolated - variables_read(),
            {"MARIADB_PASSWORD", "MARIADB_ROOT_PASSWORD"},
        )

    def test_settings_accept_each_service_environment_from_env_example(self):
        """Production settings start with what compose gives each container."""
        for name, urlconf in (
            ("availability", "nicaventas.urls_availability"),
            ("quotes", "nicaventas.urls_quotes"),
            ("migrate", "nicaventas.urls"),
        ):
            environment = {
                key: interpolate(str(value), env_example())
                for key, value in self.services[name]["environment"].items()
            }

            result = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "shell",
                    "--no-imports",
                    "-c",
                    "from django.conf import settings as s; "
                    "print(s.ROOT_URLCONF, s.DEBUG, s.CACHES['default']['BACKEND'], "
                    "s.DATABASES['default']['HOST'])",
                ],
                cwd=BASE_DIR,
                env=clean_environment(**environment),
                capture_output=True,
                text=True,
                timeout=60,
            )

            with self.subTest(service=name):
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(
                    result.stdout.split(),
                    [urlconf, "False", "django_redis.cache.RedisCache", "mariadb"],
                )


class ApiSettingTests(SimpleTestCase):
    def test_unknown_api_name_refuses_to_start(self):
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=BASE_DIR,
            env=clean_environment(NICAVENTAS_API="billing"),
            capture_output=True,
            text=True,
            timeout=60,
        )

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("NICAVENTAS_API is 'billing'", result.stderr)


class UrlconfSplitTests(ApiTestCase):
    def test_availability_service_answers_active_but_not_quotes(self):
        with override_settings(ROOT_URLCONF="nicaventas.urls_availability"):
            active = self.active()
            quote = self.quote()
            price = self.client.get("/price/AZ00001")

        self.assertEqual(active.status_code, 200)
        self.assertEqual(quote.status_code, 404)
        self.assertEqual(quote.json(), {"detail": "Not found."})
        self.assertEqual(price.status_code, 404)
        self.assertEqual(self.standin.count(), 0)

    def test_quotes_service_answers_quotes_but_not_active(self):
        with override_settings(ROOT_URLCONF="nicaventas.urls_quotes"):
            active = self.active()
            quote = self.quote()
            price = self.client.get("/price/AZ00001")

        self.assertEqual(active.status_code, 404)
        self.assertEqual(active.json(), {"detail": "Not found."})
        self.assertEqual(quote.status_code, 200)
        self.assertEqual(quote.json()["price"], 15.0)
        self.assertEqual(price.status_code, 200)

    def test_both_services_serve_admin_health_and_ready(self):
        for urlconf in ("nicaventas.urls_availability", "nicaventas.urls_quotes"):
            with (
                self.subTest(urlconf=urlconf),
                override_settings(ROOT_URLCONF=urlconf),
            ):
                health = self.client.get("/health")
                ready = self.client.get("/ready")
                admin = self.client.get("/admin/")

                self.assertEqual(health.status_code, 200)
                self.assertEqual(ready.status_code, 200)
                self.assertEqual(admin.status_code, 302)
                self.assertIn("/admin/login/", admin["Location"])


class MultiWorkerTests(SimpleTestCase):
    def test_several_workers_on_local_memory_cache_refuse_to_start(self):
        server = Gunicorn("--workers", "2", env=PRODUCTION)
        self.addCleanup(server.stop)

        server.start()
        status = server.wait()

        self.assertNotEqual(status, 0)
        self.assertIn("2 workers on the local-memory cache", server.output())
        self.assertIn("Set REDIS_URL", server.output())

    def test_several_workers_start_with_redis(self):
        # Redis is not reached at start: a URL nobody answers is enough.
        redis_url = f"redis://127.0.0.1:{free_port()}/0"
        env = {**PRODUCTION, "REDIS_URL": redis_url}
        server = Gunicorn("--workers", "2", env=env)
        self.addCleanup(server.stop)

        server.start()
        status, body = server.get_json("/health")

        self.assertEqual((status, body), (200, {"status": "ok"}))
        self.assertEqual(server.output().count("Booting worker"), 2)


class StaticFilesTests(SimpleTestCase):
    """The admin's files, collected as the image does, served by WhiteNoise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        work = tempfile.mkdtemp(prefix="nicaventas-static-")
        cls.addClassCleanup(shutil.rmtree, work, ignore_errors=True)
        env = {
            **PRODUCTION,
            "DJANGO_STATIC_ROOT": f"{work}/static",
            "DATABASE_URL": f"sqlite:///{work}/db.sqlite3",
        }
        # The API docs' bundle is large and adds nothing to what is tested.
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "collectstatic",
                "--no-input",
                "-v0",
                "--ignore",
                "drf_spectacular_sidecar",
            ],
            cwd=BASE_DIR,
            env=clean_environment(**env),
            check=True,
            timeout=120,
        )
        cls.server = Gunicorn(env=env).start()
        cls.addClassCleanup(cls.server.stop)

    def test_admin_pages_link_hashed_files_that_whitenoise_serves_compressed(self):
        status, _, page = self.server.get("/admin/login/")
        stylesheet = re.search(
            r'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', page.decode()
        )
        css_status, headers, _ = self.server.get(
            stylesheet.group(1), **{"Accept-Encoding": "gzip"}
        )

        self.assertEqual(status, 200)
        self.assertEqual(css_status, 200)
        self.assertEqual(headers["Content-Encoding"], "gzip")
        self.assertIn("immutable", headers["Cache-Control"])

    def test_unknown_static_file_is_404(self):
        status, _, _ = self.server.get("/static/admin/css/missing.css")

        self.assertEqual(status, 404)


class DevelopmentStaticFilesTests(SimpleTestCase):
    def test_admin_files_are_served_from_the_apps_without_collectstatic(self):
        response = self.client.get("/static/admin/css/base.css")

        self.assertEqual(response.status_code, 200)
        self.assertIn(b"body", b"".join(response.streaming_content))
