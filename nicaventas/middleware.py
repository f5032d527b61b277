from http import HTTPStatus

from django.http import JsonResponse


class JsonErrorsMiddleware:
    """
    Answer errors outside the admin as JSON, whatever produced them.

    Django's own error pages (a URL that matches nothing, a body too large,
    DEBUG's technical pages) are HTML; clients of this API read JSON only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and not request.path.startswith("/admin/")
            # DRF chose this body for the client (the browsable API's HTML).
            and not hasattr(response, "accepted_renderer")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            try:
                reason = HTTPStatus(response.status_code).phrase
            except ValueError:
                reason = "Error"
            replaced = JsonResponse({"detail": f"{reason}."}, status=response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
