from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from availability import services
from nicaventas.api import (
    CityField,
    CountryField,
    OperatorTokenAuthentication,
    OperatorWritesOnly,
)


class ActiveApi(APIView):
    """Whether sales are active in a city; operators register and switch cities."""

    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [OperatorWritesOnly]

    class QuerySerializer(serializers.Serializer):
        country = CountryField()
        city = CityField()

    class RegisterSerializer(serializers.Serializer):
        country = CountryField()
        city = CityField()
        active = serializers.BooleanField(required=False, allow_null=False)

    class SetSerializer(RegisterSerializer):
        active = serializers.BooleanField()

    def perform_authentication(self, request):
        # Reading needs no token: a stray Authorization header is not an error.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            super().perform_authentication(request)

    def get(self, request):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        answer = services.active_get(**query.validated_data)

        return Response(answer)

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

    def put(self, request):
        body = self.SetSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        answer = services.city_set_active(
            country=body.validated_data["country"],
            name=body.validated_data["city"],
            active=body.validated_data["active"],
        )

        return Response(answer)
