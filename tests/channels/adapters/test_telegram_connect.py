"""TelegramAdapter.connect_password against FakeTelegram: a bot token and a chat,
checked with getMe, getChat and getChatMember before anything is saved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.telegram import TelegramAdapter
from channels.adapters.telegram_connect import chat_ref
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


def adapter(fake: FakeTelegram) -> TelegramAdapter:
    return TelegramAdapter(fake.adapter_config(), build_session(1.0))


def refused(fake: FakeTelegram, chat: str, token: str) -> base.AdapterError:
    with pytest.raises(base.AdapterError) as raised:
        adapter(fake).connect_password(chat, token)
    return raised.value


def test_a_public_channel_connects_with_its_bot(fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    chat_id = fake.add_channel("acmebakery", "Acme Bakery", admins={token})
    connection = adapter(fake).connect_password(" https://t.me/acmebakery ", token)
    creds = connection.credentials
    assert (connection.network, connection.name) == ("telegram", "Acme Bakery")
    assert (creds.external_id, creds.handle) == (str(chat_id), "@acmebakery")
    assert creds.secrets == {"bot_token": token}
    assert creds.options == {
        "chat_id": chat_id,
        "chat_type": "channel",
        "username": "acmebakery",
        "bot_id": fake.bots[token]["id"],
        "bot_username": "acme_bot",
    }
    assert creds.expires_at is None  # bot tokens do not expire
    assert [r.path for r in fake.requests] == ["/getMe", "/getChat", "/getChatMember"]
    assert fake.requests[1].body == {"chat_id": "@acmebakery"}


def test_a_private_channel_connects_by_its_numeric_id(fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    chat_id = fake.add_channel("", "Staff", admins={token}, private=True)
    connection = adapter(fake).connect_password(str(chat_id), token)
    assert (connection.credentials.handle, connection.name) == ("", "Staff")


def test_a_group_with_the_bot_as_admin_connects(fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    chat_id = fake.add_channel("", "Regulars", admins={token}, type="group", private=True)
    connection = adapter(fake).connect_password(str(chat_id), token)
    assert connection.credentials.options["chat_type"] == "group"


def test_what_is_typed_for_the_chat_is_read_leniently() -> None:
    assert chat_ref("@acmebakery") == "@acmebakery"
    assert chat_ref("acmebakery") == "@acmebakery"
    assert chat_ref("t.me/acmebakery/") == "@acmebakery"
    assert chat_ref("-1001234567890") == "-1001234567890"
    with pytest.raises(base.Permanent) as raised:
        chat_ref("acme bakery!")
    assert raised.value.code == "handle"


def test_something_that_is_no_token_is_refused_without_asking(fake: FakeTelegram) -> None:
    error = refused(fake, "@acmebakery", "hunter2")
    assert (type(error), error.code) == (base.Permanent, "password")
    assert fake.requests == []


def test_a_token_telegram_does_not_know_is_the_tokens_fault(fake: FakeTelegram) -> None:
    token = "123456789:AAthisTokenWasRevokedLongAgo_xyz"
    error = refused(fake, "@acmebakery", token)
    assert (type(error), error.code) == (base.Permanent, "password")
    assert error.detail == "Telegram does not accept this bot token."
    assert token not in error.detail


def test_a_chat_that_does_not_exist_is_the_chats_fault(fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    error = refused(fake, "@nosuchchannel", token)
    assert (type(error), error.code) == (base.Permanent, "handle")
    assert error.detail == (
        "The bot cannot see this chat: add @acme_bot to it as an administrator first."
    )


def test_a_bot_that_is_no_admin_there_is_refused(fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    fake.add_channel("acmebakery", "Acme Bakery")  # the bot was never added
    error = refused(fake, "@acmebakery", token)
    assert error.code == "handle"
    assert error.detail == (
        "@acme_bot must be an administrator of this chat with the right to post messages."
    )


def test_a_private_chat_the_bot_is_not_in_cannot_be_seen(fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    chat_id = fake.add_channel("", "Staff", private=True)
    error = refused(fake, str(chat_id), token)
    assert error.code == "handle"
    assert error.detail == (
        "The bot cannot see this chat: add @acme_bot to it as an administrator first."
    )


def test_an_admin_that_may_not_post_is_refused(fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    fake.add_channel("acmebakery", "Acme Bakery", admins={token}, can_post=False)
    error = refused(fake, "@acmebakery", token)
    assert error.code == "handle"
    assert error.detail == (
        "@acme_bot must be an administrator of this chat with the right to post messages."
    )


def test_a_telegram_that_cannot_be_reached_is_transient(fake: FakeTelegram) -> None:
    token = fake.add_bot("acme_bot")
    fake.fail_next(502, path="/getMe")
    error = refused(fake, "@acmebakery", token)
    assert (type(error), error.code) == (base.Transient, "502")
