from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from availability import services
from availability.models import City


@receiver(post_save, sender=City)
@receiver(post_delete, sender=City)
def city_changed(sender, instance, **kwargs):
    services.active_forget(city=instance)
