"""What a login locked out by django-axes sees, and which address it counts."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

STATUS = 429


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address: the one the last trusted proxy saw.

    Each proxy appends the address it was connected from, so with N trusted
    proxies the client is the N-th entry from the right; earlier entries are
    whatever the client chose to send.
    """
    count = settings.SMO_TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def message() -> str:
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return ngettext(
        "Too many failed logins. For your safety, logging in is blocked for %(minutes)d "
        "minute; try again then, or ask an admin to unlock you.",
        "Too many failed logins. For your safety, logging in is blocked for %(minutes)d "
        "minutes; try again then, or ask an admin to unlock you.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """Answer a locked-out login with the login page, saying why. (Passwords are
    only ever typed there and on the admin's login; the API takes keys.)"""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    # Unbound: validating would call authenticate() again and count a failure.
    form = AuthenticationForm(request, initial={"username": request.POST.get("username")})
    context = {"form": form, "locked_out": message(), "next": request.POST.get("next", "")}
    response = render(request, "registration/login.html", context, status=STATUS)
    response["Retry-After"] = retry_after
    return response
