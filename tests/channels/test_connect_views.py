"""Connecting accounts in the browser: X with PKCE, Facebook Pages and Instagram
through Facebook Login, each against its fake authorization server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from django.db import connection
from django.test import Client
from django.utils import timezone

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.fakes.graph import FakeGraph
from tests.fakes.x import FakeX

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_x(settings) -> Iterator[FakeX]:  # type: ignore[no-untyped-def]
    with FakeX() as fake:
        fake.add_user("2244994945", "acmebakery", "Acme Bakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "x": fake.adapter_config()}
        yield fake


@pytest.fixture
def fake_graph(settings) -> Iterator[FakeGraph]:  # type: ignore[no-untyped-def]
    with FakeGraph() as fake:
        fake.add_page("1001", "Acme Bakery", "page-token-acme", instagram=("1789", "acmebakery"))
        fake.add_page("1002", "Acme Café", "page-token-cafe")
        settings.SMO_NETWORKS = {
            **settings.SMO_NETWORKS,
            "facebook": fake.config(),
            "instagram": fake.config(),
        }
        yield fake


def signed_in(cast: Cast, role: str = "admin") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def sign_in_at_network(client: Client, network: str) -> str:
    """Press Connect, follow the network's sign-in as a browser would; return the callback."""
    start = client.post(f"/accounts/connect/{network}/")
    assert start.status_code == 302, start.content
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    assert approved.status_code == 302, approved.text
    callback = urlparse(approved.headers["Location"])
    assert callback.path == f"/accounts/callback/{network}/"
    return f"{callback.path}?{callback.query}"


def test_an_admin_connects_an_x_account_with_pkce(cast: Cast, fake_x: FakeX) -> None:
    client = signed_in(cast)
    callback = sign_in_at_network(client, "x")
    response = client.get(callback)
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    account = SocialAccount.objects.get(network="x")
    assert (account.workspace, account.external_id, account.handle, account.status) == (
        cast.workspace,
        "2244994945",
        "acmebakery",
        "active",
    )
    assert set(account.credentials) == {"access_token", "refresh_token"}
    assert (
        timedelta(minutes=110)
        < account.credentials_expire_at - timezone.now()
        <= timedelta(hours=2)
    )
    assert account.connected_by == cast.role("admin").user
    # The token exchange sent the PKCE verifier, and the tokens are stored encrypted.
    [exchange] = fake_x.calls("POST", "/2/oauth2/token")
    assert exchange.body["grant_type"] == "authorization_code" and exchange.body["code_verifier"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_socialaccount WHERE id = %s", [account.pk])
        raw = cursor.fetchone()[0]
    assert account.credentials["access_token"] not in raw


def test_a_callback_this_browser_did_not_start_is_refused(cast: Cast, fake_x: FakeX) -> None:
    client = signed_in(cast)
    callback = sign_in_at_network(client, "x")
    forged = callback.replace("state=", "state=forged")
    response = client.get(forged, follow=True)
    assert "was not started here" in response.content.decode()
    assert not SocialAccount.objects.filter(network="x").exists()
    # Nor does a second browser get anywhere with the first one's callback.
    assert signed_in(cast, "owner").get(callback).status_code == 302
    assert not SocialAccount.objects.filter(network="x").exists()


def test_a_cancelled_sign_in_connects_nothing_and_says_why(cast: Cast, fake_x: FakeX) -> None:
    client = signed_in(cast)
    callback = sign_in_at_network(client, "x")
    state = callback.split("state=")[1].split("&")[0]
    response = client.get(f"/accounts/callback/x/?state={state}&error=access_denied", follow=True)
    assert "Connection cancelled. access_denied" in response.content.decode()
    assert not SocialAccount.objects.exists() or not SocialAccount.objects.filter(network="x")


def test_editors_and_viewers_cannot_connect_accounts(cast: Cast, fake_x: FakeX) -> None:
    for role in ("editor", "contributor", "viewer"):
        assert signed_in(cast, role).post("/accounts/connect/x/").status_code == 403


def test_a_facebook_login_offers_pages_and_instagram_accounts_to_choose_from(
    cast: Cast, fake_graph: FakeGraph
) -> None:
    client = signed_in(cast)
    callback = sign_in_at_network(client, "facebook")
    response = client.get(callback)
    assert response["Location"] == "/accounts/connect/facebook/choose/"
    # The Page tokens wait for the choice encrypted, not in the session as they are.
    session = client.session.load()
    assert "page-token-acme" not in str(session)
    page = client.get("/accounts/connect/facebook/choose/")
    assert [o["key"] for o in page.context["options"]] == [
        "facebook:1001",
        "instagram:1789",
        "facebook:1002",
    ]
    chosen = client.post(
        "/accounts/connect/facebook/choose/", {"accounts": ["facebook:1001", "instagram:1789"]}
    )
    assert chosen["Location"] == "/accounts/"
    saved = {
        (a.network, a.external_id): (a.name, a.credentials, a.options)
        for a in SocialAccount.objects.filter(workspace=cast.workspace).exclude(network="sandbox")
    }
    assert saved == {
        ("facebook", "1001"): ("Acme Bakery", {"access_token": "page-token-acme"}, {}),
        ("instagram", "1789"): (
            "acmebakery",
            {"access_token": "page-token-acme"},
            {"page_id": "1001"},
        ),
    }


def test_choosing_nothing_keeps_the_choice_open(cast: Cast, fake_graph: FakeGraph) -> None:
    client = signed_in(cast)
    client.get(sign_in_at_network(client, "facebook"))
    response = client.post("/accounts/connect/facebook/choose/", {})
    assert response.status_code == 400
    assert "Choose at least one account." in response.content.decode()
    assert not SocialAccount.objects.filter(network="facebook").exists()


def test_connecting_again_reconnects_an_account_that_needed_it(cast: Cast, fake_x: FakeX) -> None:
    old = SocialAccount.objects.create(
        workspace=cast.workspace,
        network="x",
        external_id="2244994945",
        name="Acme",
        credentials={"access_token": "dead"},
        status=SocialAccount.Status.NEEDS_RECONNECT,
        status_detail="Token revoked",
    )
    client = signed_in(cast)
    client.get(sign_in_at_network(client, "x"))
    old.refresh_from_db()
    assert (old.status, old.status_detail) == ("active", "")
    assert old.credentials["access_token"] != "dead"
    assert SocialAccount.objects.filter(network="x").count() == 1


def test_the_accounts_page_says_what_an_unconfigured_network_needs(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_NETWORKS = {
        **settings.SMO_NETWORKS,
        "x": {**settings.SMO_NETWORKS["x"], "client_id": "", "client_secret": ""},
    }
    response = signed_in(cast).get("/accounts/")
    rows = {n["key"]: n for n in response.context["networks"]}
    assert rows["x"]["missing"] == ["X_CLIENT_ID", "X_CLIENT_SECRET"]
    assert rows["x"]["redirect_uri"] == "http://127.0.0.1:8000/accounts/callback/x/"
    html = response.content.decode()
    assert "Not configured" in html and "X_CLIENT_ID, X_CLIENT_SECRET" in html
    assert signed_in(cast).post("/accounts/connect/x/").status_code == 302
    assert not SocialAccount.objects.filter(network="x").exists()


def test_a_configured_network_offers_connect_to_admins_only(cast: Cast, fake_x: FakeX) -> None:
    html = signed_in(cast).get("/accounts/").content.decode()
    assert 'action="/accounts/connect/x/"' in html
    assert (
        'action="/accounts/connect/x/"'
        not in signed_in(cast, "editor").get("/accounts/").content.decode()
    )


def test_an_account_that_needs_reconnecting_offers_reconnect_to_admins(
    cast: Cast, fake_x: FakeX
) -> None:
    SocialAccount.objects.create(
        workspace=cast.workspace,
        network="x",
        external_id="2244994945",
        name="Acme on X",
        status=SocialAccount.Status.NEEDS_RECONNECT,
        status_detail="X refused the refresh token; reconnect the account.",
    )
    html = signed_in(cast).get("/accounts/").content.decode()
    row = html[html.index('data-network="x"') :]
    row = row[: row.index("</li>")]
    assert "X refused the refresh token; reconnect the account." in row
    assert 'action="/accounts/connect/x/"' in row and "Reconnect" in row
    editor_html = signed_in(cast, "editor").get("/accounts/").content.decode()
    assert "Reconnect" not in editor_html


def test_the_accounts_page_makes_the_same_queries_for_one_account_or_many(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    from tests.factories import SandboxAccountFactory

    client = signed_in(cast)
    for _ in range(20):
        SandboxAccountFactory(workspace=cast.workspace)
    with django_assert_max_num_queries(8):
        assert client.get("/accounts/").status_code == 200
