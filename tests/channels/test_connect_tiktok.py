"""Connecting a TikTok account in the browser: Login Kit with PKCE, against the fake."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client
from django.utils import timezone

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.fakes.tiktok import FakeTikTok

pytestmark = pytest.mark.django_db
OPEN_ID = "-000AcmeBakeryOpenId"


@pytest.fixture
def fake(settings) -> Iterator[FakeTikTok]:  # type: ignore[no-untyped-def]
    with FakeTikTok() as fake:
        fake.add_creator(OPEN_ID, "acmebakery", "Acme Bakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "tiktok": fake.adapter_config()}
        yield fake


def test_an_admin_connects_a_tiktok_account(cast: Cast, fake: FakeTikTok) -> None:
    client = Client()
    client.force_login(cast.role("admin").user)
    start = client.post("/accounts/connect/tiktok/")
    assert start.status_code == 302, start.content
    challenge = parse_qs(urlparse(start["Location"]).query)["code_challenge"][0]
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    assert approved.status_code == 302, approved.text
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/accounts/callback/tiktok/"

    response = client.get(f"{callback.path}?{callback.query}")

    assert response.status_code == 302 and response["Location"] == "/accounts/"
    account = SocialAccount.objects.get(network="tiktok")
    assert (account.workspace, account.external_id, account.handle, account.name) == (
        cast.workspace,
        OPEN_ID,
        "acmebakery",
        "Acme Bakery",
    )
    assert set(account.credentials) == {"access_token", "refresh_token"}
    assert (
        timedelta(hours=23) < account.credentials_expire_at - timezone.now() <= timedelta(hours=24)
    )
    # The verifier kept in the session went to the token exchange, and matched.
    [exchange] = fake.calls("POST", "/v2/oauth/token/")
    verifier = exchange.body["code_verifier"]
    assert hashlib.sha256(verifier.encode()).hexdigest() == challenge


def test_tiktok_without_app_keys_says_what_it_needs(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "tiktok": {"client_key": ""}}
    client = Client()
    client.force_login(cast.role("admin").user)
    response = client.post("/accounts/connect/tiktok/", follow=True)
    assert "TikTok is not configured: set TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET." in (
        response.content.decode()
    )
