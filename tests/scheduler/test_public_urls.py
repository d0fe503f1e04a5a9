"""The CSV import fetches media only from public addresses (no server-side request forgery)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scheduler import csv_import, public_urls
from tests.conftest import Cast
from tests.scheduler.test_csv_import import HEADER, MediaServer, checked

pytestmark = pytest.mark.django_db


@pytest.fixture
def server() -> Iterator[MediaServer]:
    running = MediaServer()
    yield running
    running.close()


@pytest.fixture
def guarded(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_FETCH_PRIVATE_URLS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/x.png",
        "http://192.168.0.10/x.png",
        "http://[::1]/x.png",
        "http://0.0.0.0/x.png",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(guarded: None, url: str) -> None:
    with pytest.raises(public_urls.NotPublic, match="private network"):
        public_urls.check(url)


def test_a_public_address_passes(guarded: None) -> None:
    public_urls.check("http://93.184.216.34/cat.png")  # an address literal: no DNS needed


def test_an_unknown_host_is_named(guarded: None) -> None:
    with pytest.raises(public_urls.NotPublic, match=r"no-such-host\.invalid"):
        public_urls.check("http://no-such-host.invalid/cat.png")


def test_an_import_row_pointing_at_the_servers_own_network_is_a_problem_and_nothing_is_fetched(
    guarded: None,
    cast: Cast,
    account,  # type: ignore[no-untyped-def]
    server: MediaServer,
) -> None:
    [row] = checked(cast, HEADER + f"A,2026-12-01 09:30,Acme Sandbox,{server.url}/cat.png,,\n")
    assert row.problems == [
        "The media URL points inside a private network (127.0.0.1); SMO does not fetch from there."
    ]


def test_each_redirect_is_checked_before_it_is_followed(
    cast: Cast,
    account,  # type: ignore[no-untyped-def]
    server: MediaServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server.files["/hop.png"] = (302, f"{server.url}/cat.png".encode())
    seen: list[str] = []
    monkeypatch.setattr(public_urls, "check", seen.append)
    got = csv_import.fetch_media(f"{server.url}/hop.png")
    assert got.kind == "image"
    assert seen == [f"{server.url}/hop.png", f"{server.url}/cat.png"]


def test_a_redirect_loop_ends_with_a_problem(
    cast: Cast,
    account,  # type: ignore[no-untyped-def]
    server: MediaServer,
) -> None:
    server.files["/loop.png"] = (302, b"/loop.png")
    with pytest.raises(csv_import.MediaProblem, match="too many redirects"):
        csv_import.fetch_media(f"{server.url}/loop.png")


@pytest.mark.parametrize(
    ("typed", "base"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("https://Mastodon.Social/", "https://mastodon.social"),
        (" https://93.184.216.34:8443 ", "https://93.184.216.34:8443"),
    ],
)
def test_a_typed_server_becomes_its_https_base_url(
    guarded: None, monkeypatch: pytest.MonkeyPatch, typed: str, base: str
) -> None:
    def public(host: str, port: int, **kwargs: object) -> list[tuple[object, ...]]:
        return [(2, 1, 6, "", ("93.184.216.34", port))]  # no DNS in tests

    monkeypatch.setattr(public_urls.socket, "getaddrinfo", public)
    assert public_urls.server(typed) == base


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("http://93.184.216.34", "https address"),
        ("ftp://93.184.216.34", "https address"),
        ("https://93.184.216.34/api/v1", "without a path"),
        ("https://127.0.0.1:3000", "not a public server"),
        ("https://[::1]", "not a public server"),
        ("https://no-such-host.invalid", "unknown"),
    ],
)
def test_a_typed_server_that_is_not_a_public_https_address_is_refused(
    guarded: None, typed: str, match: str
) -> None:
    with pytest.raises(public_urls.NotPublic, match=match):
        public_urls.server(typed)


def test_a_local_server_is_allowed_when_private_addresses_are() -> None:
    assert public_urls.server("http://127.0.0.1:3010/") == "http://127.0.0.1:3010"
