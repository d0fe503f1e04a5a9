"""Connecting a Telegram channel on the accounts page: the channel and a bot token,
checked with FakeTelegram before the account is saved; the token never shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.django_db
URL = "/accounts/sign-in/telegram/"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "telegram": fake.adapter_config()}
        yield fake


def signed_in(cast: Cast, role: str = "admin") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def telegram_row(html: str) -> str:
    row = html[html.index('<li class="row network-row" data-network="telegram"') :]
    return row[: row.index("</li>")]


def test_admins_see_the_telegram_form_and_editors_do_not(cast: Cast, fake: FakeTelegram) -> None:
    row = telegram_row(signed_in(cast).get("/accounts/").content.decode())
    assert f'action="{URL}"' in row
    assert 'name="handle"' in row
    assert 'name="password" type="password"' in row
    assert "Bot token" in row
    assert 'name="server"' not in row
    assert "Not configured" not in row  # needs no app settings
    assert "/accounts/connect/telegram/" not in row  # not an OAuth network
    assert f'action="{URL}"' not in signed_in(cast, "editor").get("/accounts/").content.decode()
    assert signed_in(cast, "editor").post(URL, {"handle": "@a"}).status_code == 403


def test_connecting_saves_the_channel_with_its_token_encrypted_and_unseen(
    cast: Cast, fake: FakeTelegram
) -> None:
    token = fake.add_bot("acme_bot")
    chat_id = fake.add_channel("acmebakery", "Acme Bakery", admins={token})
    client = signed_in(cast)
    response = client.post(URL, {"handle": "@acmebakery", "password": token})
    saved = SocialAccount.objects.get(network="telegram")
    assert (response.status_code, response["Location"]) == (302, f"/accounts/#account-{saved.pk}")
    assert (saved.external_id, saved.handle, saved.name) == (
        str(chat_id),
        "@acmebakery",
        "Acme Bakery",
    )
    assert saved.credentials == {"bot_token": token}
    assert saved.options["chat_id"] == chat_id
    assert saved.credentials_expire_at is None
    html = client.get("/accounts/").content.decode()
    assert "Connected Acme Bakery." in html
    assert token not in html
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_socialaccount WHERE id = %s", [saved.pk])
        [raw] = cursor.fetchone()
    assert token not in str(raw)  # encrypted at rest


def test_a_wrong_token_is_said_beside_the_field_and_never_shown(
    cast: Cast, fake: FakeTelegram
) -> None:
    token = "123456789:AAthisTokenWasRevokedLongAgo_xyz"
    response = signed_in(cast).post(URL, {"handle": "@acmebakery", "password": token})
    assert response.status_code == 400
    row = telegram_row(response.content.decode())
    assert (
        'id="connect-telegram-password-error" role="alert">'
        "Telegram does not accept this bot token.</span>" in row
    )
    assert 'value="@acmebakery"' in row
    assert token not in response.content.decode()
    assert not SocialAccount.objects.filter(network="telegram").exists()


def test_a_bot_that_may_not_post_is_said_beside_the_channel(cast: Cast, fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    fake.add_channel("acmebakery", "Acme Bakery", admins={token}, can_post=False)
    response = signed_in(cast).post(URL, {"handle": "acmebakery", "password": token})
    assert response.status_code == 400
    row = telegram_row(response.content.decode())
    assert (
        'id="connect-telegram-handle-error" role="alert">@acme_bot must be an administrator '
        "of this chat with the right to post messages.</span>" in row
    )
    assert token not in response.content.decode()
    assert not SocialAccount.objects.filter(network="telegram").exists()


def test_telegram_out_of_reach_is_said_under_the_form(cast: Cast, fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    fake.fail_next(502, path="/getMe")
    response = signed_in(cast).post(URL, {"handle": "@acmebakery", "password": token})
    assert response.status_code == 400
    row = telegram_row(response.content.decode())
    assert 'id="connect-telegram-error" role="alert">' in row
    assert "Telegram had a server error (502)." in row
    assert not SocialAccount.objects.filter(network="telegram").exists()
