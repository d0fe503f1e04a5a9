"""TelegramAdapter publishing against FakeTelegram: each kind of message, the
request it sends, the link it returns, and every error it maps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.telegram import TelegramAdapter, message_url
from tests.fakes.telegram_contract import ContractCase, contract_case, credentials
from tests.fakes.x import closed_port_url


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def publish(case: ContractCase, content: base.Content, creds: base.Credentials | None = None):
    return case.adapter.publish(creds or case.creds, content, "key-1", base.Progress())


def test_text_is_sent_plain_with_the_link_added_and_previewed(case: ContractCase) -> None:
    content = base.Content("Buns <b>&</b> coffee_time", link="https://acme.example/buns")
    result = publish(case, content)
    [call] = case.fake.calls("POST", "/sendMessage")
    assert call.body == {
        "chat_id": str(case.chat_id),
        "text": "Buns <b>&</b> coffee_time\n\nhttps://acme.example/buns",
        "link_preview_options": json.dumps({"url": "https://acme.example/buns"}),
    }
    [message] = case.fake.sent(case.chat_id)
    assert result.external_id == str(message["message_id"])
    assert result.url == f"https://t.me/acmebakery/{message['message_id']}"
    assert result.published_at == datetime.fromtimestamp(message["date"], UTC)


def test_a_link_already_in_the_text_is_not_added_twice(case: ContractCase) -> None:
    publish(case, base.Content("See https://acme.example/buns", link="https://acme.example/buns"))
    [call] = case.fake.calls("POST", "/sendMessage")
    assert call.body["text"] == "See https://acme.example/buns"


def test_silent_sends_without_notification(case: ContractCase) -> None:
    publish(case, base.Content("Quiet news", options={"silent": True}))
    [call] = case.fake.calls("POST", "/sendMessage")
    assert call.body["disable_notification"] == "true"
    assert case.fake.sent(case.chat_id)[0]["silent"] is True


def test_one_photo_is_uploaded_with_its_caption(case: ContractCase) -> None:
    photo = case.image()
    publish(case, base.Content("Fresh", media=(photo,)))
    [call] = case.fake.calls("POST", "/sendPhoto")
    assert call.content_type.startswith("multipart/form-data")
    assert call.body["caption"] == "Fresh"
    assert call.body["photo"] == open(photo.path, "rb").read()
    assert case.fake.sent(case.chat_id)[0]["photo"] == photo.size


def test_one_video_is_uploaded_with_its_shape_and_length(case: ContractCase) -> None:
    clip = case.video(seconds=12.4)
    publish(case, base.Content("", media=(clip,)))
    [call] = case.fake.calls("POST", "/sendVideo")
    assert {k: v for k, v in call.body.items() if k != "video"} == {
        "chat_id": str(case.chat_id),
        "supports_streaming": "true",
        "width": "1080",
        "height": "1920",
        "duration": "12",
    }
    assert call.body["video"] == open(clip.path, "rb").read()


def test_an_album_sends_every_file_with_the_caption_on_the_first(case: ContractCase) -> None:
    media = (case.image("a.jpg"), case.video("b.mp4"), case.image("c.jpg"))
    result = publish(case, base.Content("Three bakes", media=media))
    [call] = case.fake.calls("POST", "/sendMediaGroup")
    assert json.loads(call.body["media"]) == [
        {"type": "photo", "media": "attach://file0", "caption": "Three bakes"},
        {
            "type": "video",
            "media": "attach://file1",
            "supports_streaming": True,
            "width": 1080,
            "height": 1920,
            "duration": 12,
        },
        {"type": "photo", "media": "attach://file2"},
    ]
    assert [call.body[f"file{i}"] for i in range(3)] == [open(m.path, "rb").read() for m in media]
    sent = case.fake.sent(case.chat_id)
    assert len(sent) == 3 and len({m["media_group_id"] for m in sent}) == 1
    assert result.external_id == str(sent[0]["message_id"])


def test_a_private_channel_links_through_t_me_c(case: ContractCase) -> None:
    chat_id = case.fake.add_channel("", "Staff", admins={case.token}, private=True)
    result = publish(case, base.Content("Rota"), credentials(case.fake, chat_id, case.token))
    assert result.url == f"https://t.me/c/{str(chat_id)[4:]}/{result.external_id}"


def test_message_links() -> None:
    assert message_url("acme", -1001234567890, 5) == "https://t.me/acme/5"
    assert message_url("", -1001234567890, 5) == "https://t.me/c/1234567890/5"
    assert message_url("", -4567, 5) == ""  # a basic group has no message links


def test_a_rate_limit_comes_back_after_retry_after(case: ContractCase) -> None:
    case.fake.fail_next(429, path="/sendMessage")
    before = datetime.now(UTC)
    with pytest.raises(base.RateLimited) as raised:
        publish(case, base.Content("Hi"))
    assert before + timedelta(seconds=35) <= raised.value.retry_at
    assert raised.value.retry_at <= datetime.now(UTC) + timedelta(seconds=35)
    assert raised.value.network_code == "429:429"


def test_a_revoked_token_is_auth_expired(case: ContractCase) -> None:
    case.fake.revoke(case.token)
    with pytest.raises(base.AuthExpired) as raised:
        publish(case, base.Content("Hi"))
    assert case.token not in str(raised.value)
    assert raised.value.status == 401


def test_a_removed_bot_is_permanent_and_says_what_to_do(case: ContractCase) -> None:
    case.fake.remove_bot(case.chat_id, case.token)
    with pytest.raises(base.Permanent) as raised:
        publish(case, base.Content("Hi"))
    assert raised.value.detail == (
        "The bot can no longer post to this chat (Forbidden: bot is not a member of the "
        "channel chat). Add it back as an administrator that may post messages."
    )


def test_a_deleted_chat_is_permanent(case: ContractCase) -> None:
    gone = base.Credentials("-100999", secrets={"bot_token": case.token})
    with pytest.raises(base.Permanent) as raised:
        publish(case, base.Content("Hi"), gone)
    assert raised.value.detail.startswith("Telegram cannot find this channel or group")


def test_a_channel_right_taken_away_is_permanent(case: ContractCase) -> None:
    chat_id = case.fake.add_channel("quiet", "Quiet", admins={case.token}, can_post=False)
    with pytest.raises(base.Permanent) as raised:
        publish(case, base.Content("Hi"), credentials(case.fake, chat_id, case.token))
    assert raised.value.detail == (
        "Telegram refused the message: Bad Request: need administrator rights in the channel chat"
    )


def test_a_lost_answer_is_unknown_and_a_refused_connection_transient(case: ContractCase) -> None:
    case.fake.timeout_after_receive("/sendMessage")
    with pytest.raises(base.Unknown):
        publish(case, base.Content("Hi"))
    assert len(case.fake.sent(case.chat_id)) == 1
    closed = TelegramAdapter({"api_url": closed_port_url()}, build_session(1.0))
    with pytest.raises(base.Transient) as raised:
        closed.publish(case.creds, base.Content("Hi"), "key-1", base.Progress())
    assert case.token not in str(raised.value)


def test_an_account_without_a_token_must_reconnect(case: ContractCase) -> None:
    with pytest.raises(base.AuthExpired):
        publish(case, base.Content("Hi"), base.Credentials(str(case.chat_id)))


def test_followers_are_the_chats_member_count(case: ContractCase) -> None:
    assert case.adapter.fetch_followers(case.creds) == 1280
    [call] = case.fake.calls("POST", "/getChatMemberCount")
    assert call.body == {"chat_id": str(case.chat_id)}
