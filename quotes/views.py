from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from nicaventas.api import (
    SKU_PATTERN,
    CityField,
    CountryField,
    ErrorSerializer,
    QuoteThrottle,
    SkuField,
    ValidationErrorSerializer,
    is_valid_sku,
)
from quotes import services
from quotes.services import ProductNotFound

DATABASE_DOWN = OpenApiResponse(ErrorSerializer, "The database is unavailable.")


class PriceApi(APIView):
    """The base price of a product."""

    @extend_schema_serializer(component_name="Price")
    class OutputSerializer(serializers.Serializer):
        sku = serializers.CharField()
        description = serializers.CharField()
        price = serializers.FloatField()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "sku",
                str,
                OpenApiParameter.PATH,
                description="Any case.",
                pattern=SKU_PATTERN,
                examples=[OpenApiExample("Umbrella", value="AZ00001")],
            )
        ],
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(ErrorSerializer, "No product has this SKU."),
            503: DATABASE_DOWN,
        },
    )
    def get(self, request, sku):
        if not is_valid_sku(sku):
            raise ProductNotFound(sku=sku)

        answer = services.product_get(sku=sku.upper())

        return Response(answer)


class QuoteApi(APIView):
    """The price of a product in a city, given the weather there now."""

    throttle_classes = [QuoteThrottle]

    @extend_schema_serializer(component_name="QuoteRequest")
    class InputSerializer(serializers.Serializer):
        sku = SkuField(help_text="Any case.")
        country = CountryField(help_text="ISO 3166-1 alpha-2 code, any case.")
        city = CityField(help_text="Matched without regard to case or accents.")

    @extend_schema_serializer(component_name="Quote")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="Weather")
        class WeatherSerializer(serializers.Serializer):
            conditions = serializers.ListField(
                child=serializers.IntegerField(), help_text="OpenWeather ids."
            )
            source = serializers.CharField(help_text="Where the weather came from.")
            observed_at = serializers.DateTimeField()

        sku = serializers.CharField()
        description = serializers.CharField()
        country = serializers.CharField(help_text="Lower case.")
        city = serializers.CharField()
        base_price = serializers.FloatField()
        variation = serializers.FloatField(help_text="1 when no rule matches.")
        price = serializers.FloatField(help_text="base_price × variation, in cents.")
        weather = WeatherSerializer()
        rule = serializers.IntegerField(
            allow_null=True, help_text="The rule that fired, if any."
        )
        cache = serializers.ChoiceField(["hit", "miss"])

    @extend_schema(
        request=InputSerializer,
        examples=[
            OpenApiExample(
                "Umbrella in León",
                value={"sku": "AZ00001", "country": "ni", "city": "Leon"},
                request_only=True,
            )
        ],
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(ValidationErrorSerializer, "Invalid input."),
            404: OpenApiResponse(
                ErrorSerializer, "Unknown SKU, or a city OpenWeather does not know."
            ),
            413: OpenApiResponse(ErrorSerializer, "The body is too large."),
            415: OpenApiResponse(ErrorSerializer, "The body is not JSON."),
            429: OpenApiResponse(ErrorSerializer, "Too many quotes; see Retry-After."),
            502: OpenApiResponse(ErrorSerializer, "OpenWeather answered an error."),
            503: OpenApiResponse(
                ErrorSerializer, "OpenWeather or the database is unavailable."
            ),
            504: OpenApiResponse(
                ErrorSerializer, "OpenWeather did not answer in time."
            ),
        },
    )
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        answer = services.quote_price(**body.validated_data)

        return Response(answer)
