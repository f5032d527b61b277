import logging
import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nicaventas.settings")

application = get_wsgi_application()


def _run_checks():
    # A WSGI server runs no system checks of its own; a serious one stops here.
    from django.core import checks

    messages = checks.run_checks()
    for message in messages:
        if not message.is_serious():
            logging.getLogger("nicaventas").warning("%s", message)
    errors = [str(m) for m in messages if m.is_serious()]
    if errors:
        raise ImproperlyConfigured("; ".join(errors))


_run_checks()
