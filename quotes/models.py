from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from availability.models import City
from nicaventas.api import SKU_PATTERN

CONDITION_VALIDATORS = [MinValueValidator(100), MaxValueValidator(999)]


class PricingQuerySet(models.QuerySet):
    """Bulk writes send no signals: they forget every cached quote instead."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        _forget_all()
        return rows

    def bulk_create(self, *args, **kwargs):
        objs = super().bulk_create(*args, **kwargs)
        _forget_all()
        return objs

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        _forget_all()
        return rows


def _forget_all():
    from quotes import services

    services.quotes_forget_all()


class Product(models.Model):
    sku = models.CharField(
        max_length=32,
        unique=True,
        validators=[RegexValidator(SKU_PATTERN, "Letters, digits or dashes.")],
        help_text="e.g. AZ00001; stored in upper case.",
    )
    description = models.CharField(max_length=200)
    base_price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    objects = PricingQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(base_price__gte=0), name="product_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.sku} {self.description}"

    @classmethod
    def from_db(cls, db, field_names, values):
        product = super().from_db(db, field_names, values)
        # Kept so that a change of SKU also forgets the quotes of the old one.
        product.stored_sku = product.__dict__.get("sku")
        return product

    def clean(self):
        # Before the unique check, which compares SKUs as stored.
        self.sku = (self.sku or "").strip().upper()

    def save(self, *args, **kwargs):
        self.sku = self.sku.strip().upper()
        super().save(*args, **kwargs)


class PricingRule(models.Model):
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="pricing_rules"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="rules")
    min_condition = models.PositiveSmallIntegerField(
        validators=CONDITION_VALIDATORS, help_text="OpenWeather condition id, 100-999."
    )
    max_condition = models.PositiveSmallIntegerField(
        validators=CONDITION_VALIDATORS, help_text="Inclusive, at least the minimum."
    )
    variation = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text="Multiplier of the base price, above 0 (1.5 = 50% dearer).",
    )

    objects = PricingQuerySet.as_manager()

    class Meta:
        ordering = ["city", "product", "min_condition"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_condition__lte=models.F("max_condition")),
                name="rule_min_not_above_max",
                violation_error_message="The minimum condition is above the maximum.",
            ),
            models.CheckConstraint(
                condition=models.Q(min_condition__gte=100, max_condition__lte=999),
                name="rule_conditions_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(variation__gt=0), name="rule_variation_positive"
            ),
        ]

    def __str__(self):
        where = f"{self.product.sku} in {self.city.name}" if self.pk else "New rule"
        return f"{where}: {self.min_condition}-{self.max_condition} x{self.variation}"

    def matches(self, condition_ids: list[int]) -> bool:
        return any(self.min_condition <= c <= self.max_condition for c in condition_ids)
