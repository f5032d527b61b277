from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from nicaventas.api import CityField, CountryField, SkuField, is_valid_sku
from quotes import services
from quotes.services import ProductNotFound


class PriceApi(APIView):
    """The base price of a product."""

    def get(self, request, sku):
        if not is_valid_sku(sku):
            raise ProductNotFound(sku=sku)

        answer = services.product_get(sku=sku.upper())

        return Response(answer)


class QuoteApi(APIView):
    """The price of a product in a city, given the weather there now."""

    class InputSerializer(serializers.Serializer):
        sku = SkuField()
        country = CountryField()
        city = CityField()

    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        answer = services.quote_price(**body.validated_data)

        return Response(answer)
