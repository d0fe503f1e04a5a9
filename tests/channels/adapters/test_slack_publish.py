"""Publishing to a Slack channel against FakeSlack through slack_sdk: a message
with its key in metadata, files through the external upload flow, joining a
public channel on the first post, and resuming after a crash without a second
upload or message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from channels.adapters import base
from tests.fakes.slack_contract import ContractCase, contract_case, credentials

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
LINK = "https://acme.example/buns"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case


def publish(
    case: ContractCase,
    content: base.Content,
    progress: base.Progress | None = None,
    creds: base.Credentials | None = None,
) -> base.Published:
    return case.adapter.publish(creds or case.creds, content, "key-1", progress or base.Progress())


def test_a_text_message_carries_the_escaped_text_the_link_and_the_key(
    case: ContractCase,
) -> None:
    progress = base.Progress()

    result = publish(case, base.Content("Buns & rolls <today>", link=LINK), progress)

    post, permalink = case.fake.requests
    assert (post.path, permalink.path) == ("/api/chat.postMessage", "/api/chat.getPermalink")
    assert post.headers["authorization"] == f"Bearer {case.creds.secrets['access_token']}"
    assert post.body == {
        "channel": case.channel,
        "text": f"Buns &amp; rolls &lt;today&gt;\n{LINK}",
        "unfurl_links": "1",
        "metadata": '{"event_type":"smo_post","event_payload":{"key":"key-1"}}',
    }
    [message] = case.fake.messages[case.channel]
    ts = message["ts"]
    url = f"https://acme.slack.com/archives/{case.channel}/p{ts.replace('.', '')}"
    assert result == base.Published(ts, url, datetime.fromtimestamp(float(ts), UTC))
    assert progress.as_dict() == {
        "started_at": NOW.isoformat(),
        "ts": ts,
        "published_at": result.published_at.isoformat(),
        "url": url,
    }


def test_files_go_through_the_external_upload_with_the_text_as_comment(
    case: ContractCase,
) -> None:
    first, second = case.image("a.png", 100, alt_text="Buns"), case.image("b.png", 200)
    progress = base.Progress()

    result = publish(case, base.Content("Fresh today", media=(first, second)), progress)

    paths = [r.path for r in case.fake.requests]
    [one, two] = case.fake.files
    assert paths == [
        "/api/files.getUploadURLExternal",
        f"/upload/{one}",
        "/api/files.getUploadURLExternal",
        f"/upload/{two}",
        "/api/files.completeUploadExternal",
        "/api/chat.getPermalink",
    ]
    ticket = case.fake.requests[0].body
    assert ticket == {"filename": "a.png", "length": str(first.size), "alt_txt": "Buns"}
    assert case.fake.files[one]["data"] == open(first.path, "rb").read()
    complete = case.fake.requests[4].body
    assert json.loads(complete["files"]) == [
        {"id": one, "title": "a.png"},
        {"id": two, "title": "b.png"},
    ]
    assert (complete["channel_id"], complete["initial_comment"]) == (case.channel, "Fresh today")
    [message] = case.fake.messages[case.channel]
    assert result.external_id == message["ts"]
    assert progress.get("files") == [{"id": one, "title": "a.png"}, {"id": two, "title": "b.png"}]


def test_a_retry_after_the_uploads_completes_without_uploading_again(
    case: ContractCase,
) -> None:
    item = case.image()
    progress = base.Progress()
    case.fake.fail_next(503, path="/api/files.completeUploadExternal")
    with pytest.raises(base.Unknown):
        publish(case, base.Content("Fresh", media=(item,)), progress)
    assert (
        case.adapter.find_published(
            case.creds, base.Content("Fresh", media=(item,)), "key-1", progress
        )
        is None
    )
    before = len(case.fake.calls("POST", "/upload/*"))

    result = publish(case, base.Content("Fresh", media=(item,)), progress)

    assert len(case.fake.calls("POST", "/upload/*")) == before == 1
    assert len(case.fake.messages[case.channel]) == 1
    assert result.external_id == case.fake.messages[case.channel][0]["ts"]


def test_a_share_slack_shows_late_is_found_in_the_history(case: ContractCase) -> None:
    case.fake.share_later = True

    result = publish(case, base.Content("Fresh", media=(case.image(),)))

    assert "/api/conversations.history" in [r.path for r in case.fake.requests]
    assert result.external_id == case.fake.messages[case.channel][0]["ts"]


def test_the_first_post_in_a_public_channel_joins_it(case: ContractCase) -> None:
    channel = case.fake.add_channel("announcements")
    creds = credentials(case.fake, channel, case.creds.secrets["access_token"])

    publish(case, base.Content("Hello"), creds=creds)

    paths = [r.path for r in case.fake.requests]
    assert paths[:3] == [
        "/api/chat.postMessage",
        "/api/conversations.join",
        "/api/chat.postMessage",
    ]
    assert len(case.fake.messages[channel]) == 1


def test_a_private_channel_the_app_left_says_to_invite_it(case: ContractCase) -> None:
    channel = case.fake.add_channel("team", private=True)
    case.fake.channels[channel]["is_member"] = False
    creds = base.Credentials(
        f"T0001ACME:{channel}",
        "#team",
        dict(case.creds.secrets),
        options={"channel_id": channel, "is_private": True},
    )

    with pytest.raises(base.Permanent) as raised:
        publish(case, base.Content("Hello"), creds=creds)

    assert raised.value.detail == "The SMO app is not a member of this Slack channel; invite it."
    assert "/api/conversations.join" not in [r.path for r in case.fake.requests]


def test_a_resumed_publish_returns_what_progress_holds(case: ContractCase) -> None:
    progress = base.Progress(
        {"ts": "1700000000.000100", "published_at": NOW.isoformat(), "url": "https://x.example/"}
    )

    result = publish(case, base.Content("Hello"), progress)

    assert result == base.Published("1700000000.000100", "https://x.example/", NOW)
    assert case.fake.requests == []


def test_a_refused_permalink_still_reports_the_message(case: ContractCase) -> None:
    case.fake.fail_next(429, headers={"Retry-After": "5"}, path="/api/chat.getPermalink")

    result = publish(case, base.Content("Hello"))

    [message] = case.fake.messages[case.channel]
    ts = message["ts"]
    assert (result.external_id, result.url) == (
        ts,
        f"https://slack.com/archives/{case.channel}/p{ts.replace('.', '')}",
    )


def test_the_first_comment_is_a_reply_in_the_messages_thread(case: ContractCase) -> None:
    progress = base.Progress()

    result = publish(case, base.Content("Buns", first_comment="Order at acme.example"), progress)

    message, reply = case.fake.messages[case.channel]
    assert reply["thread_ts"] == message["ts"] == result.external_id
    assert reply["text"] == "Order at acme.example"
    assert reply["metadata"]["event_payload"] == {"key": "key-1:first-comment"}
    assert progress.get("comment_ts") == reply["ts"]


def test_lost_answers_to_the_message_and_its_comment_are_found_not_posted_twice(
    case: ContractCase,
) -> None:
    content = base.Content("Buns", first_comment="Order at acme.example")
    progress = base.Progress()
    case.fake.timeout_after_receive(path="/api/chat.postMessage")
    with pytest.raises(base.Unknown):
        publish(case, content, progress)

    # The message is there, its comment not yet: look again after publishing it.
    assert case.adapter.find_published(case.creds, content, "key-1", progress) is None
    [message] = case.fake.messages[case.channel]
    assert progress.get("ts") == message["ts"]

    case.fake.timeout_after_receive(path="/api/chat.postMessage")
    with pytest.raises(base.Unknown):
        publish(case, content, progress)  # only the comment is sent
    found = case.adapter.find_published(case.creds, content, "key-1", progress)

    message, reply = case.fake.messages[case.channel]
    assert found is not None and found.external_id == message["ts"]
    assert (reply["thread_ts"], progress.get("comment_ts")) == (message["ts"], reply["ts"])


def test_completed_files_are_never_shared_twice(case: ContractCase) -> None:
    case.fake.share_later = True
    content = base.Content("Fresh", media=(case.image(),))
    progress = base.Progress()
    case.fake.fail_next(
        200, {"ok": False, "error": "internal_error"}, path="/api/conversations.history"
    )
    with pytest.raises(base.Unknown):
        publish(case, content, progress)

    result = publish(case, content, progress)

    assert len(case.fake.calls("POST", "/api/files.completeUploadExternal")) == 1
    [message] = case.fake.messages[case.channel]
    assert result.external_id == message["ts"]
