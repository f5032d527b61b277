from django.contrib import admin

from availability.models import City
from quotes.admin import CityRuleInline


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "active", "latitude", "longitude"]
    list_filter = ["country", "active"]
    search_fields = ["name", "name_key"]
    fields = ["country", "name", "active", "latitude", "longitude"]
    inlines = [CityRuleInline]
    actions = ["activate", "deactivate"]

    @admin.action(description="Activate sales in the selected cities")
    def activate(self, request, queryset):
        queryset.update(active=True)

    @admin.action(description="Deactivate sales in the selected cities")
    def deactivate(self, request, queryset):
        queryset.update(active=False)
