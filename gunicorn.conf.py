"""
Gunicorn's settings for NicaVentas (the Docker image's server).

    gunicorn --config gunicorn.conf.py --bind 0.0.0.0:8000 nicaventas.wsgi

Command-line options override these.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
# Threads, so that a slow client or a slow OpenWeather holds one thread, not a
# whole worker, and concurrent quotes of a city can share one weather call.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Container file systems can stall the workers' heartbeat files; memory
# does not.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The application logs one line per request itself (nicaventas.request_log).
accesslog = None
# No control socket: nothing here uses gunicornc, and its default path is
# shared by every server of the user (and needs a home the image's user lacks).
control_socket_disable = True


def on_starting(server):
    """Refuse several workers on the local-memory cache: each has its own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nicaventas.settings")
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"]
    if server.cfg.workers > 1 and backend.endswith(".LocMemCache"):
        # A city switched off through one worker would stay cached as active
        # in the others, and none would share the OpenWeather answers.
        msg = (
            f"{server.cfg.workers} workers on the local-memory cache: each would "
            "keep its own cache and miss the others' invalidations. Set REDIS_URL, "
            "or run one worker."
        )
        raise RuntimeError(msg)
