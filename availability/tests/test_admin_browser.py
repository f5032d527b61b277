"""
The admin in a real browser: Debian's chromium, headless, through selenium.

Outside CI the tests are skipped, saying why, when chromium or chromedriver is
missing; in CI (CI set) they run and fail instead. SAVE_SCREENSHOTS=1 also
writes docs/admin-cities.png, the city list shown in README.md.
"""

import io
import logging
import os
import tempfile
import unittest
from pathlib import Path

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from availability.models import City
from nicaventas.testing import reset_cache

logger = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
VIEWPORT = (1280, 800)
# Headless, and nothing that reaches for the network besides the live server.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = settings.BASE_DIR / "docs" / "admin-cities.png"
PASSWORD = "browser-test-password"
WAIT_SECONDS = 10


def start_chromium(profile: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)

    # With the driver's path given, selenium-manager downloads nothing.
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)

    # The window size counts the browser's frame; the page is to get VIEWPORT.
    inner = browser.execute_script("return [innerWidth, innerHeight]")
    outer = browser.get_window_size()
    browser.set_window_size(
        outer["width"] + VIEWPORT[0] - inner[0],
        outer["height"] + VIEWPORT[1] - inner[1],
    )
    return browser


class AdminBrowserTests(StaticLiveServerTestCase):
    """Cities switched in the admin are answered afresh by GET /active."""

    host = "127.0.0.1"

    @classmethod
    def setUpClass(cls):
        missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
        if missing and not os.environ.get("CI"):
            names = " and ".join(missing)
            reason = f"needs {names}: apt-get install chromium chromium-driver"
            logger.warning("Admin browser tests skipped: %s", reason)
            raise unittest.SkipTest(reason)
        super().setUpClass()

        # The browser asks for /favicon.ico, a 404 not worth a warning.
        request_logger = logging.getLogger("django.request")
        cls.addClassCleanup(request_logger.setLevel, request_logger.level)
        request_logger.setLevel(logging.ERROR)

        profile = tempfile.TemporaryDirectory(prefix="nicaventas-chromium-")
        cls.addClassCleanup(profile.cleanup)
        cls.browser = start_chromium(profile.name)
        cls.addClassCleanup(cls.browser.quit)
        cls.http = requests.Session()
        # Only the live server is asked: no proxy from the environment.
        cls.http.trust_env = False
        cls.addClassCleanup(cls.http.close)

    def setUp(self):
        reset_cache()
        call_command("seed", stdout=io.StringIO())
        get_user_model().objects.create_superuser(
            "operator", "operator@example.com", PASSWORD
        )
        self.leon = City.objects.get(country="ni", name="León")
        self.log_in()

    def log_in(self):
        self.browser.delete_all_cookies()
        self.browser.get(f"{self.live_server_url}/admin/login/")
        self.browser.find_element(By.NAME, "username").send_keys("operator")
        self.browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        self.submit(self.browser.find_element(By.CSS_SELECTOR, "[type=submit]"))
        self.assertTrue(self.browser.find_elements(By.ID, "user-tools"))

    def submit(self, button):
        """Click a submit button and wait until the next page has loaded."""
        page = self.browser.find_element(By.TAG_NAME, "html")
        button.click()
        WebDriverWait(self.browser, WAIT_SECONDS).until(
            expected_conditions.staleness_of(page)
        )

    def active(self, city="Leon") -> dict:
        response = self.http.get(
            f"{self.live_server_url}/active",
            params={"city": city, "country": "ni"},
            timeout=5,
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def prime(self, city="Leon") -> None:
        """Ask twice, so that the answer is known to come from the cache."""
        self.active(city)
        self.assertEqual(self.active(city)["cache"], "hit")

    def open_city_list(self):
        self.browser.get(f"{self.live_server_url}/admin/availability/city/")
        rows = self.browser.find_elements(By.NAME, "_selected_action")
        self.assertEqual(len(rows), 3)
        if os.environ.get("SAVE_SCREENSHOTS") == "1":
            SCREENSHOT.parent.mkdir(exist_ok=True)
            self.assertTrue(self.browser.save_screenshot(str(SCREENSHOT)))

    def save_city_form(self, *, active: bool) -> None:
        url = f"{self.live_server_url}/admin/availability/city/{self.leon.pk}/change/"
        self.browser.get(url)
        checkbox = self.browser.find_element(By.ID, "id_active")
        if checkbox.is_selected() != active:
            checkbox.click()

        self.submit(self.browser.find_element(By.NAME, "_save"))

        saved = self.browser.find_elements(By.CSS_SELECTOR, ".messagelist .success")
        self.assertEqual(len(saved), 1)

    def test_bulk_deactivation_makes_next_active_a_miss(self):
        self.prime()
        self.open_city_list()
        self.browser.find_element(
            By.CSS_SELECTOR, f"[name=_selected_action][value='{self.leon.pk}']"
        ).click()
        Select(self.browser.find_element(By.NAME, "action")).select_by_visible_text(
            "Deactivate sales in the selected cities"
        )

        self.submit(self.browser.find_element(By.NAME, "index"))

        after = self.active()
        self.assertEqual(after["cache"], "miss")
        self.assertIs(after["active"], False)
        self.assertIs(self.active("Managua")["active"], True)

    def test_edit_form_changes_make_next_active_a_miss(self):
        self.prime()

        self.save_city_form(active=False)

        switched_off = self.active()
        self.assertEqual(switched_off["cache"], "miss")
        self.assertIs(switched_off["active"], False)
        self.prime()

        self.save_city_form(active=True)

        switched_on = self.active()
        self.assertEqual(switched_on["cache"], "miss")
        self.assertIs(switched_on["active"], True)
