"""Connecting a Discord channel on the accounts page: an admin pastes the channel's
webhook URL, SMO checks it with Discord (a FakeDiscord) and keeps its token
encrypted; the URL is never shown back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.fakes.discord import FakeDiscord
from tests.fakes.x import closed_port_url

pytestmark = pytest.mark.django_db
URL = "/accounts/webhook/discord/"


@pytest.fixture
def fake(settings: pytest.FixtureRequest) -> Iterator[FakeDiscord]:
    with FakeDiscord() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "discord": fake.adapter_config()}  # type: ignore[attr-defined]
        yield fake


def signed_in(cast: Cast, role: str = "admin") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def discord_row(html: str) -> str:
    row = html[html.index('<li class="row network-row" data-network="discord"') :]
    return row[: row.index("</li>")]


def raw_credentials(account: SocialAccount) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_socialaccount WHERE id = %s", [account.pk])
        return str(cursor.fetchone()[0])


def test_admins_see_the_webhook_form_and_editors_do_not(cast: Cast, fake: FakeDiscord) -> None:
    row = discord_row(signed_in(cast).get("/accounts/").content.decode())
    assert f'action="{URL}"' in row
    assert 'name="url" type="password"' in row
    assert "/accounts/connect/discord/" not in row  # no OAuth flow
    assert "Ready" in row  # nothing to configure first
    assert f'action="{URL}"' not in signed_in(cast, "editor").get("/accounts/").content.decode()
    assert signed_in(cast, "editor").post(URL, {"url": "x"}).status_code == 403


def test_connecting_checks_the_webhook_and_saves_the_channel(cast: Cast, fake: FakeDiscord) -> None:
    hook = fake.add_webhook("Acme news", guild_id="81384788765712384")
    client = signed_in(cast)
    response = client.post(URL, {"url": hook.url})
    saved = SocialAccount.objects.get(network="discord")
    assert (response.status_code, response["Location"]) == (302, f"/accounts/#account-{saved.pk}")
    assert (saved.external_id, saved.name, saved.handle) == (
        hook.channel_id,
        "Acme news",
        "Acme news",
    )
    assert saved.credentials == {"webhook_token": hook.token}
    assert saved.options == {
        "webhook_id": hook.id,
        "guild_id": "81384788765712384",
        "channel_id": hook.channel_id,
    }
    assert [(r.method, r.path) for r in fake.requests] == [("GET", hook.path)]
    assert hook.token not in raw_credentials(saved)
    html = client.get("/accounts/").content.decode()
    assert "Connected Acme news." in html
    assert hook.token not in html


def test_a_new_webhook_for_the_same_channel_reconnects_it(cast: Cast, fake: FakeDiscord) -> None:
    first = fake.add_webhook("Acme news")
    client = signed_in(cast)
    client.post(URL, {"url": first.url})
    second = fake.add_webhook("Acme news 2", guild_id=first.guild_id)
    second.channel_id = first.channel_id
    fake.delete_webhook(first)
    assert client.post(URL, {"url": second.url}).status_code == 302
    [saved] = SocialAccount.objects.filter(network="discord")
    assert saved.credentials == {"webhook_token": second.token}
    assert saved.options["webhook_id"] == second.id
    assert saved.name == "Acme news 2"


@pytest.mark.parametrize(
    "typed",
    [
        "https://example.com/api/webhooks/1180000000000000001/abc",
        "discord.com/api/webhooks/123/abc",
        "",
    ],
)
def test_something_that_is_no_webhook_url_is_said_beside_the_field(
    cast: Cast, fake: FakeDiscord, typed: str
) -> None:
    response = signed_in(cast).post(URL, {"url": typed})
    row = discord_row(response.content.decode())
    assert response.status_code == 400
    assert (
        'id="connect-discord-url-error" role="alert">That is not a Discord webhook URL; '
        "it looks like https://discord.com/api/webhooks/123…/abc…" in row
    )
    assert fake.requests == []
    assert not SocialAccount.objects.filter(network="discord").exists()


def test_a_deleted_webhook_is_refused_and_its_url_never_shown(
    cast: Cast, fake: FakeDiscord
) -> None:
    hook = fake.add_webhook()
    fake.delete_webhook(hook)
    response = signed_in(cast).post(URL, {"url": hook.url})
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        'id="connect-discord-url-error" role="alert">'
        "Discord does not know that webhook: copy its URL again." in discord_row(page)
    )
    assert hook.token not in page
    assert not SocialAccount.objects.filter(network="discord").exists()


def test_a_wrong_token_is_refused_like_a_deleted_webhook(cast: Cast, fake: FakeDiscord) -> None:
    hook = fake.add_webhook()
    wrong = hook.url.replace(hook.token, "w" * 68)
    response = signed_in(cast).post(URL, {"url": wrong})
    assert response.status_code == 400
    assert "Discord does not know that webhook: copy its URL again." in response.content.decode()


def test_discord_out_of_reach_is_said_beside_the_field(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_NETWORKS = {
        **settings.SMO_NETWORKS,
        "discord": {"api_url": closed_port_url() + "/api"},
    }
    url = "https://discord.com/api/webhooks/1180000000000000001/" + "t" * 68
    response = signed_in(cast).post(URL, {"url": url})
    assert response.status_code == 400
    assert (
        'id="connect-discord-url-error" role="alert">Could not check the webhook: '
        "Could not reach Discord (ConnectionError); nothing was sent."
        in discord_row(response.content.decode())
    )
    assert "t" * 68 not in response.content.decode()


def test_a_channel_whose_webhook_was_deleted_offers_to_reconnect_through_the_form(
    cast: Cast, fake: FakeDiscord
) -> None:
    hook = fake.add_webhook()
    client = signed_in(cast)
    client.post(URL, {"url": hook.url})
    SocialAccount.objects.filter(network="discord").update(
        status=SocialAccount.Status.NEEDS_RECONNECT
    )
    html = client.get("/accounts/").content.decode()
    assert 'href="#connect-discord-url">Reconnect</a>' in html
