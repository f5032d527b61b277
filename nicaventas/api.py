"""Pieces shared by the API of both apps: errors, operator auth, fields."""

import logging
import re
import unicodedata
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.utils.crypto import constant_time_compare
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import extend_schema_field
from rest_framework import (
    authentication,
    exceptions,
    permissions,
    serializers,
    throttling,
)
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from availability.models import NAME_KEY_LENGTH, is_country_code, normalize_city
from nicaventas import cache

logger = logging.getLogger(__name__)

# 2 to 32 ASCII letters, digits or dashes, not starting with a dash; any case
# in, upper case stored and shown (AZ00001, az-0001).
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{1,31}$"
# Letters, combining marks, digits, spaces and punctuation: León, Xi'an,
# St. John's, Saint-Denis. Symbols (=, +, $, emoji) and control characters are
# refused.
CITY_CATEGORIES = ("L", "M", "N", "P", "Zs")


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
    response = _error_response(exc, context)
    request = context.get("request")
    if response is not None and request is not None and not _browsing(exc, request):
        # Even to a browser on the browsable API: an error is JSON, not a page.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type

    return response


def _browsing(exc, request) -> bool:
    # A browser opening a POST-only URL: the browsable API's page is its form.
    return (
        request.method == "GET"
        and isinstance(exc, exceptions.MethodNotAllowed)
        and isinstance(
            getattr(request, "accepted_renderer", None), BrowsableAPIRenderer
        )
    )


def _error_response(exc, context):
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


def json_error(status: int, msg: str | None = None) -> JsonResponse:
    """Return the API's error body for a status Django answered by itself."""
    if msg is None:
        try:
            msg = f"{HTTPStatus(status).phrase.capitalize()}."
        except ValueError:
            msg = "Error."
    return compact_json({"detail": msg}, status=status)


def compact_json(data: dict, status: int = 200) -> JsonResponse:
    """Return data as DRF renders it: compact, accents unescaped."""
    params = {"ensure_ascii": False, "separators": (",", ":")}
    return JsonResponse(data, status=status, json_dumps_params=params)


def json_error_view(status: int, msg: str | None = None):
    def view(request, exception=None):
        return json_error(status, msg)

    return view


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in one sentence.")


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=(
            "Messages per field, `non_field_errors` for the body as a whole; "
            "absent when the body is not JSON at all."
        ),
    )


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


class OperatorTokenScheme(OpenApiAuthenticationExtension):
    target_class = OperatorTokenAuthentication
    name = "operatorToken"

    def get_security_requirement(self, auto_schema):
        # Reads are public; the header is only looked at on writes.
        if auto_schema.method in permissions.SAFE_METHODS:
            return []
        return {self.name: []}

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="AUTHORIZATION", token_prefix=self.target.keyword
        )


def is_write(request, view) -> bool:
    """Tell whether the request writes through a handler the view has."""
    method = request.method.lower()
    return request.method not in permissions.SAFE_METHODS and hasattr(view, method)


class OperatorWritesOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        # A method the view lacks gets its 405, token or not.
        if not is_write(request, view):
            return True
        return request.user is not None and request.user.is_authenticated


class StrictCharField(serializers.CharField):
    """A CharField that takes JSON strings only, not numbers it would convert."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: no "yes", "on", 1 or "true"."""

    default_error_messages = {"invalid": "Must be true or false (a JSON boolean)."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


@extend_schema_field(
    {"type": "string", "minLength": 2, "maxLength": 2, "pattern": "^[A-Za-z]{2}$"}
)
class CountryField(StrictCharField):
    """An ISO 3166-1 alpha-2 code, any case in, lower case out."""

    default_error_messages = {
        "unknown": "Not an ISO 3166-1 alpha-2 country code (such as ni).",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("min_length", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not is_country_code(value):
            self.fail("unknown")
        return value.lower()


class CityField(StrictCharField):
    """1 to 100 characters once trimmed: letters, marks, digits, punctuation."""

    default_error_messages = {
        "unprintable": (
            "A city name holds letters, digits, spaces and punctuation only."
        ),
        "nameless": "A city needs a name.",
        "too_long": "This city name is too long once its letters are spelled out.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not all(unicodedata.category(c).startswith(CITY_CATEGORIES) for c in value):
            self.fail("unprintable")
        key = normalize_city(value)
        if not key:
            # Accents alone, say, leave nothing to tell the city by.
            self.fail("nameless")
        if len(value) <= NAME_KEY_LENGTH < len(key):
            # Normalising lengthens some letters (ß, ligatures).
            self.fail("too_long")
        return value


@extend_schema_field({"type": "string", "pattern": SKU_PATTERN})
class SkuField(StrictCharField):
    """A SKU of SKU_PATTERN, any case in, upper case out."""

    default_error_messages = {
        "invalid": "A SKU is 2 to 32 letters, digits or dashes, e.g. AZ00001.",
    }

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        # Checked before upper(), which makes ASCII of some letters (ß, ſ, ı).
        if not is_valid_sku(value):
            self.fail("invalid")
        return value.upper()


def is_valid_sku(value: str) -> bool:
    return re.fullmatch(SKU_PATTERN, value) is not None


class CacheSafeThrottle(throttling.SimpleRateThrottle):
    """
    Count a client's requests, by address, in fixed windows in the shared cache.

    DRF's own throttles read and rewrite a list of timestamps, two round trips
    to Redis on every request; a counter costs one. The rate is the scope's in
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read per request so that a changed
    setting applies. A dead cache throttles nothing.
    """

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            msg = f"No throttle rate is set for the scope '{self.scope}'."
            raise ImproperlyConfigured(msg) from None

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }

    def allow_request(self, request, view):
        counted = cache.count(self.get_cache_key(request, view), self.duration)
        if counted is None:
            return True
        events, self.seconds_left = counted

        return events <= self.num_requests

    def wait(self):
        return self.seconds_left


class WriteThrottle(CacheSafeThrottle):
    """Throttle the writes of a view; its reads are free."""

    scope = "writes"

    def allow_request(self, request, view):
        if not is_write(request, view):
            return True
        return super().allow_request(request, view)


class QuoteThrottle(CacheSafeThrottle):
    scope = "quote"
