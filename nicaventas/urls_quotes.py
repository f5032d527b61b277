"""
URLs of the quotes service (NICAVENTAS_API=quotes).

Everything nicaventas.urls serves except the availability app's views:
/price and /quote, the admin, /health, /ready and the API schema.
"""

from nicaventas import urls
from nicaventas.urls import handler400, handler403, handler404, handler500  # noqa: F401


def _other_service(pattern) -> bool:
    view = getattr(pattern, "callback", None)
    return getattr(view, "__module__", "").startswith("availability.")


urlpatterns = [p for p in urls.urlpatterns if not _other_service(p)]
