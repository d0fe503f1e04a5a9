"""API key authentication (`Authorization: Bearer smo_...`) and the per-key rate limit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling
from rest_framework.request import Request

from scheduler import apikeys
from scheduler.models import ApiKey, User


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticate as the key's person; `request.auth` is the ApiKey.

    The views act as `key.membership`: that role, in that workspace, and no other.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        try:
            key, membership = apikeys.check(secret)
        except apikeys.KeyRefused as exc:
            # The message only; the key itself is never logged or echoed.
            raise exceptions.AuthenticationFailed(exc.message) from None
        return membership.user, key

    def authenticate_header(self, request: Request) -> str:
        # Listed first in DEFAULT_AUTHENTICATION_CLASSES, so a missing or bad
        # key answers 401 with this challenge rather than 403.
        return f'{self.keyword} realm="api"'


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """SMO_API_RATE requests per key (per person when signed in with a session)."""

    scope = "api"

    def get_rate(self) -> str:
        # Read at request time, not class definition (house style, and tests
        # change the setting).
        return str(settings.SMO_API_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiKey):
            # The lookup, not the pk: unique for good, so no two keys share a budget.
            return f"throttle_api_key_{request.auth.lookup}"
        if request.user and request.user.is_authenticated:
            return f"throttle_api_user_{request.user.pk}"
        return None


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Tell drf-spectacular how keys are sent, so the docs offer an Authorize box."""

    target_class = "scheduler.api.keyauth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "smo_<id>_<secret>",
            "description": "An API key made on your profile page; it acts in one workspace.",
        }
