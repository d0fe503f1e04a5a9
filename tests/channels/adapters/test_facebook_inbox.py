"""The Facebook Page inbox: comments and replies under the Page's posts, Messenger,
answering, hiding and deleting, through facebook-sdk against the fake Graph API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    HIDE,
    MENTION,
    MESSAGE,
    REPLY,
    UNHIDE,
    Engagement,
    PostRef,
)
from channels.adapters.facebook import FacebookAdapter
from channels.adapters.session import build_session
from tests.fakes.clock import NOW, Clock
from tests.fakes.graph import FakeGraph, buc_header, graph_error

TOKEN = "page-token-acme"
CREDS = base.Credentials("1001", "Acme Bakery", {"access_token": TOKEN})
MIA = ("2001", "Mia Svensson")
LEO = ("2002", "Leo Berg")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeGraph]:
    with FakeGraph(now=clock) as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN)
        yield fake
        assert fake.crashes == []


def adapter(fake: FakeGraph, clock: Clock, timeout: float = 1.0) -> FacebookAdapter:
    return FacebookAdapter(fake.config(now=clock), build_session(timeout))


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def fetch(fake: FakeGraph, clock: Clock, post: str, since: datetime = NOW) -> list[Engagement]:
    return list(adapter(fake, clock).fetch_engagement(CREDS, since, [PostRef(post)]))


def test_the_network_says_what_the_inbox_can_do() -> None:
    support = FacebookAdapter.engagement
    assert support.fetches == {COMMENT, REPLY, MESSAGE}
    assert support.replies_to == {COMMENT, REPLY, MESSAGE}
    assert support.hides == support.deletes == {COMMENT, REPLY}
    assert "24 hours" in str(support.note)


def test_comments_and_replies_come_from_every_page_in_order(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    first = fake.add_comment(post, "Open on Sunday?", MIA, at(1))
    answer = fake.add_comment(first["id"], "Yes, 8 to 12.", ("1001", "Acme Bakery"), at(2))
    fake.add_comment(post, "Love the rye", LEO, at(3))
    fake.add_comment(first["id"], "Thanks!", MIA, at(4))
    fake.add_comment(post, "Gluten free?", LEO, at(5))
    fake.inbox_page_size = 2

    items = fetch(fake, clock, post)

    assert [(i.kind, i.text, i.in_reply_to_id, i.own) for i in items] == [
        (COMMENT, "Open on Sunday?", "", False),
        (REPLY, "Yes, 8 to 12.", first["id"], True),
        (COMMENT, "Love the rye", "", False),
        (REPLY, "Thanks!", first["id"], False),
        (COMMENT, "Gluten free?", "", False),
    ]
    mia = items[0]
    assert (mia.external_id, mia.parent_post_id, mia.author_id, mia.author_name) == (
        first["id"],
        post,
        "2001",
        "Mia Svensson",
    )
    assert mia.url == first["permalink_url"] and mia.created_at == at(1)
    assert items[1].external_id == answer["id"]
    calls = fake.calls("GET", f"/{post}/comments")
    assert len(calls) == 3
    assert calls[0].params == {
        "filter": "stream",
        "order": "chronological",
        "since": str(int(NOW.timestamp())),
        "fields": "id,message,from,created_time,parent{id},is_hidden,permalink_url",
        "limit": "50",
    }
    assert calls[0].token == TOKEN


def test_only_what_came_since_is_fetched(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    fake.add_comment(post, "Old news", MIA, NOW - timedelta(hours=2))
    fake.add_comment(post, "New news", LEO, at(1))

    items = fetch(fake, clock, post, since=NOW)

    assert [i.text for i in items] == ["New news"]
    assert fetch(fake, clock, post, since=NOW - timedelta(days=1))[0].text == "Old news"


def test_an_error_on_page_two_keeps_page_one_and_the_next_fetch_gets_all(
    fake: FakeGraph, clock: Clock
) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    for minute in range(1, 6):
        fake.add_comment(post, f"Comment {minute}", MIA, at(minute))
    fake.inbox_page_size = 2
    fake.fail_next(500, path="/comments", after=1)
    got: list[Engagement] = []

    with pytest.raises(base.Transient):
        for item in adapter(fake, clock).fetch_engagement(CREDS, NOW, [PostRef(post)]):
            got.append(item)

    assert [i.text for i in got] == ["Comment 1", "Comment 2"]
    assert [i.text for i in fetch(fake, clock, post)] == [f"Comment {m}" for m in range(1, 6)]


def test_a_rate_limit_waits_for_the_time_facebook_gives(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    fake.fail_next(400, graph_error(32, "(#32) Page request limit reached"), buc_header("1001", 25))

    with pytest.raises(base.RateLimited) as raised:
        fetch(fake, clock, post)

    assert raised.value.retry_at == NOW + timedelta(minutes=25)
    assert raised.value.network_code == "400:32"


def test_an_expired_token_needs_a_reconnect(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    fake.expire_token(TOKEN)

    with pytest.raises(base.AuthExpired):
        fetch(fake, clock, post)


def test_an_answer_to_a_comment_comes_back_as_the_pages_own(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    fake.add_comment(post, "Open on Sunday?", MIA, at(1))
    [comment] = fetch(fake, clock, post)
    clock.now = at(5)
    progress = base.Progress()

    answer = adapter(fake, clock).reply(CREDS, comment, "Yes, 8 to 12.", "k", progress)

    call = fake.calls("POST", "/comments")[0]
    assert (call.path, call.params) == (
        f"/{comment.external_id}/comments",
        {"message": "Yes, 8 to 12."},
    )
    assert progress.get("answer_id") == answer.external_id
    [_, back] = fetch(fake, clock, post)
    assert (back.external_id, back.own, back.in_reply_to_id, back.kind) == (
        answer.external_id,
        True,
        comment.external_id,
        REPLY,
    )
    assert (answer.url, answer.published_at) == (back.url, at(5))


def test_an_answer_to_a_reply_goes_under_its_comment(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    first = fake.add_comment(post, "Open on Sunday?", MIA, at(1))
    fake.add_comment(first["id"], "Same question", LEO, at(2))
    reply = fetch(fake, clock, post)[1]
    clock.now = at(5)
    adapter_ = adapter(fake, clock)

    answer = adapter_.reply(CREDS, reply, "Yes, both of you!", "k", base.Progress())

    assert fake.calls("POST", "/comments")[0].path == f"/{first['id']}/comments"
    back = fetch(fake, clock, post)[-1]
    assert (back.external_id, back.own, back.in_reply_to_id) == (
        answer.external_id,
        True,
        first["id"],
    )
    assert adapter_.find_reply(CREDS, reply, "Yes, both of you!", "k", base.Progress()) == answer


def test_a_retry_after_the_answer_was_made_posts_nothing_more(
    fake: FakeGraph, clock: Clock
) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    fake.add_comment(post, "Open on Sunday?", MIA, at(1))
    [comment] = fetch(fake, clock, post)
    progress = base.Progress()
    first = adapter(fake, clock).reply(CREDS, comment, "Yes.", "k", progress)

    again = adapter(fake, clock).reply(CREDS, comment, "Yes.", "k", progress)

    assert again.external_id == first.external_id
    assert len(fake.calls("POST", "/comments")) == 1


def test_a_lost_answer_is_unknown_and_find_reply_finds_it(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    fake.add_comment(post, "Open on Sunday?", MIA, at(1))
    [comment] = fetch(fake, clock, post)
    adapter_ = adapter(fake, clock)
    assert adapter_.find_reply(CREDS, comment, "Yes, 8 to 12.", "k", base.Progress()) is None
    clock.now = at(5)
    fake.timeout_after_receive(path="/comments")

    with pytest.raises(base.Unknown):
        adapter(fake, clock, timeout=0.2).reply(
            CREDS, comment, "Yes, 8 to 12.", "k", base.Progress()
        )

    made = fake.comments[-1]
    found = adapter_.find_reply(CREDS, comment, "Yes,  8 to 12.", "k", base.Progress())
    assert found == base.Published(made["id"], made["permalink_url"], at(5))
    assert adapter_.find_reply(CREDS, comment, "No.", "k", base.Progress()) is None


def test_hide_unhide_and_delete_are_harmless_twice(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    spam = fake.add_comment(post, "Buy followers", LEO, at(1))
    fake.add_comment(spam["id"], "Reply to spam", MIA, at(2))
    [comment, _] = fetch(fake, clock, post)
    adapter_ = adapter(fake, clock)

    adapter_.moderate(CREDS, comment, HIDE)
    adapter_.moderate(CREDS, comment, HIDE)
    assert spam["is_hidden"] is True
    assert fetch(fake, clock, post)[0].hidden is True
    adapter_.moderate(CREDS, comment, UNHIDE)
    assert spam["is_hidden"] is False
    hides = fake.calls("POST", f"/{comment.external_id}")
    assert [h.params for h in hides] == [{"is_hidden": "true"}] * 2 + [{"is_hidden": "false"}]

    adapter_.moderate(CREDS, comment, DELETE)
    adapter_.moderate(CREDS, comment, DELETE)
    assert fake.comments == []  # the reply went with its comment
    assert len(fake.calls("DELETE", f"/{comment.external_id}")) == 2


def test_a_lost_answer_to_a_hide_can_simply_be_tried_again(fake: FakeGraph, clock: Clock) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    fake.add_comment(post, "Buy followers", LEO, at(1))
    [comment] = fetch(fake, clock, post)
    fake.timeout_after_receive(path=f"/{comment.external_id}")

    with pytest.raises(base.Transient):
        adapter(fake, clock, timeout=0.2).moderate(CREDS, comment, HIDE)


def test_what_facebook_does_not_allow_is_permanent(fake: FakeGraph, clock: Clock) -> None:
    fake.add_message("1001", "3001", "Hello?", at=at(1))
    [message] = adapter(fake, clock).fetch_engagement(CREDS, NOW)
    mention = Engagement("x1", MENTION, "@Acme", NOW)

    for action in (HIDE, UNHIDE, DELETE):
        with pytest.raises(base.Permanent):
            adapter(fake, clock).moderate(CREDS, message, action)
    with pytest.raises(base.Permanent):
        adapter(fake, clock).reply(CREDS, mention, "Hi", "k", base.Progress())
    with pytest.raises(base.Permanent):
        adapter(fake, clock).moderate(CREDS, mention, HIDE)
    assert [r.method for r in fake.requests].count("POST") == 0


# --- Messenger ----------------------------------------------------------------------


def test_messenger_conversations_are_read_page_by_page(fake: FakeGraph, clock: Clock) -> None:
    fake.add_message("1001", "3001", "Do you deliver?", name="Mia", at=at(1))
    fake.add_message("1001", "3001", "Within 5 km.", at=at(2), from_page=True)
    fake.add_message("1001", "3001", "Great", name="Mia", at=at(3))
    fake.add_message("1001", "3002", "Gift cards?", name="Leo", at=at(4))
    fake.add_message("1001", "3003", "Old question", name="Ada", at=NOW - timedelta(days=2))
    fake.inbox_page_size = 1

    items = list(adapter(fake, clock).fetch_engagement(CREDS, NOW))

    [mia, leo] = fake.conversations[:2]
    assert [(i.text, i.thread_id, i.own, i.extra) for i in items] == [
        ("Gift cards?", leo["id"], False, {"psid": "3002"}),
        ("Do you deliver?", mia["id"], False, {"psid": "3001"}),
        ("Within 5 km.", mia["id"], True, {"psid": "3001"}),
        ("Great", mia["id"], False, {"psid": "3001"}),
    ]
    assert {i.kind for i in items} == {MESSAGE}
    assert {i.parent_post_id for i in items} == {""}
    # The Page's message answers the one before it.
    assert items[2].in_reply_to_id == items[1].external_id
    assert items[1].author_id == "3001" and items[1].author_name == "Mia"
    # The conversation untouched since `since` is not opened.
    assert fake.calls("GET", f"/{fake.conversations[2]['id']}/messages") == []
    listing = fake.calls("GET", "/1001/conversations")[0]
    assert listing.params["platform"] == "messenger"


def test_an_answer_in_messenger_comes_back_as_the_pages_own(fake: FakeGraph, clock: Clock) -> None:
    fake.add_message("1001", "3001", "Do you deliver?", at=at(1))
    [question] = adapter(fake, clock).fetch_engagement(CREDS, NOW)
    clock.now = at(10)

    answer = adapter(fake, clock).reply(CREDS, question, "Within 5 km.", "k", base.Progress())

    call = fake.calls("POST", "/1001/messages")[0]
    assert call.params == {
        "recipient": json.dumps({"id": "3001"}),
        "message": json.dumps({"text": "Within 5 km."}),
        "messaging_type": "RESPONSE",
    }
    [_, back] = adapter(fake, clock).fetch_engagement(CREDS, NOW)
    assert (back.external_id, back.own, back.in_reply_to_id, back.thread_id) == (
        answer.external_id,
        True,
        question.external_id,
        question.thread_id,
    )
    assert answer.published_at == at(10)


def test_a_message_older_than_24_hours_cannot_be_answered(fake: FakeGraph, clock: Clock) -> None:
    fake.add_message("1001", "3001", "Do you deliver?", at=at(1))
    [question] = adapter(fake, clock).fetch_engagement(CREDS, NOW)
    clock.now = at(1) + timedelta(hours=25)

    with pytest.raises(base.Permanent) as raised:
        adapter(fake, clock).reply(CREDS, question, "Sorry, late.", "k", base.Progress())

    assert raised.value.code == "10/2018278"
    assert "within 24 hours" in raised.value.detail
    assert len(fake.conversations[0]["messages"]) == 1


def test_a_lost_messenger_answer_is_found_in_the_conversation(
    fake: FakeGraph, clock: Clock
) -> None:
    fake.add_message("1001", "3001", "Do you deliver?", at=at(1))
    [question] = adapter(fake, clock).fetch_engagement(CREDS, NOW)
    adapter_ = adapter(fake, clock)
    assert adapter_.find_reply(CREDS, question, "Within 5 km.", "k", base.Progress()) is None
    clock.now = at(5)
    fake.timeout_after_receive(path="/1001/messages")

    with pytest.raises(base.Unknown):
        adapter(fake, clock, timeout=0.2).reply(
            CREDS, question, "Within 5 km.", "k", base.Progress()
        )

    sent = fake.conversations[0]["messages"][-1]
    found = adapter_.find_reply(CREDS, question, "Within 5 km.", "k", base.Progress())
    assert found == base.Published(sent["id"], "", at(5))
    assert adapter_.find_reply(CREDS, question, "Within 6 km.", "k", base.Progress()) is None


def test_a_page_without_messenger_access_keeps_its_comments_and_says_to_reconnect(
    fake: FakeGraph, clock: Clock
) -> None:
    post = fake.add_post("1001", "Fresh bread at 7.")["id"]
    fake.add_comment(post, "Open on Sunday?", MIA, at(1))
    refusal = graph_error(200, "(#200) Requires pages_messaging permission to manage the object")
    fake.fail_next(403, refusal, path="/conversations")
    got: list[Engagement] = []

    with pytest.raises(base.Permanent) as raised:
        for item in adapter(fake, clock).fetch_engagement(CREDS, NOW, [PostRef(post)]):
            got.append(item)

    assert [i.text for i in got] == ["Open on Sunday?"]
    assert raised.value.detail.endswith("Reconnect the account to grant SMO Messenger access.")
    assert raised.value.network_code == "403:200"
