"""Posting to a Discord channel through its webhook, against FakeDiscord: text with
its link, files as multipart, per-post options, and a retry that never posts twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.adapters import base
from tests.fakes.discord_contract import ContractCase, contract_case

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
LINK = "https://acme.example/buns"
GUILD = "81384788765712384"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        case.fake.requests.clear()  # the connect GET
        yield case


def publish(
    case: ContractCase, content: base.Content, progress: base.Progress | None = None
) -> base.Published:
    return case.adapter.publish(case.creds, content, "key", progress or base.Progress())


def test_text_goes_out_as_json_with_the_link_and_no_pings(case: ContractCase) -> None:
    progress = base.Progress()
    result = publish(case, base.Content("Buns are back @everyone", link=LINK), progress)

    [call] = case.fake.requests
    assert (call.method, call.path, call.query) == ("POST", case.hook.path, {"wait": "true"})
    assert call.body == {
        "content": f"Buns are back @everyone\n{LINK}",
        "allowed_mentions": {"parse": []},
    }
    [message] = case.fake.messages
    channel = case.hook.channel_id
    assert result == base.Published(
        message["id"],
        f"https://discord.com/channels/{GUILD}/{channel}/{message['id']}",
        datetime.fromisoformat(message["timestamp"]),
    )
    assert progress.as_dict() == {
        "message_id": message["id"],
        "channel_id": channel,
        "published_at": message["timestamp"],
    }


def test_a_link_already_in_the_text_is_not_added_again(case: ContractCase) -> None:
    publish(case, base.Content(f"Buns: {LINK} from 7", link=LINK))
    assert case.fake.messages[0]["content"] == f"Buns: {LINK} from 7"


def test_images_and_a_video_go_as_multipart_files_with_alt_text(case: ContractCase) -> None:
    photo = case.image("buns.jpg", alt_text="Buns on a tray")
    clip = case.video("clip.mp4")
    publish(case, base.Content("Fresh today", media=(photo, clip)))

    [call] = case.fake.requests
    assert call.content_type.startswith("multipart/form-data")
    assert call.query == {"wait": "true"}
    assert json.loads(call.body["payload_json"]) == {
        "content": "Fresh today",
        "allowed_mentions": {"parse": []},
        "attachments": [
            {"id": 0, "filename": "file0.jpg", "description": "Buns on a tray"},
            {"id": 1, "filename": "file1.mp4"},
        ],
    }
    assert call.body["files[0]"] == Path(photo.path).read_bytes()
    assert call.body["files[1]"] == Path(clip.path).read_bytes()
    [message] = case.fake.messages
    assert [(a["filename"], a.get("description")) for a in message["attachments"]] == [
        ("file0.jpg", "Buns on a tray"),
        ("file1.mp4", None),
    ]


def test_files_alone_need_no_text(case: ContractCase) -> None:
    content = base.Content("", media=(case.image(),))
    assert case.adapter.validate(content) == []
    assert publish(case, content).external_id == case.fake.messages[0]["id"]


def test_a_thread_id_posts_into_that_thread_and_links_there(case: ContractCase) -> None:
    thread = case.fake.add_thread(case.hook)
    result = publish(case, base.Content("In the thread", options={"thread_id": thread}))
    [call] = case.fake.requests
    assert call.query == {"wait": "true", "thread_id": thread}
    assert result.url == f"https://discord.com/channels/{GUILD}/{thread}/{result.external_id}"


def test_a_forum_webhook_starts_a_named_post_as_another_name(case: ContractCase) -> None:
    forum = case.fake.add_webhook("Forum", guild_id=GUILD, forum=True)
    creds = case.adapter.connect_webhook(forum.url).credentials
    content = base.Content(
        "Recipe inside", options={"thread_name": "Cardamom buns", "username": "Acme Bakery"}
    )
    result = case.adapter.publish(creds, content, "key", base.Progress())
    call = case.fake.requests[-1]
    assert call.body["thread_name"] == "Cardamom buns"
    assert call.body["username"] == "Acme Bakery"
    [message] = case.fake.messages
    assert message["author"]["username"] == "Acme Bakery"
    assert message["channel_id"] in forum.threads
    assert result.url.endswith(f"/{message['channel_id']}/{message['id']}")


def test_a_forum_webhook_without_a_title_is_refused_with_discords_words(
    case: ContractCase,
) -> None:
    forum = case.fake.add_webhook("Forum", guild_id=GUILD, forum=True)
    creds = case.adapter.connect_webhook(forum.url).credentials
    with pytest.raises(base.Permanent) as raised:
        case.adapter.publish(creds, base.Content("Hello"), "key", base.Progress())
    assert raised.value.detail == (
        "Discord refused the message: Webhooks posted to forum channels must have "
        "a thread_name or thread_id"
    )
    assert raised.value.network_code == "400:220001"


def test_a_retry_after_the_message_was_made_returns_it_without_posting(
    case: ContractCase,
) -> None:
    progress = base.Progress()
    first = publish(case, base.Content("Once"), progress)
    again = publish(case, base.Content("Once"), base.Progress(progress.as_dict()))
    assert again == first
    assert len(case.fake.messages) == 1
    assert len(case.fake.requests) == 1


def test_the_reconciler_returns_a_recorded_message_and_otherwise_cannot_tell(
    case: ContractCase,
) -> None:
    progress = base.Progress()
    made = publish(case, base.Content("Once"), progress)
    found = case.adapter.find_published(case.creds, base.Content("Once"), "key", progress)
    assert found == made
    with pytest.raises(base.CannotTell) as raised:
        case.adapter.find_published(case.creds, base.Content("Once"), "key", base.Progress())
    assert raised.value.detail.startswith(
        "A Discord webhook cannot list the channel's messages, so SMO cannot tell"
    )
    assert case.adapter.supports_lookup is False


def test_a_lost_answer_is_unknown_and_the_message_is_there(case: ContractCase) -> None:
    case.fake.timeout_after_receive(path=case.hook.path)
    with pytest.raises(base.Unknown) as raised:
        publish(case, base.Content("Lost"))
    assert raised.value.code == "ReadTimeout"
    assert [m["content"] for m in case.fake.messages] == ["Lost"]


def test_a_file_that_is_gone_fails_the_post_without_calling_discord(
    case: ContractCase,
) -> None:
    photo = case.image()
    Path(photo.path).unlink()
    with pytest.raises(base.Permanent) as raised:
        publish(case, base.Content("Where is it", media=(photo,)))
    assert raised.value.code == "file"
    assert case.fake.requests == []


def test_a_channel_with_no_webhook_stored_must_be_connected_again(case: ContractCase) -> None:
    creds = base.Credentials(case.creds.external_id, options=case.creds.options)
    with pytest.raises(base.AuthExpired):
        case.adapter.publish(creds, base.Content("Hi"), "key", base.Progress())
    assert case.fake.requests == []
