"""The Threads inbox against FakeThreads: replies under the account's posts read
across pages, mentions, answering (a reply container, then threads_publish),
hiding top-level replies and deleting the account's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    HIDE,
    MENTION,
    REPLY,
    UNHIDE,
    Engagement,
    PostRef,
)
from channels.adapters.threads import ThreadsAdapter
from tests.channels.adapters import threads_support
from tests.fakes.graph_wire import buc_header, graph_error
from tests.fakes.threads import FakeThreads

fake, creds, sleeps, adapter = (
    threads_support.fake,
    threads_support.creds,
    threads_support.sleeps,
    threads_support.adapter,
)
FIELDS = "id,text,username,timestamp,permalink,replied_to,root_post,is_reply,hide_status"


@pytest.fixture
def post(fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials) -> str:
    """A post SMO published, as publish() returned its id."""
    published = adapter.publish(creds, base.Content("Fresh bread at 7"), "k", base.Progress())
    fake.requests.clear()
    return published.external_id


def since(fake: FakeThreads, hours: float = 1) -> datetime:
    return fake.now() - timedelta(hours=hours)


def fetch(
    adapter: ThreadsAdapter, creds: base.Credentials, when: datetime, *posts: str
) -> list[Engagement]:
    return list(adapter.fetch_engagement(creds, when, [PostRef(p) for p in posts]))


def by_id(items: list[Engagement]) -> dict[str, Engagement]:
    return {item.external_id: item for item in items}


def test_what_threads_offers_is_declared() -> None:
    support = ThreadsAdapter.engagement
    assert support.fetches == {COMMENT, REPLY, MENTION}
    assert support.replies_to == {COMMENT, REPLY, MENTION}
    assert support.hides == {COMMENT}
    assert support.deletes == {COMMENT, REPLY}
    assert "private messages" in str(support.note)


def test_a_posts_conversation_is_read_across_pages_newest_first(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    fake.page_size = 2
    first = fake.add_reply(post, "mira", "Do you have rye?", ago=timedelta(minutes=50))
    second = fake.add_reply(post, "tom", "See you at 7", ago=timedelta(minutes=40))
    nested = fake.add_reply(first, "olga", "@mira they do on Fridays", ago=timedelta(minutes=30))
    deeper = fake.add_reply(nested, "mira", "Thanks!", ago=timedelta(minutes=20))
    third = fake.add_reply(post, "sam", "Gluten free?", ago=timedelta(minutes=10))

    items = fetch(adapter, creds, since(fake), post)

    assert [(i.external_id, i.kind, i.in_reply_to_id) for i in items] == [
        (third, COMMENT, ""),
        (deeper, REPLY, nested),
        (nested, REPLY, first),
        (second, COMMENT, ""),
        (first, COMMENT, ""),
    ]
    assert {i.parent_post_id for i in items} == {post}
    assert not any(i.own or i.hidden for i in items)
    mira = by_id(items)[first]
    assert (mira.author_handle, mira.text) == ("mira", "Do you have rye?")
    assert mira.url == f"https://www.threads.net/@mira/post/{first}"
    assert mira.created_at == fake.item(first)["published_at"].replace(microsecond=0)
    pages = fake.calls("GET", f"/{post}/conversation")
    assert len(pages) == 3
    assert pages[0].params == {"fields": FIELDS, "limit": "50"}
    assert "after" in pages[1].params and "after" in pages[2].params


def test_a_failure_on_page_two_keeps_page_one_and_the_next_fetch_gets_everything(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    fake.page_size = 2
    ids = [
        fake.add_reply(post, f"user{n}", f"Reply {n}", ago=timedelta(minutes=9 - n))
        for n in range(5)
    ]
    fake.fail_next(500, path="/conversation", after=1)
    got: list[Engagement] = []
    when = since(fake)

    with pytest.raises(base.Transient):
        for item in adapter.fetch_engagement(creds, when, [PostRef(post)]):
            got.append(item)

    assert [i.external_id for i in got] == [ids[4], ids[3]]
    again = fetch(adapter, creds, when, post)
    assert [i.external_id for i in again] == ids[::-1]


def test_replies_older_than_since_are_left_out_and_their_pages_not_read(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    fake.page_size = 2
    for n in range(4):
        fake.add_reply(post, "old", f"Old {n}", ago=timedelta(days=2, minutes=n))
    recent = fake.add_reply(post, "new", "Just now", ago=timedelta(minutes=5))

    items = fetch(adapter, creds, since(fake, hours=24), post)

    assert [i.external_id for i in items] == [recent]
    assert len(fake.calls("GET", f"/{post}/conversation")) == 1  # pages 2 and 3 are older


def test_mentions_are_fetched_since_a_unix_time_and_not_twice(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    mention = fake.add_mention("mira", "Best buns in town @acmebakery", ago=timedelta(minutes=5))
    fake.add_mention("mira", "Old news @acmebakery", ago=timedelta(days=3))
    fake.add_mention("tom", "No tag here", ago=timedelta(minutes=5))
    under_post = fake.add_reply(post, "sam", "@acmebakery open Sunday?", ago=timedelta(minutes=4))
    when = since(fake, hours=24)

    items = fetch(adapter, creds, when, post)

    assert [(i.external_id, i.kind, i.parent_post_id) for i in items] == [
        (under_post, COMMENT, post),
        (mention, MENTION, ""),
    ]
    [call] = fake.calls("GET", f"/{creds.external_id}/mentions")
    assert call.params["since"] == str(int(when.timestamp()))


def test_a_since_before_threads_existed_is_asked_as_its_launch(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    mention = fake.add_mention("mira", "@acmebakery hi", ago=timedelta(days=1))
    items = fetch(adapter, creds, datetime(2020, 1, 1, tzinfo=UTC))
    assert [i.external_id for i in items] == [mention]
    [call] = fake.calls("GET", f"/{creds.external_id}/mentions")
    assert call.params["since"] == "1688540400"


def test_a_token_without_the_mentions_permission_still_gets_replies(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    fake.mentions_allowed = False
    comment = fake.add_reply(post, "mira", "Rye?", ago=timedelta(minutes=5))
    fake.add_mention("tom", "@acmebakery hi", ago=timedelta(minutes=5))

    items = fetch(adapter, creds, since(fake), post)

    assert [i.external_id for i in items] == [comment]
    assert len(fake.calls("GET", f"/{creds.external_id}/mentions")) == 1
    assert len(fake.calls("GET", f"/{creds.external_id}/replies")) == 1  # read all the same


def test_the_accounts_own_replies_are_flagged(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    comment = fake.add_reply(post, "mira", "Rye?", ago=timedelta(minutes=5))
    target = by_id(fetch(adapter, creds, since(fake), post))[comment]
    answer = adapter.reply(creds, target, "Fridays!", "key", base.Progress())

    items = by_id(fetch(adapter, creds, since(fake), post))

    assert items[comment].own is False
    mine = items[answer.external_id]
    assert (mine.own, mine.kind, mine.in_reply_to_id, mine.parent_post_id) == (
        True,
        REPLY,
        comment,
        post,
    )
    assert mine.author_handle == "acmebakery"


def test_a_rate_limit_gives_the_time_meta_names(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    headers = buc_header(creds.external_id, 7)
    fake.fail_next(400, graph_error(4, "(#4) Application request limit reached"), headers)
    before = datetime.now(UTC)

    with pytest.raises(base.RateLimited) as raised:
        fetch(adapter, creds, since(fake), post)

    wait = raised.value.retry_at - before
    assert timedelta(minutes=7) <= wait < timedelta(minutes=7, seconds=5)


def test_a_dead_token_is_auth_expired(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    fake.expire_token(creds.secrets["access_token"])
    with pytest.raises(base.AuthExpired):
        fetch(adapter, creds, since(fake), post)


# --- Answering ---------------------------------------------------------------------


def comment_on(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> Engagement:
    comment = fake.add_reply(post, "mira", "Do you have rye?", ago=timedelta(minutes=5))
    return by_id(fetch(adapter, creds, since(fake), post))[comment]


def test_an_answer_to_a_comment_is_a_reply_container_then_threads_publish(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    target = comment_on(fake, adapter, creds, post)
    fake.requests.clear()
    progress = base.Progress()

    result = adapter.reply(creds, target, "On Fridays 🍞", "key", progress)

    [container] = [c for c in fake.containers if fake.containers[c]["reply_to_id"]]
    user = creds.external_id
    assert [(r.method, r.path, r.params) for r in fake.requests[:4]] == [
        (
            "POST",
            f"/{user}/threads",
            {"text": "On Fridays 🍞", "reply_to_id": target.external_id, "media_type": "TEXT"},
        ),
        ("GET", f"/{container}", {"fields": "status,error_message"}),
        (
            "GET",
            f"/{user}/threads_publishing_limit",
            {"fields": "quota_usage,config,reply_quota_usage,reply_config"},
        ),
        ("POST", f"/{user}/threads_publish", {"creation_id": container}),
    ]
    answer = fake.threads[-1]
    assert result == base.Published(answer["id"], answer["permalink"], result.published_at)
    assert progress.get("container") == {"step": 0, "id": container}
    assert progress.get("post_ids") == [answer["id"]]
    # A retry with the same progress makes nothing new.
    assert adapter.reply(creds, target, "On Fridays 🍞", "key", progress) == result
    assert len(fake.calls("POST", "/threads_publish")) == 1


def test_an_answer_to_a_reply_comes_back_under_it(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    comment = fake.add_reply(post, "mira", "Rye?", ago=timedelta(minutes=6))
    nested = fake.add_reply(comment, "olga", "Asking too", ago=timedelta(minutes=5))
    target = by_id(fetch(adapter, creds, since(fake), post))[nested]

    result = adapter.reply(creds, target, "Fridays, both of you", "key", base.Progress())

    back = by_id(fetch(adapter, creds, since(fake), post))[result.external_id]
    assert (back.own, back.kind, back.in_reply_to_id, back.text) == (
        True,
        REPLY,
        nested,
        "Fridays, both of you",
    )


def test_an_answer_to_a_mention_comes_back_from_the_accounts_replies(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    mention = fake.add_mention("mira", "Lunch at @acmebakery", ago=timedelta(minutes=5))
    [target] = fetch(adapter, creds, since(fake))

    result = adapter.reply(creds, target, "Thanks Mira!", "key", base.Progress())

    items = by_id(fetch(adapter, creds, since(fake)))
    back = items[result.external_id]
    assert (back.own, back.kind, back.in_reply_to_id, back.parent_post_id) == (
        True,
        REPLY,
        mention,
        "",
    )
    assert items[mention].kind == MENTION


def test_a_lost_answer_is_unknown_and_find_reply_finds_the_reply(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    target = comment_on(fake, adapter, creds, post)
    fake.timeout_after_receive("/threads_publish")
    progress = base.Progress()

    with pytest.raises(base.Unknown):
        adapter.reply(creds, target, "Fridays", "key", progress)

    found = adapter.find_reply(creds, target, "Fridays", "key", progress)
    answer = fake.threads[-1]
    assert answer["replied_to"] == {"id": target.external_id}
    assert found is not None
    assert (found.external_id, found.url) == (answer["id"], answer["permalink"])
    assert progress.get("post_ids") == [answer["id"]]


def test_find_reply_says_none_when_the_publish_never_happened_and_reply_resumes(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    target = comment_on(fake, adapter, creds, post)
    fake.fail_next(500, path="/threads_publish")  # code 2: may have happened
    progress = base.Progress()

    with pytest.raises(base.Unknown):
        adapter.reply(creds, target, "Fridays", "key", progress)

    assert adapter.find_reply(creds, target, "Fridays", "key", progress) is None
    result = adapter.reply(creds, target, "Fridays", "key", progress)
    assert len(fake.calls("POST", f"/{creds.external_id}/threads")) == 1  # the same container
    assert [t["id"] for t in fake.threads if t.get("replied_to") == {"id": target.external_id}] == [
        result.external_id
    ]


def test_find_reply_without_a_container_looks_among_the_accounts_replies(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    target = comment_on(fake, adapter, creds, post)
    assert adapter.find_reply(creds, target, "Fridays", "key", base.Progress()) is None
    made = adapter.reply(creds, target, "Fridays", "key", base.Progress())
    found = adapter.find_reply(creds, target, "Fridays", "other-key", base.Progress())
    assert found is not None and found.external_id == made.external_id


# --- Moderating --------------------------------------------------------------------


def test_a_comment_is_hidden_and_unhidden_and_twice_is_harmless(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    target = comment_on(fake, adapter, creds, post)

    adapter.moderate(creds, target, HIDE)
    adapter.moderate(creds, target, HIDE)

    calls = fake.calls("POST", f"/{target.external_id}/manage_reply")
    assert [c.params for c in calls] == [{"hide": "true"}, {"hide": "true"}]
    assert by_id(fetch(adapter, creds, since(fake), post))[target.external_id].hidden is True
    adapter.moderate(creds, target, UNHIDE)
    assert fake.calls("POST", f"/{target.external_id}/manage_reply")[-1].params == {"hide": "false"}
    assert by_id(fetch(adapter, creds, since(fake), post))[target.external_id].hidden is False


def test_nested_replies_mentions_and_own_replies_cannot_be_hidden(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    comment = fake.add_reply(post, "mira", "Rye?", ago=timedelta(minutes=6))
    nested = fake.add_reply(comment, "olga", "Asking too", ago=timedelta(minutes=5))
    fake.add_mention("tom", "@acmebakery hi", ago=timedelta(minutes=5))
    items = fetch(adapter, creds, since(fake), post)
    own = Engagement("1", COMMENT, "x", fake.now(), own=True, parent_post_id=post)
    fake.requests.clear()

    for target in [by_id(items)[nested], next(i for i in items if i.kind == MENTION), own]:
        with pytest.raises(base.Permanent) as refused:
            adapter.moderate(creds, target, HIDE)
        assert refused.value.code == "unsupported"
    assert fake.requests == []


def test_the_accounts_own_reply_is_deleted_and_twice_is_harmless(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    target = comment_on(fake, adapter, creds, post)
    answer = adapter.reply(creds, target, "Fridays", "key", base.Progress())
    mine = by_id(fetch(adapter, creds, since(fake), post))[answer.external_id]

    adapter.moderate(creds, mine, DELETE)
    adapter.moderate(creds, mine, DELETE)

    calls = fake.calls("DELETE", f"/{answer.external_id}")
    assert len(calls) == 2
    assert all(c.query["access_token"] == creds.secrets["access_token"] for c in calls)
    assert fake.deleted == [answer.external_id]
    assert answer.external_id not in by_id(fetch(adapter, creds, since(fake), post))


def test_other_peoples_replies_are_not_deleted_and_unknown_actions_refused(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, post: str
) -> None:
    target = comment_on(fake, adapter, creds, post)
    fake.requests.clear()
    for action in (DELETE, "pin"):
        with pytest.raises(base.Permanent):
            adapter.moderate(creds, target, action)
    assert fake.requests == []
