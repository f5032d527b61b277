from django.apps import AppConfig


class AvailabilityConfig(AppConfig):
    name = "availability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from availability import signals  # noqa: F401
