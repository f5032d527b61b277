from django.contrib import admin
from django.urls import path

from availability.views import ActiveApi
from nicaventas.api import json_error_view
from quotes.views import PriceApi, QuoteApi

urlpatterns = [
    path("active", ActiveApi.as_view(), name="active"),
    path("price/<str:sku>", PriceApi.as_view(), name="price"),
    path("quote", QuoteApi.as_view(), name="quote"),
    path("admin/", admin.site.urls),
]

handler400 = json_error_view(400, "Bad request.")
handler403 = json_error_view(403, "Forbidden.")
handler404 = json_error_view(404, "Not found.")
handler500 = json_error_view(500, "Internal server error.")
