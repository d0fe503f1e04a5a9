"""Installing the Slack app against FakeSlack: the authorize URL, one account per
channel the bot may post in, token rotation's refresh, and refused codes."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.slack import SlackAdapter
from tests.fakes.slack import CLIENT_ID, CLIENT_SECRET, FakeSlack

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
REDIRECT = "https://smo.example/accounts/callback/slack/"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def adapter(fake: FakeSlack) -> SlackAdapter:
    return SlackAdapter(fake.adapter_config(now=lambda: NOW), build_session(2.0))


def code_for(fake: FakeSlack, slack: SlackAdapter) -> str:
    url = slack.authorization(REDIRECT, "the-state").url
    answer = requests.get(url, allow_redirects=False, timeout=2)
    return parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]


def test_the_authorize_url_asks_for_the_bot_scopes_with_state(fake: FakeSlack) -> None:
    url = urlparse(adapter(fake).authorization(REDIRECT, "the-state").url)

    assert url.path == "/oauth/v2/authorize"
    assert parse_qs(url.query) == {
        "client_id": [CLIENT_ID],
        "scope": [
            "chat:write,files:write,channels:read,groups:read,channels:join,"
            "channels:history,groups:history"
        ],
        "redirect_uri": [REDIRECT],
        "state": ["the-state"],
    }


def test_each_channel_the_app_can_post_in_is_offered_as_an_account(fake: FakeSlack) -> None:
    general = fake.add_channel("general")
    team = fake.add_channel("team", private=True)
    fake.add_channel("old", archived=True)
    hidden = fake.add_channel("secret", private=True)
    fake.channels[hidden]["is_member"] = False
    slack = adapter(fake)

    found = slack.connect(code_for(fake, slack), REDIRECT, "")

    assert [(c.name, c.credentials.external_id, c.credentials.handle) for c in found] == [
        ("Acme #general", f"T0001ACME:{general}", "#general"),
        ("Acme #team", f"T0001ACME:{team}", "#team"),
    ]
    assert found[1].credentials.options == {
        "team_id": "T0001ACME",
        "channel_id": team,
        "is_private": True,
    }
    assert set(found[0].credentials.secrets) == {"access_token"}
    assert found[0].credentials.expires_at is None  # bot tokens last until revoked
    [access] = fake.calls("POST", "/api/oauth.v2.access")
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert access.headers["authorization"] == f"Basic {basic}"
    assert access.body == {"code": access.body["code"], "redirect_uri": REDIRECT}


def test_channels_are_read_page_by_page(fake: FakeSlack) -> None:
    for n in range(205):
        fake.add_channel(f"room-{n}")
    slack = adapter(fake)

    found = slack.connect(code_for(fake, slack), REDIRECT, "")

    assert len(found) == 205
    assert len(fake.calls("POST", "/api/conversations.list")) == 2


def test_with_token_rotation_the_token_expires_and_refreshes(fake: FakeSlack) -> None:
    fake.rotation = True
    fake.add_channel("general")
    slack = adapter(fake)
    [connection] = slack.connect(code_for(fake, slack), REDIRECT, "")
    creds = connection.credentials
    assert creds.expires_at == NOW + timedelta(hours=12)
    assert set(creds.secrets) == {"access_token", "refresh_token"}

    renewed = slack.refresh(creds)

    assert renewed.secrets["access_token"] != creds.secrets["access_token"]
    assert renewed.secrets["refresh_token"] != creds.secrets["refresh_token"]
    assert (renewed.external_id, renewed.options) == (creds.external_id, creds.options)
    assert renewed.expires_at == NOW + timedelta(hours=12)
    with pytest.raises(base.AuthExpired):
        slack.refresh(creds)  # a used refresh token is spent


def test_without_a_refresh_token_refresh_asks_to_reconnect(fake: FakeSlack) -> None:
    creds = base.Credentials("T1:C1", secrets={"access_token": "xoxb-1"})

    with pytest.raises(base.AuthExpired):
        adapter(fake).refresh(creds)


def test_a_used_code_is_refused_without_showing_the_secret(fake: FakeSlack) -> None:
    slack = adapter(fake)
    code = code_for(fake, slack)
    slack.connect(code, REDIRECT, "")

    with pytest.raises(base.Permanent) as raised:
        slack.connect(code, REDIRECT, "")

    assert raised.value.code == "invalid_code"
    assert CLIENT_SECRET not in raised.value.detail
    assert CLIENT_SECRET not in repr(slack)


def test_tokens_never_reach_the_logs_even_at_debug(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake.rotation = True
    fake.add_channel("general")
    slack = adapter(fake)
    with caplog.at_level(logging.DEBUG):
        [connection] = slack.connect(code_for(fake, slack), REDIRECT, "")
        renewed = slack.refresh(connection.credentials)

    for secret in (*connection.credentials.secrets.values(), *renewed.secrets.values()):
        assert secret not in caplog.text
    assert CLIENT_SECRET not in caplog.text
