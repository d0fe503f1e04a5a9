"""The Instagram inbox: comments and replies on the account's media, answering,
hiding and deleting them, through facebook-sdk against the fake Graph API."""

from __future__ import annotations

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
from channels.adapters.instagram import InstagramAdapter
from channels.adapters.session import build_session
from tests.fakes.clock import NOW, Clock
from tests.fakes.graph import FakeGraph, buc_header, graph_error

TOKEN = "page-token-acme"
CREDS = base.Credentials("1789", "acmebakery", {"access_token": TOKEN}, options={"page_id": "1001"})
ACME = ("1789", "acmebakery")
MIA = ("9001", "mia.bakes")
LEO = ("9002", "leo_b")
FIELDS = "id,text,username,timestamp,from,hidden,replies{id,text,username,timestamp,from,hidden}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeGraph]:
    with FakeGraph(now=clock) as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN, instagram=ACME)
        yield fake
        assert fake.crashes == []


@pytest.fixture
def post(fake: FakeGraph) -> PostRef:
    media = fake.add_media("1789", "Fresh bread #bakery")
    return PostRef(media["id"], media["permalink"])


def adapter(fake: FakeGraph, clock: Clock, timeout: float = 1.0) -> InstagramAdapter:
    return InstagramAdapter(fake.config(now=clock), build_session(timeout))


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def fetch(fake: FakeGraph, clock: Clock, post: PostRef, since: datetime = NOW) -> list[Engagement]:
    return list(adapter(fake, clock).fetch_engagement(CREDS, since, [post]))


def test_the_network_says_what_the_inbox_can_do() -> None:
    support = InstagramAdapter.engagement
    assert support.fetches == support.replies_to == {COMMENT, REPLY}
    assert support.hides == support.deletes == {COMMENT, REPLY}
    assert "Messenger Platform" in str(support.note)


def test_comments_and_their_replies_come_from_every_page(
    fake: FakeGraph, clock: Clock, post: PostRef
) -> None:
    first = fake.add_comment(post.external_id, "Sunday hours?", MIA, at(1))
    fake.add_comment(first["id"], "8 to 12", ACME, at(2))
    fake.add_comment(first["id"], "Thanks", MIA, at(3))
    fake.add_comment(first["id"], "Me too", LEO, at(4))
    fake.add_comment(post.external_id, "Rye?", LEO, at(5))
    fake.add_comment(post.external_id, "Yum", MIA, at(6))
    fake.inbox_page_size = 2

    items = fetch(fake, clock, post)

    assert [(i.kind, i.text, i.in_reply_to_id, i.own) for i in items] == [
        (COMMENT, "Sunday hours?", "", False),
        (REPLY, "8 to 12", first["id"], True),
        (REPLY, "Thanks", first["id"], False),
        (REPLY, "Me too", first["id"], False),
        (COMMENT, "Rye?", "", False),
        (COMMENT, "Yum", "", False),
    ]
    mia = items[0]
    assert (mia.external_id, mia.parent_post_id, mia.url, mia.created_at) == (
        first["id"],
        post.external_id,
        post.url,
        at(1),
    )
    assert (mia.author_id, mia.author_handle, mia.author_name) == ("9001", "mia.bakes", "mia.bakes")
    listings = fake.calls("GET", f"/{post.external_id}/comments")
    assert len(listings) == 2
    assert listings[0].params == {"fields": FIELDS, "limit": "50"}
    # Three replies do not fit in the nested page of two: the replies edge gives
    # all, in two pages of its own.
    replies = fake.calls("GET", f"/{first['id']}/replies")
    assert [r.params.get("after") is None for r in replies] == [True, False]
    assert replies[0].params == {"fields": "id,text,username,timestamp,from,hidden", "limit": "50"}


def test_only_what_came_since_is_yielded(fake: FakeGraph, clock: Clock, post: PostRef) -> None:
    old = fake.add_comment(post.external_id, "Old", MIA, NOW - timedelta(days=1))
    fake.add_comment(old["id"], "New reply to an old comment", LEO, at(1))
    fake.add_comment(post.external_id, "New", LEO, at(2))

    items = fetch(fake, clock, post)

    assert [(i.text, i.in_reply_to_id) for i in items] == [
        ("New reply to an old comment", old["id"]),
        ("New", ""),
    ]


def test_an_error_on_page_two_keeps_page_one_and_the_next_fetch_gets_all(
    fake: FakeGraph, clock: Clock, post: PostRef
) -> None:
    for minute in range(1, 6):
        fake.add_comment(post.external_id, f"Comment {minute}", MIA, at(minute))
    fake.inbox_page_size = 2
    fake.fail_next(500, path="/comments", after=1)
    got: list[Engagement] = []

    with pytest.raises(base.Transient):
        for item in adapter(fake, clock).fetch_engagement(CREDS, NOW, [post]):
            got.append(item)

    assert [i.text for i in got] == ["Comment 1", "Comment 2"]
    assert [i.text for i in fetch(fake, clock, post)] == [f"Comment {m}" for m in range(1, 6)]


def test_a_rate_limit_waits_for_the_time_instagram_gives(
    fake: FakeGraph, clock: Clock, post: PostRef
) -> None:
    fake.fail_next(
        400,
        graph_error(80002, "There have been too many calls to this Instagram account."),
        buc_header("1789", 40),
    )

    with pytest.raises(base.RateLimited) as raised:
        fetch(fake, clock, post)

    assert raised.value.retry_at == NOW + timedelta(minutes=40)


def test_an_expired_token_needs_a_reconnect(fake: FakeGraph, clock: Clock, post: PostRef) -> None:
    fake.expire_token(TOKEN)

    with pytest.raises(base.AuthExpired):
        fetch(fake, clock, post)


def test_an_answer_to_a_comment_comes_back_as_the_accounts_own(
    fake: FakeGraph, clock: Clock, post: PostRef
) -> None:
    fake.add_comment(post.external_id, "Sunday hours?", MIA, at(1))
    [comment] = fetch(fake, clock, post)
    clock.now = at(5)
    progress = base.Progress()

    answer = adapter(fake, clock).reply(CREDS, comment, "8 to 12", "k", progress)

    call = fake.calls("POST", "/replies")[0]
    assert (call.path, call.params) == (f"/{comment.external_id}/replies", {"message": "8 to 12"})
    assert (answer.url, answer.published_at) == (post.url, at(5))
    assert progress.get("answer_id") == answer.external_id
    [_, back] = fetch(fake, clock, post)
    assert (back.external_id, back.own, back.in_reply_to_id, back.kind) == (
        answer.external_id,
        True,
        comment.external_id,
        REPLY,
    )
    # A retry with the answer recorded posts nothing more.
    adapter(fake, clock).reply(CREDS, comment, "8 to 12", "k", progress)
    assert len(fake.calls("POST", "/replies")) == 1


def test_an_answer_to_a_reply_goes_under_its_comment(
    fake: FakeGraph, clock: Clock, post: PostRef
) -> None:
    first = fake.add_comment(post.external_id, "Sunday hours?", MIA, at(1))
    fake.add_comment(first["id"], "Same question", LEO, at(2))
    reply = fetch(fake, clock, post)[1]
    clock.now = at(5)

    answer = adapter(fake, clock).reply(CREDS, reply, "@leo_b 8 to 12", "k", base.Progress())

    assert fake.calls("POST", "/replies")[0].path == f"/{first['id']}/replies"
    back = fetch(fake, clock, post)[-1]
    assert (back.external_id, back.own, back.in_reply_to_id) == (
        answer.external_id,
        True,
        first["id"],
    )
    found = adapter(fake, clock).find_reply(CREDS, reply, "@leo_b 8 to 12", "k", base.Progress())
    assert found is not None and found.external_id == answer.external_id


def test_a_lost_answer_is_unknown_and_find_reply_finds_it(
    fake: FakeGraph, clock: Clock, post: PostRef
) -> None:
    fake.add_comment(post.external_id, "Sunday hours?", MIA, at(1))
    [comment] = fetch(fake, clock, post)
    adapter_ = adapter(fake, clock)
    assert adapter_.find_reply(CREDS, comment, "8 to 12", "k", base.Progress()) is None
    clock.now = at(5)
    fake.timeout_after_receive(path="/replies")

    with pytest.raises(base.Unknown):
        adapter(fake, clock, timeout=0.2).reply(CREDS, comment, "8 to 12", "k", base.Progress())

    made = fake.comments[-1]
    found = adapter_.find_reply(CREDS, comment, "8  to 12", "k", base.Progress())
    assert found == base.Published(made["id"], post.url, at(5))
    assert adapter_.find_reply(CREDS, comment, "9 to 12", "k", base.Progress()) is None


def test_hide_unhide_and_delete_are_harmless_twice(
    fake: FakeGraph, clock: Clock, post: PostRef
) -> None:
    spam = fake.add_comment(post.external_id, "Buy followers", LEO, at(1))
    [comment] = fetch(fake, clock, post)
    adapter_ = adapter(fake, clock)

    adapter_.moderate(CREDS, comment, HIDE)
    adapter_.moderate(CREDS, comment, HIDE)
    assert spam["hidden"] is True
    assert fetch(fake, clock, post)[0].hidden is True
    adapter_.moderate(CREDS, comment, UNHIDE)
    assert spam["hidden"] is False
    calls = fake.calls("POST", f"/{comment.external_id}")
    assert [c.params for c in calls] == [{"hide": "true"}] * 2 + [{"hide": "false"}]

    adapter_.moderate(CREDS, comment, DELETE)
    adapter_.moderate(CREDS, comment, DELETE)
    assert fake.comments == []
    assert fetch(fake, clock, post) == []


def test_what_instagram_does_not_allow_is_permanent(fake: FakeGraph, clock: Clock) -> None:
    message = Engagement("m1", MESSAGE, "Hi", NOW, thread_id="t1")
    mention = Engagement("x1", MENTION, "@acmebakery", NOW)

    for target in (message, mention):
        with pytest.raises(base.Permanent):
            adapter(fake, clock).reply(CREDS, target, "Hi", "k", base.Progress())
        for action in (HIDE, UNHIDE, DELETE):
            with pytest.raises(base.Permanent):
                adapter(fake, clock).moderate(CREDS, target, action)
    assert fake.requests == []
