"""Connecting Google Business Profile locations in the browser, against
FakeBusinessProfile's authorize page and token endpoint, through SMO's own
connect views: the admin chooses which locations become accounts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client

from channels import crypto
from channels.models import SocialAccount
from tests.conftest import Cast
from tests.fakes.gbp import FakeBusinessProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeBusinessProfile]:
    with FakeBusinessProfile() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "gbp": fake.adapter_config()}
        yield fake


def sign_in(client: Client, settings: Any) -> Any:
    start = client.post("/accounts/connect/gbp/")
    assert start.status_code == 302
    asked = parse_qs(urlparse(start["Location"]).query)
    assert asked["redirect_uri"] == [f"{settings.SMO_PUBLIC_URL}/accounts/callback/gbp/"]
    assert asked["scope"] == ["https://www.googleapis.com/auth/business.manage"]
    assert asked["code_challenge_method"] == ["S256"]
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/accounts/callback/gbp/"
    return client.get(f"{callback.path}?{callback.query}")


def test_an_admin_chooses_which_locations_to_connect(
    cast: Cast, fake: FakeBusinessProfile, settings: Any
) -> None:
    leeds = fake.add_location("Acme Bakery")
    york = fake.add_location("Acme Bakery York", locality="York")
    client = Client()
    client.force_login(cast.role("admin").user)

    response = sign_in(client, settings)

    assert (response.status_code, response["Location"]) == (302, "/accounts/connect/gbp/choose/")
    page = client.get("/accounts/connect/gbp/choose/").content.decode()
    assert "Acme Bakery (1 Market Street, Leeds)" in page
    assert "Acme Bakery York (1 Market Street, York)" in page
    # The tokens wait for the choice encrypted, and never reach the page.
    waiting = client.session["smo_oauth_pick"]
    token = crypto.decrypt_json(waiting)["found"][0]["credentials"]["secrets"]["access_token"]
    assert token not in waiting and token not in page

    chosen = client.post("/accounts/connect/gbp/choose/", {"accounts": [f"gbp:{york}"]})

    assert (chosen.status_code, chosen["Location"]) == (302, "/accounts/")
    account = SocialAccount.objects.get(network="gbp")
    assert (account.workspace, account.external_id, account.name) == (
        cast.workspace,
        york,
        "Acme Bakery York (1 Market Street, York)",
    )
    assert set(account.credentials) == {"access_token", "refresh_token"}
    assert account.options["maps_url"].startswith("https://maps.google.com/")
    assert account.credentials_expire_at is not None
    assert not SocialAccount.objects.filter(external_id=leeds).exists()


def test_a_google_login_without_locations_says_so(
    cast: Cast, fake: FakeBusinessProfile, settings: Any
) -> None:
    fake.add_account()
    client = Client()
    client.force_login(cast.role("admin").user)
    response = sign_in(client, settings)
    assert response["Location"] == "/accounts/"
    page = client.get("/accounts/").content.decode()
    assert "manages no Business Profile location" in page
    assert not SocialAccount.objects.filter(network="gbp").exists()


def test_an_editor_cannot_connect_locations(cast: Cast, fake: FakeBusinessProfile) -> None:
    client = Client()
    client.force_login(cast.role("editor").user)
    assert client.post("/accounts/connect/gbp/").status_code == 403
    assert fake.requests == []


def test_without_a_google_client_it_says_what_it_needs(cast: Cast, settings: Any) -> None:
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "gbp": {"client_id": ""}}
    client = Client()
    client.force_login(cast.role("admin").user)
    page = client.get("/accounts/").content.decode()
    assert 'data-network="gbp"' in page
    assert "GOOGLE_CLIENT_ID" in page and "GOOGLE_CLIENT_SECRET" in page
    start = client.post("/accounts/connect/gbp/", follow=True)
    assert (
        "Google Business Profile is not configured: set GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET."
        in start.content.decode()
    )
