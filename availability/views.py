from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from availability import services
from nicaventas.api import (
    CityField,
    CountryField,
    ErrorSerializer,
    OperatorTokenAuthentication,
    OperatorWritesOnly,
    StrictBooleanField,
    ValidationErrorSerializer,
    WriteThrottle,
    is_write,
)

ERRORS = {
    400: OpenApiResponse(ValidationErrorSerializer, "Invalid input."),
    404: OpenApiResponse(ErrorSerializer, "No such city in this country."),
    503: OpenApiResponse(ErrorSerializer, "The database is unavailable."),
}
WRITE_ERRORS = {
    **ERRORS,
    401: OpenApiResponse(ErrorSerializer, "No operator token, or a wrong one."),
    413: OpenApiResponse(ErrorSerializer, "The body is too large."),
    415: OpenApiResponse(ErrorSerializer, "The body is not JSON."),
    429: OpenApiResponse(ErrorSerializer, "Too many writes; see Retry-After."),
}


class ActiveApi(APIView):
    """Whether sales are active in a city; operators register and switch cities."""

    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [OperatorWritesOnly]
    throttle_classes = [WriteThrottle]

    class QuerySerializer(serializers.Serializer):
        country = CountryField(help_text="ISO 3166-1 alpha-2 code, any case.")
        city = CityField(help_text="Matched without regard to case or accents.")

    @extend_schema_serializer(component_name="CityRegister")
    class RegisterSerializer(serializers.Serializer):
        country = CountryField(help_text="ISO 3166-1 alpha-2 code, any case.")
        city = CityField(help_text="Matched without regard to case or accents.")
        active = StrictBooleanField(
            required=False, help_text="False for a new city when left out."
        )

    @extend_schema_serializer(component_name="CitySet")
    class SetSerializer(RegisterSerializer):
        active = StrictBooleanField()

    @extend_schema_serializer(component_name="Active")
    class OutputSerializer(serializers.Serializer):
        active = serializers.BooleanField()
        country = serializers.CharField(help_text="Lower case.")
        city = serializers.CharField(help_text="The name as first stored.")
        cache = serializers.ChoiceField(["hit", "miss"], required=False)

    def perform_authentication(self, request):
        # Reading needs no token: a stray Authorization header is not an error.
        if is_write(request, self):
            # Counted before the token is checked, so guessing it is throttled.
            self.check_throttles(request)
            super().perform_authentication(request)

    def check_throttles(self, request):
        if getattr(request, "throttles_checked", False):
            return
        request.throttles_checked = True
        super().check_throttles(request)

    @extend_schema(
        parameters=[QuerySerializer],
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        answer = services.active_get(**query.validated_data)

        return Response(answer)

    @extend_schema(
        request=RegisterSerializer,
        examples=[
            OpenApiExample(
                "Open sales in León",
                value={"country": "ni", "city": "Leon", "active": True},
                request_only=True,
            )
        ],
        responses={
            200: OpenApiResponse(OutputSerializer, "The city existed; state set."),
            201: OpenApiResponse(OutputSerializer, "The city is registered."),
            **{k: v for k, v in WRITE_ERRORS.items() if k != 404},
        },
    )
    def post(self, request):
        body = self.RegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        answer, created = services.city_register(
            country=body.validated_data["country"],
            name=body.validated_data["city"],
            active=body.validated_data.get("active"),
        )

        return Response(
            answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        request=SetSerializer, responses={200: OutputSerializer, **WRITE_ERRORS}
    )
    def put(self, request):
        body = self.SetSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        answer = services.city_set_active(
            country=body.validated_data["country"],
            name=body.validated_data["city"],
            active=body.validated_data["active"],
        )

        return Response(answer)
