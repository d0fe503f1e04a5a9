"""Connecting a Pinterest account in the browser, against FakePinterest's authorize
page and token endpoint, through SMO's own connect views."""

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
from tests.fakes.pinterest import FakePinterest

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any) -> Iterator[FakePinterest]:
    with FakePinterest() as fake:
        fake.add_user("acmebakery", "Acme Bakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "pinterest": fake.adapter_config()}
        yield fake
        assert fake.contract_violations == []


def test_an_admin_connects_a_pinterest_account(
    cast: Cast, fake: FakePinterest, settings: Any
) -> None:
    client = Client()
    client.force_login(cast.role("admin").user)
    start = client.post("/accounts/connect/pinterest/")
    assert start.status_code == 302
    asked = parse_qs(urlparse(start["Location"]).query)
    assert asked["redirect_uri"] == [f"{settings.SMO_PUBLIC_URL}/accounts/callback/pinterest/"]
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/accounts/callback/pinterest/"

    response = client.get(f"{callback.path}?{callback.query}")

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    account = SocialAccount.objects.get(network="pinterest")
    [user] = fake.users
    assert (account.workspace, account.external_id, account.handle, account.name) == (
        cast.workspace,
        user,
        "acmebakery",
        "Acme Bakery",
    )
    assert set(account.credentials) == {"access_token", "refresh_token"}
    assert timedelta(days=29) < account.credentials_expire_at - timezone.now() <= timedelta(days=30)


def test_without_app_credentials_pinterest_says_what_it_needs(cast: Cast, settings: Any) -> None:
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "pinterest": {"app_id": "", "app_secret": ""}}
    client = Client()
    client.force_login(cast.role("admin").user)
    page = client.get("/accounts/").content.decode()
    assert 'data-network="pinterest"' in page
    assert "PINTEREST_APP_ID" in page and "PINTEREST_APP_SECRET" in page
    start = client.post("/accounts/connect/pinterest/", follow=True)
    assert "Pinterest is not configured: set PINTEREST_APP_ID, PINTEREST_APP_SECRET." in (
        start.content.decode()
    )
