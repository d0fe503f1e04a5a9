"""The language a page is shown in: the person's profile, else the browser, else English.

Django's LocaleMiddleware runs before the person is known and picks the browser's
language (Accept-Language), falling back to LANGUAGE_CODE. This middleware runs right
after AuthenticationMiddleware and lets a language chosen in the profile win.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def chosen_language(user: object) -> str | None:
    """Return the language in `user`'s profile, or None to follow the browser."""
    code = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
    # A code no longer in LANGUAGES (a language taken out of the product) follows the browser.
    return code if code in dict(settings.LANGUAGES) else None


class UserLanguageMiddleware:
    """Activate the signed-in person's own language and say so in Content-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = chosen_language(getattr(request, "user", None))
        if code:
            translation.activate(code)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The language the page was rendered in; the profile page switches it on save.
        response.headers["Content-Language"] = translation.get_language()
        return response
