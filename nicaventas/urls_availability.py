"""
URLs of the availability service (NICAVENTAS_API=availability).

Everything nicaventas.urls serves except the quotes app's views: /active,
the admin, /health, /ready and the API schema.
"""

from nicaventas import urls
from nicaventas.urls import handler400, handler403, handler404, handler500  # noqa: F401


def _other_service(pattern) -> bool:
    view = getattr(pattern, "callback", None)
    return getattr(view, "__module__", "").startswith("quotes.")


urlpatterns = [p for p in urls.urlpatterns if not _other_service(p)]
