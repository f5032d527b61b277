"""The floors: constant answers through the same middleware, with and without DRF."""

from django.http import HttpResponse
from rest_framework.response import Response
from rest_framework.views import APIView


class FloorApi(APIView):
    """What any API answer costs before it does any work of its own."""

    def get(self, request):
        return Response({"floor": True})


def django_floor(request):
    """The same answer from a plain Django view: what DRF adds is the difference."""
    return HttpResponse(b'{"floor":true}', content_type="application/json")
