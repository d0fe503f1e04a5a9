"""Every view that takes a POST refuses one without a CSRF token.

Table-driven over the URL configuration itself, so a view added later is covered
without editing this file: each named pattern gets a URL with placeholder
arguments, then a signed-in POST with a valid token (to learn whether the view
takes POST at all) and one without (which must be refused for CSRF).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import Cast

pytestmark = pytest.mark.django_db
PLACEHOLDERS = {
    "int": 1,
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}
UNFILLED: list[str] = []  # patterns the placeholders could not fill


def placeholder(key: str, converter: object) -> str | int:
    if key == "format":  # DRF's format suffixes
        return "json"
    if key == "app_label":  # the admin's app index: one of the installed apps
        return "scheduler"
    kind = type(converter).__name__.removesuffix("Converter").lower()
    return PLACEHOLDERS.get(kind, "1")


def named_urls(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """Yield (name, URL) for every named pattern, with placeholder arguments."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_urls(entry.url_patterns, inner)
        elif entry.name:
            converters = entry.pattern.converters
            groups = entry.pattern.regex.groupindex
            kwargs = {key: placeholder(key, converters.get(key)) for key in groups}
            name = namespace + entry.name
            try:
                yield name, reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                UNFILLED.append(name)


def first_per_name() -> list[tuple[str, str]]:
    # A name can have several patterns (DRF's format suffixes); the first is the plain one.
    found: dict[str, str] = {}
    for name, url in named_urls():
        found.setdefault(name, url)
    return sorted(found.items())


URLS = first_per_name()


def signed_in(cast: Cast) -> Client:
    client = Client(enforce_csrf_checks=True)
    user = cast.owner.user
    user.is_staff = user.is_superuser = True  # the admin's views too
    user.save()
    client.force_login(user)
    return client


def is_csrf_refusal(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 403 and b"CSRF" in response.content


def test_the_table_covers_the_post_views() -> None:
    names = {name for name, _ in URLS}
    for expected in ["logout", "compose", "switch-workspace", "key-list", "account-list"]:
        assert expected in names
    assert len(URLS) > 50
    assert UNFILLED == []


@pytest.mark.parametrize(("name", "url"), URLS, ids=[name for name, _ in URLS])
def test_a_post_without_a_csrf_token_is_refused(cast: Cast, name: str, url: str) -> None:
    client = signed_in(cast)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    with_token = client.post(url, {}, HTTP_X_CSRFTOKEN=token)
    assert not is_csrf_refusal(with_token), "the valid token must pass"
    assert with_token.status_code != 500
    if with_token.status_code == 405:
        return  # takes no POST

    client = signed_in(cast)  # fresh session: the POST above may have logged out
    without = client.post(url, {})
    assert is_csrf_refusal(without), (without.status_code, without.content[:200])
