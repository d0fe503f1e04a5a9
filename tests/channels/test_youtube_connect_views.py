"""Connecting YouTube channels in the browser through the generic OAuth views, against
FakeYouTube's consent page and token endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from channels.models import SocialAccount
from tests.channels.test_connect_views import sign_in_at_network, signed_in
from tests.conftest import Cast
from tests.fakes.youtube import FakeYouTube
from tests.fakes.youtube_contract import CHANNEL, USER

pytestmark = pytest.mark.django_db


@pytest.fixture
def youtube(settings) -> Iterator[FakeYouTube]:  # type: ignore[no-untyped-def]
    cache.clear()
    with FakeYouTube() as fake:
        fake.add_channel(CHANNEL, "Acme Bakery", "@acmebakery", user=USER)
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "youtube": fake.adapter_config()}
        yield fake
        assert fake.contract_violations == []
    cache.clear()


def test_an_admin_connects_a_youtube_channel(cast: Cast, youtube: FakeYouTube) -> None:
    client = signed_in(cast)
    response = client.get(sign_in_at_network(client, "youtube"))
    assert response.status_code == 302 and response["Location"] == "/accounts/"

    account = SocialAccount.objects.get(network="youtube")
    assert (account.external_id, account.name, account.handle, account.status) == (
        CHANNEL,
        "Acme Bakery",
        "@acmebakery",
        "active",
    )
    assert account.options == {"uploads_playlist": "UUacmeBakery0000000000aa"}
    assert set(account.credentials) == {"access_token", "refresh_token"}
    assert (
        timedelta(minutes=58) < account.credentials_expire_at - timezone.now() <= timedelta(hours=1)
    )
    [exchange] = youtube.calls("POST", "/token")
    assert exchange.body["code_verifier"]
    assert exchange.body["redirect_uri"] == "http://127.0.0.1:8000/accounts/callback/youtube/"


def test_a_person_with_two_channels_picks_which_to_connect(
    cast: Cast, youtube: FakeYouTube
) -> None:
    youtube.add_channel("UCcafe0000000000000000aa", "Acme Café", "@acmecafe", user=USER)
    client = signed_in(cast)
    response = client.get(sign_in_at_network(client, "youtube"))
    assert response["Location"] == "/accounts/connect/youtube/choose/"
    page = client.get(response["Location"])
    assert b"Acme Bakery" in page.content and "Acme Café".encode() in page.content

    chosen = client.post(response["Location"], {"accounts": ["youtube:UCcafe0000000000000000aa"]})
    assert chosen.status_code == 302
    assert list(
        SocialAccount.objects.filter(network="youtube").values_list("handle", flat=True)
    ) == ["@acmecafe"]


def test_a_refused_permission_connects_nothing_and_says_why(
    cast: Cast, youtube: FakeYouTube
) -> None:
    youtube.granted_scopes = ("https://www.googleapis.com/auth/youtube.readonly",)
    client = signed_in(cast)
    response = client.get(sign_in_at_network(client, "youtube"), follow=True)
    assert not SocialAccount.objects.filter(network="youtube").exists()
    assert "allow uploading videos and viewing the channel" in response.content.decode()
