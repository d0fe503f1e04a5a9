"""Connecting LinkedIn in the browser, against FakeLinkedIn's authorize page and
token endpoint, through SMO's own connect views: the member and the Pages they
administer are offered in the picker, as Facebook Pages are."""

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
from tests.fakes.linkedin import FakeLinkedIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "linkedin": fake.adapter_config()}
        yield fake


def signed_in_at_linkedin(cast: Cast, settings: Any) -> tuple[Client, str]:
    client = Client()
    client.force_login(cast.role("admin").user)
    start = client.post("/accounts/connect/linkedin/")
    assert start.status_code == 302
    asked = parse_qs(urlparse(start["Location"]).query)
    assert asked["redirect_uri"] == [f"{settings.SMO_PUBLIC_URL}/accounts/callback/linkedin/"]
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/accounts/callback/linkedin/"
    return client, f"{callback.path}?{callback.query}"


def test_an_admin_connects_a_member_and_their_page_chosen_in_the_picker(
    cast: Cast, fake: FakeLinkedIn, settings: Any
) -> None:
    ada = fake.add_member("Ada Baker")
    page = fake.add_organization("Acme Bakery", "acme-bakery", admins=(ada,))
    client, callback = signed_in_at_linkedin(cast, settings)

    response = client.get(callback)

    assert response["Location"] == "/accounts/connect/linkedin/choose/"
    picker = client.get("/accounts/connect/linkedin/choose/")
    person = f"urn:li:person:{ada}"
    assert [o["key"] for o in picker.context["options"]] == [
        f"linkedin:{person}",
        f"linkedin:{page}",
    ]
    chosen = client.post("/accounts/connect/linkedin/choose/", {"accounts": [f"linkedin:{page}"]})
    assert chosen["Location"] == "/accounts/"
    [account] = SocialAccount.objects.filter(network="linkedin")
    assert (account.workspace, account.external_id, account.name, account.handle) == (
        cast.workspace,
        page,
        "Acme Bakery",
        "acme-bakery",
    )
    assert set(account.credentials) == {"access_token"}
    assert account.options == {"member": person}
    left = account.credentials_expire_at - timezone.now()
    assert timedelta(days=59) < left <= timedelta(days=60)


def test_a_member_without_pages_is_connected_at_once(
    cast: Cast, fake: FakeLinkedIn, settings: Any
) -> None:
    ada = fake.add_member("Ada Baker")
    client, callback = signed_in_at_linkedin(cast, settings)
    response = client.get(callback)
    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    account = SocialAccount.objects.get(network="linkedin")
    assert (account.external_id, account.name) == (f"urn:li:person:{ada}", "Ada Baker")


def test_without_app_credentials_linkedin_says_what_it_needs(cast: Cast, settings: Any) -> None:
    settings.SMO_NETWORKS = {
        **settings.SMO_NETWORKS,
        "linkedin": {"client_id": "", "client_secret": ""},
    }
    client = Client()
    client.force_login(cast.role("admin").user)
    page = client.get("/accounts/").content.decode()
    assert 'data-network="linkedin"' in page
    assert "LINKEDIN_CLIENT_ID" in page and "LINKEDIN_CLIENT_SECRET" in page
    start = client.post("/accounts/connect/linkedin/", follow=True)
    assert "LinkedIn is not configured: set LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET." in (
        start.content.decode()
    )
