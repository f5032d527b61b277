from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from quotes import services
from quotes.models import PricingRule, Product


@receiver(post_save, sender=Product)
@receiver(post_delete, sender=Product)
def product_changed(sender, instance, **kwargs):
    services.quotes_forget(skus={instance.sku, getattr(instance, "stored_sku", None)})


@receiver(post_save, sender=PricingRule)
@receiver(post_delete, sender=PricingRule)
def rule_changed(sender, instance, **kwargs):
    try:
        sku = instance.product.sku
    except Product.DoesNotExist:
        services.quotes_forget_all()
        return
    services.quotes_forget(skus={sku})
