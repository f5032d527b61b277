"""Run the service as the Docker image does: gunicorn, in its own process."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from nicaventas.testing import free_port

BASE_DIR = Path(settings.BASE_DIR)
# DJANGO_DEBUG off with made-up secrets; nothing here reaches OpenWeather.
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "live-test-secret-key-that-is-not-the-development-one",
    "OPERATOR_TOKEN": "live-test-operator-token",
    "OPENWEATHER_API_KEY": "live-test-key",
    "LOG_LEVEL": "INFO",
}


def clean_environment(**env) -> dict:
    """Return PATH and the given variables only: nothing of this test run's."""
    return {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", **env}


class Gunicorn:
    """gunicorn serving nicaventas.wsgi on a free loopback port."""

    def __init__(self, *args: str, env: dict):
        self.port = free_port()
        self.args = args
        self.env = clean_environment(**env)
        self.process = None
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Gunicorn":
        """Start, and wait until /health answers or the process ends."""
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                *self.args,
                "nicaventas.wsgi",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                self.get("/health")
                return self
            except OSError:
                time.sleep(0.1)
        return self

    def wait(self, timeout: float = 60) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def get(self, path: str, **headers) -> tuple[int, dict, bytes]:
        """Return the status, headers and body of a GET, errors included."""
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read()

    def get_json(self, path: str) -> tuple[int, dict]:
        status, _, body = self.get(path)
        return status, json.loads(body)
