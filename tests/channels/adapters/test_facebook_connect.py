"""Connecting Facebook Pages and their Instagram accounts through Facebook Login."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from channels.adapters import base
from channels.adapters.facebook import FacebookAdapter
from channels.adapters.session import build_session
from tests.fakes.graph import FakeGraph

REDIRECT = "http://127.0.0.1:8000/accounts/callback/facebook/"


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        fake.add_page("1001", "Acme Bakery", "page-token-acme", instagram=("1789", "acmebakery"))
        fake.add_page("1002", "Acme Café", "page-token-cafe")
        yield fake
        assert fake.crashes == []  # the fake itself never failed


def adapter(fake: FakeGraph) -> FacebookAdapter:
    return FacebookAdapter(fake.config(), build_session(1.0))


def log_in(fake: FakeGraph, state: str = "st4te") -> str:
    """Go through the fake Facebook Login dialog as a browser would; return the code."""
    url = adapter(fake).authorization(REDIRECT, state).url
    answer = requests.get(url, allow_redirects=False, timeout=1)
    assert answer.status_code == 302
    back = urlparse(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    query = parse_qs(back.query)
    assert query["state"] == [state]
    return query["code"][0]


def test_the_login_url_asks_for_page_and_instagram_permissions(fake: FakeGraph) -> None:
    authorization = adapter(fake).authorization(REDIRECT, "st4te")
    url = urlparse(authorization.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == fake.authorize_url
    assert parse_qs(url.query) == {
        "client_id": [fake.app_id],
        "redirect_uri": [REDIRECT],
        "state": ["st4te"],
        "response_type": ["code"],
        "scope": [
            "pages_show_list,pages_read_engagement,pages_read_user_content,pages_manage_posts,"
            "pages_manage_engagement,pages_messaging,publish_video,instagram_basic,instagram_content_publish,instagram_manage_comments,"
            "read_insights,instagram_manage_insights,business_management"
        ],
    }
    assert authorization.verifier == ""


def test_connect_returns_each_page_and_its_instagram_account(fake: FakeGraph) -> None:
    code = log_in(fake)

    connections = adapter(fake).connect(code, REDIRECT, "")

    assert [(c.network, c.name, c.credentials.external_id) for c in connections] == [
        ("facebook", "Acme Bakery", "1001"),
        ("instagram", "acmebakery", "1789"),
        ("facebook", "Acme Café", "1002"),
    ]
    bakery, instagram, cafe = (c.credentials for c in connections)
    assert (bakery.handle, dict(bakery.secrets), bakery.expires_at) == (
        "Acme Bakery",
        {"access_token": "page-token-acme"},
        None,
    )
    assert (instagram.handle, dict(instagram.secrets), dict(instagram.options)) == (
        "acmebakery",
        {"access_token": "page-token-acme"},
        {"page_id": "1001"},
    )
    assert dict(cafe.secrets) == {"access_token": "page-token-cafe"}
    assert connections[0].picture_url == f"{fake.url}/files/p1001.jpg"
    assert connections[1].picture_url == f"{fake.url}/files/ig1789.jpg"


def test_connect_exchanges_the_code_then_extends_the_token(fake: FakeGraph) -> None:
    adapter(fake).connect(log_in(fake), REDIRECT, "")

    exchange, extend, accounts = fake.requests[1:]
    assert (exchange.path, exchange.params) == (
        "/oauth/access_token",
        {
            "code": exchange.params["code"],
            "redirect_uri": REDIRECT,
            "client_id": fake.app_id,
            "client_secret": fake.app_secret,
        },
    )
    assert extend.params == {
        "client_id": fake.app_id,
        "client_secret": fake.app_secret,
        "grant_type": "fb_exchange_token",
        "fb_exchange_token": extend.token,
    }
    assert extend.token.startswith("EAAfake-short-user-")
    assert accounts.path == "/me/accounts"
    assert accounts.token.startswith("EAAfake-long-user-")  # Page tokens that do not expire
    assert accounts.params == {
        "fields": "id,name,access_token,tasks,picture,"
        "instagram_business_account{id,username,profile_picture_url}",
        "limit": "100",
    }


def test_only_pages_where_the_person_can_create_content_are_offered(fake: FakeGraph) -> None:
    fake.add_page("1003", "Read Only", "page-token-ro", tasks=["ANALYZE"], instagram=("1790", "ro"))
    fake.add_page("1004", "Moderated", "page-token-mod", tasks=["MODERATE", "ANALYZE"])

    connections = adapter(fake).connect(log_in(fake), REDIRECT, "")

    assert [c.credentials.external_id for c in connections] == ["1001", "1789", "1002"]


def test_connect_follows_paging_through_all_pages(fake: FakeGraph) -> None:
    for n in range(5):
        fake.add_page(f"20{n}", f"Shop {n}", f"page-token-{n}")
    fake.accounts_page_size = 3

    connections = adapter(fake).connect(log_in(fake), REDIRECT, "")

    assert len([c for c in connections if c.network == "facebook"]) == 7
    assert len(fake.calls("GET", "/accounts")) == 3


def test_a_code_works_once(fake: FakeGraph) -> None:
    code = log_in(fake)
    adapter(fake).connect(code, REDIRECT, "")
    with pytest.raises(base.Permanent) as raised:
        adapter(fake).connect(code, REDIRECT, "")
    assert raised.value.detail == "Facebook refused this: This authorization code has been used."
    assert raised.value.code == "100/36009"


def test_the_redirect_uri_must_match_the_dialogs(fake: FakeGraph) -> None:
    with pytest.raises(base.Permanent) as raised:
        adapter(fake).connect(log_in(fake), REDIRECT + "other/", "")
    assert "redirect_uri is identical" in raised.value.detail


def test_a_wrong_app_secret_never_shows_in_the_error(fake: FakeGraph) -> None:
    config = {**fake.config(), "app_secret": "wrong-secret-123"}
    with pytest.raises(base.AdapterError) as raised:
        FacebookAdapter(config, build_session(1.0)).connect(log_in(fake), REDIRECT, "")
    assert "Error validating client secret." in raised.value.detail
    assert "wrong-secret-123" not in repr(raised.value.__dict__)


def test_page_tokens_do_not_refresh(fake: FakeGraph) -> None:
    creds = base.Credentials("1001", secrets={"access_token": "page-token-acme"})
    with pytest.raises(base.AuthExpired, match="reconnect"):
        adapter(fake).refresh(creds)


def test_settings_the_adapter_needs() -> None:
    assert FacebookAdapter.required_config == ("app_id", "app_secret")
    assert FacebookAdapter.required_settings == ("FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET")
