from django.conf import settings
from django.core.exceptions import SuspiciousOperation

from nicaventas.api import json_error


class JsonErrorsMiddleware:
    """
    Answer errors outside the admin as JSON, whatever produced them.

    Django's own error pages (a URL that matches nothing, DEBUG's technical
    pages) are HTML; clients of this API read JSON only. A body larger than
    DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413 before anything reads it:
    DRF's parsers read the stream without Django's size check. The admin keeps
    Django's own pages and checks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _chunked(request) -> bool:
        # Django reads a body of CONTENT_LENGTH bytes: a chunked one would be
        # taken for an empty body and answered as if fields were missing.
        encoding = request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        return "chunked" in encoding and not request.META.get("CONTENT_LENGTH")

    def __call__(self, request):
        api = not request.path.startswith("/admin/")
        if api and self._too_large(request):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return json_error(413, f"The request body is larger than {limit} bytes.")

        if api and self._chunked(request):
            return json_error(411, "Send the body with a Content-Length header.")
        if api:
            try:
                request.GET  # noqa: B018 - parsed here to refuse it as JSON
            except SuspiciousOperation:
                return json_error(400, "Too many query parameters.")

        response = self.get_response(request)
        if (
            response.status_code >= 400
            and api
            # DRF chose this body for the client.
            and not hasattr(response, "accepted_renderer")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replaced = json_error(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response

    def _too_large(self, request) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return limit is not None and length > limit
