from django.conf import settings
from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from availability.views import ActiveApi
from nicaventas import health
from nicaventas.api import json_error_view
from quotes.views import PriceApi, QuoteApi

urlpatterns = [
    path("active", ActiveApi.as_view(), name="active"),
    path("price/<str:sku>", PriceApi.as_view(), name="price"),
    path("quote", QuoteApi.as_view(), name="quote"),
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

if settings.BENCH_FLOOR:
    from bench.floor import FloorApi, django_floor

    urlpatterns += [
        path("bench/floor", FloorApi.as_view(), name="bench-floor"),
        path("bench/floor-django", django_floor, name="bench-floor-django"),
    ]

handler400 = json_error_view(400, "Bad request.")
handler403 = json_error_view(403, "Forbidden.")
handler404 = json_error_view(404, "Not found.")
handler500 = json_error_view(500, "Internal server error.")
