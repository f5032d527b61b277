from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def openweather_key_check(app_configs, **kwargs):
    if settings.OPENWEATHER_API_KEY:
        return []
    if not settings.DEVELOPMENT:
        return [
            checks.Error(
                "OPENWEATHER_API_KEY is not set.",
                hint="Quotes need it; a production server does not start without.",
                id="quotes.E001",
            )
        ]
    return [
        checks.Warning(
            "OPENWEATHER_API_KEY is not set: POST /quote answers 503 until it is.",
            hint="bin/run starts a local OpenWeather stand-in when the key is unset.",
            id="quotes.W001",
        )
    ]
