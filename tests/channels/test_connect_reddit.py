"""Connecting a Reddit account in the browser, against FakeReddit's authorize page
and token endpoint, through SMO's own connect views."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client
from django.utils import timezone

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.fakes.reddit import FakeReddit

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeReddit]:
    with FakeReddit() as fake:
        fake.add_user("acmebakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "reddit": fake.adapter_config()}
        yield fake


def test_an_admin_connects_a_reddit_account(cast: Cast, fake: FakeReddit, settings: Any) -> None:
    client = Client()
    client.force_login(cast.role("admin").user)
    page = client.get("/accounts/").content.decode()
    assert 'data-network="reddit"' in page
    start = client.post("/accounts/connect/reddit/")
    assert start.status_code == 302
    asked = parse_qs(urlparse(start["Location"]).query)
    assert asked["redirect_uri"] == [f"{settings.SMO_PUBLIC_URL}/accounts/callback/reddit/"]
    assert asked["duration"] == ["permanent"]
    assert set(asked["scope"][0].split()) >= {"identity", "submit", "flair"}
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/accounts/callback/reddit/"

    response = client.get(f"{callback.path}?{callback.query}")

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    account = SocialAccount.objects.get(network="reddit")
    [user] = fake.users
    assert (account.workspace, account.external_id, account.handle, account.name) == (
        cast.workspace,
        user,
        "acmebakery",
        "u/acmebakery",
    )
    assert set(account.credentials) == {"access_token", "refresh_token"}
    assert (
        timedelta(minutes=58) < account.credentials_expire_at - timezone.now() <= timedelta(hours=1)
    )
    # The tokens are stored encrypted and never shown on the accounts page.
    page = client.get("/accounts/").content.decode()
    for secret in account.credentials.values():
        assert secret not in page


def test_a_callback_with_a_forged_state_connects_nothing(cast: Cast, fake: FakeReddit) -> None:
    client = Client()
    client.force_login(cast.role("admin").user)
    start = client.post("/accounts/connect/reddit/")
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    code = parse_qs(urlparse(approved.headers["Location"]).query)["code"][0]
    client.get(f"/accounts/callback/reddit/?state=forged&code={code}")
    assert not SocialAccount.objects.filter(network="reddit").exists()


def test_without_app_credentials_reddit_says_what_it_needs(cast: Cast, settings: Any) -> None:
    settings.SMO_NETWORKS = {
        **settings.SMO_NETWORKS,
        "reddit": {"client_id": "", "client_secret": ""},
    }
    client = Client()
    client.force_login(cast.role("admin").user)
    page = client.get("/accounts/").content.decode()
    assert "REDDIT_CLIENT_ID" in page and "REDDIT_CLIENT_SECRET" in page
    start = client.post("/accounts/connect/reddit/", follow=True)
    assert "Reddit is not configured: set REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET." in (
        start.content.decode()
    )
