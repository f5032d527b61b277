"""Pieces shared by the API of both apps: errors, operator auth, fields."""

import logging
import re

import pycountry
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.utils.crypto import constant_time_compare
from rest_framework import authentication, exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{1,31}$"


class ServiceError(Exception):
    """An error the API reports as it is: a status, a message, maybe headers."""

    status_code = 500
    headers: dict = {}

    def __init__(self, msg: str, *, headers: dict | None = None):
        super().__init__(msg)
        self.detail = msg
        if headers:
            self.headers = headers


class NotFound(ServiceError):
    status_code = 404


def exception_handler(exc, context):
    """Render every error as JSON with a `detail` message."""
    if isinstance(exc, ServiceError):
        return Response(
            {"detail": exc.detail}, status=exc.status_code, headers=exc.headers
        )
    if isinstance(exc, DatabaseError):
        logger.exception("Database error")
        return Response({"detail": "The database is unavailable."}, status=503)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        response = Response(
            {"detail": "Invalid input.", "errors": _as_field_errors(exc.detail)},
            status=400,
        )
        return response

    return drf_exception_handler(exc, context)


def _as_field_errors(detail):
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def json_error_view(status: int, msg: str):
    def view(request, exception=None):
        return JsonResponse({"detail": msg}, status=status)

    return view


class Operator:
    """The one writer: whoever holds OPERATOR_TOKEN."""

    is_authenticated = True

    def __str__(self):
        return "operator"


class OperatorTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != self.keyword.lower() or not token:
            msg = "Use the header 'Authorization: Bearer <operator token>'."
            raise exceptions.AuthenticationFailed(msg)
        if not constant_time_compare(token, settings.OPERATOR_TOKEN):
            msg = "Invalid operator token."
            raise exceptions.AuthenticationFailed(msg)

        return (Operator(), token)

    def authenticate_header(self, request):
        return f'{self.keyword} realm="nicaventas"'


class OperatorWritesOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user is not None and request.user.is_authenticated


class CountryField(serializers.CharField):
    """An ISO 3166-1 alpha-2 code, any case in, lower case out."""

    default_error_messages = {
        "unknown": "'{value}' is not an ISO 3166-1 alpha-2 country code.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("min_length", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if pycountry.countries.get(alpha_2=value.upper()) is None:
            self.fail("unknown", value=value)
        return value.lower()


class CityField(serializers.CharField):
    default_error_messages = {
        "unprintable": "The city name holds characters that cannot be printed.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value.isprintable():
            self.fail("unprintable")
        return value


class SkuField(serializers.RegexField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "error_messages",
            {"invalid": "A SKU is 2 to 32 letters, digits or dashes, e.g. AZ00001."},
        )
        super().__init__(SKU_PATTERN, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


def is_valid_sku(value: str) -> bool:
    return re.fullmatch(SKU_PATTERN, value) is not None
