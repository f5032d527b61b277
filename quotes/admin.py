from django.contrib import admin

from quotes.models import PricingRule, Product


class CityRuleInline(admin.TabularInline):
    model = PricingRule
    fields = ["product", "min_condition", "max_condition", "variation"]
    extra = 0


class ProductRuleInline(admin.TabularInline):
    model = PricingRule
    fields = ["city", "min_condition", "max_condition", "variation"]
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "description", "base_price"]
    search_fields = ["sku", "description"]
    inlines = [ProductRuleInline]


@admin.register(PricingRule)
class PricingRuleAdmin(admin.ModelAdmin):
    list_display = ["product", "city", "min_condition", "max_condition", "variation"]
    list_filter = ["city__country", "city", "product"]
    search_fields = ["product__sku", "city__name"]
    list_select_related = ["product", "city"]
