"""
One log line per request: what was asked, how it ended, how long it took.

The fields travel as the record's extra attributes, so the JSON formatter of
production writes each as a key, and the message repeats them for people
reading the development console.
"""

import logging
import time

from django.conf import settings

logger = logging.getLogger(__name__)

# Probes polled every few seconds; logged only when they fail.
QUIET_PATHS = {"/health", "/ready"}
# Fields of the API's answers that say how it was decided.
ANSWER_FIELDS = ("country", "city", "sku", "cache", "rule")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - started) * 1000, 1)

        path = request.path
        if path.startswith(self.static_prefix) or (
            path in QUIET_PATHS and response.status_code < 400
        ):
            return response
        fields = {
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            **_answer_fields(response),
        }
        logger.info(
            "%s %s %s in %.1f ms%s",
            request.method,
            path,
            response.status_code,
            duration_ms,
            _details(fields),
            extra=fields,
        )

        return response


def _answer_fields(response) -> dict:
    # DRF's answers keep their data: nothing to parse back from the body.
    answer = getattr(response, "data", None)
    if not isinstance(answer, dict):
        return {}

    fields = {name: answer[name] for name in ANSWER_FIELDS if name in answer}
    weather = answer.get("weather")
    if isinstance(weather, dict):
        fields["weather"] = weather.get("conditions")
        fields["weather_source"] = weather.get("source")
    return fields


def _details(fields: dict) -> str:
    shown = [
        f"{name}={fields[name]}"
        for name in ("cache", "weather", "rule")
        if name in fields
    ]
    return f" ({', '.join(shown)})" if shown else ""
