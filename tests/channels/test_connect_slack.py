"""Installing the Slack app in the browser, against FakeSlack's authorize page and
oauth.v2.access, through SMO's own connect views: the admin picks channels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "slack": fake.adapter_config()}
        yield fake


def install(client: Client, settings: Any) -> Any:
    start = client.post("/accounts/connect/slack/")
    assert start.status_code == 302
    asked = parse_qs(urlparse(start["Location"]).query)
    assert asked["redirect_uri"] == [f"{settings.SMO_PUBLIC_URL}/accounts/callback/slack/"]
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/accounts/callback/slack/"
    return client.get(f"{callback.path}?{callback.query}")


def test_an_admin_installs_the_app_and_picks_a_channel(
    cast: Cast, fake: FakeSlack, settings: Any
) -> None:
    general = fake.add_channel("general")
    fake.add_channel("random")
    client = Client()
    client.force_login(cast.role("admin").user)

    response = install(client, settings)

    assert (response.status_code, response["Location"]) == (302, "/accounts/connect/slack/choose/")
    page = client.get("/accounts/connect/slack/choose/").content.decode()
    assert "Acme #general" in page and "Acme #random" in page
    token = next(iter(fake.tokens))
    assert token not in page
    chosen = client.post(
        "/accounts/connect/slack/choose/", {"accounts": [f"slack:T0001ACME:{general}"]}
    )
    assert (chosen.status_code, chosen["Location"]) == (302, "/accounts/")
    account = SocialAccount.objects.get(network="slack")
    assert (account.workspace, account.external_id, account.handle, account.name) == (
        cast.workspace,
        f"T0001ACME:{general}",
        "#general",
        "Acme #general",
    )
    assert account.credentials == {"access_token": token}
    assert account.options == {"team_id": "T0001ACME", "channel_id": general, "is_private": False}
    assert account.credentials_expire_at is None


def test_a_workspace_with_one_channel_connects_it_at_once(
    cast: Cast, fake: FakeSlack, settings: Any
) -> None:
    fake.add_channel("general")
    client = Client()
    client.force_login(cast.role("admin").user)

    response = install(client, settings)

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    assert SocialAccount.objects.get(network="slack").name == "Acme #general"


def test_a_callback_with_another_state_is_refused(cast: Cast, fake: FakeSlack) -> None:
    client = Client()
    client.force_login(cast.role("admin").user)
    client.post("/accounts/connect/slack/")

    response = client.get("/accounts/callback/slack/?code=abc&state=forged", follow=True)

    assert "That sign-in link was not started here" in response.content.decode()
    assert not SocialAccount.objects.filter(network="slack").exists()


def test_without_app_credentials_slack_says_what_it_needs(cast: Cast, settings: Any) -> None:
    settings.SMO_NETWORKS = {
        **settings.SMO_NETWORKS,
        "slack": {"client_id": "", "client_secret": ""},
    }
    client = Client()
    client.force_login(cast.role("admin").user)
    page = client.get("/accounts/").content.decode()
    assert 'data-network="slack"' in page
    assert "SLACK_CLIENT_ID" in page and "SLACK_CLIENT_SECRET" in page
    start = client.post("/accounts/connect/slack/", follow=True)
    assert "Slack is not configured: set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET." in (
        start.content.decode()
    )
