"""X's inbox through tweepy against FakeX: mentions, replies, DMs, hiding and deleting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

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
from channels.adapters.x import XAdapter
from tests.fakes.x import USER_ID, ContractCase, contract_case

ALICE, BOB, CAROL = "1001", "1002", "1003"
ME_PATH = f"/2/users/{USER_ID}/mentions"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(timeout=0.5, inbox_page_size=5) as case:
        case.fake.page_size = 2
        case.fake.add_user(ALICE, "alice", "Alice")
        case.fake.add_user(BOB, "bob", "Bob")
        case.fake.add_user(CAROL, "carol", "Carol")
        yield case
    assert case.fake.contract_violations == []


def since() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


def fetch(case: ContractCase, posts: tuple[str, ...] = ()) -> list[Engagement]:
    refs = [PostRef(p) for p in posts]
    return list(case.adapter.fetch_engagement(case.creds, since(), refs))


def by_id(items: list[Engagement]) -> dict[str, Engagement]:
    return {i.external_id: i for i in items}


def seed(case: ContractCase) -> dict[str, str]:
    """The account's post with two comments, a reply under one, a mention elsewhere."""
    fake = case.fake
    ids = {"post": fake.add_tweet(USER_ID, "Our news")}
    ids["alice"] = fake.add_tweet(ALICE, "Great news!", reply_to=ids["post"])
    ids["bob"] = fake.add_tweet(BOB, "Tell me more", reply_to=ids["post"])
    ids["carol"] = fake.add_tweet(CAROL, "Agreed with Alice", reply_to=ids["alice"])
    elsewhere = fake.add_tweet(CAROL, "Lunch today")
    ids["mention"] = fake.add_tweet(ALICE, "Ask @acme about it", reply_to=elsewhere)
    return ids


def test_x_declares_what_its_inbox_does() -> None:
    support = XAdapter.engagement
    assert support.fetches == {COMMENT, REPLY, MENTION, MESSAGE}
    assert support.replies_to == {COMMENT, REPLY, MENTION, MESSAGE}
    assert support.hides == {COMMENT, REPLY}
    assert support.deletes == {COMMENT, REPLY, MENTION}
    assert support.interval == timedelta(minutes=15)
    assert "own posts" in str(support.note)


def test_mentions_are_read_to_the_last_page_and_told_apart(case: ContractCase) -> None:
    ids = seed(case)

    items = by_id(fetch(case, (ids["post"],)))

    assert set(items) == {ids["alice"], ids["bob"], ids["carol"], ids["mention"]}
    alice = items[ids["alice"]]
    assert (alice.kind, alice.parent_post_id, alice.in_reply_to_id) == (COMMENT, ids["post"], "")
    assert alice.text == "@acme Great news!"
    assert (alice.author_id, alice.author_handle, alice.author_name) == (ALICE, "alice", "Alice")
    assert alice.url == f"https://x.com/alice/status/{ids['alice']}"
    assert alice.own is False
    carol = items[ids["carol"]]
    assert (carol.kind, carol.parent_post_id, carol.in_reply_to_id) == (
        REPLY,
        ids["post"],
        ids["alice"],
    )
    mention = items[ids["mention"]]
    assert (mention.kind, mention.parent_post_id) == (MENTION, "")
    pages = case.fake.calls("GET", ME_PATH)
    assert len(pages) == 2  # four mentions, two a page
    assert pages[0].query == {
        "start_time": pages[0].query["start_time"],
        "max_results": "5",
        "tweet.fields": "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,author_id",
        "expansions": "author_id",
        "user.fields": "username,name",
    }
    assert pages[1].query["pagination_token"] == "0000000000000002"


def test_a_post_not_given_makes_its_replies_mentions(case: ContractCase) -> None:
    ids = seed(case)
    items = by_id(fetch(case))
    assert {i.kind for i in items.values()} == {MENTION}
    assert items[ids["carol"]].in_reply_to_id == ids["alice"]


def test_only_items_since_the_given_time_are_asked_for_and_returned(case: ContractCase) -> None:
    ids = seed(case)
    case.fake.advance(30 * 60)
    late = case.fake.add_tweet(BOB, "Still here?", reply_to=ids["post"])
    newer = datetime.now(UTC) + timedelta(minutes=20)

    items = list(case.adapter.fetch_engagement(case.creds, newer, [PostRef(ids["post"])]))

    assert [i.external_id for i in items] == [late]
    [call] = case.fake.calls("GET", ME_PATH)
    assert call.query["start_time"] == newer.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_error_on_page_two_keeps_page_one_and_the_next_fetch_has_all(
    case: ContractCase,
) -> None:
    ids = seed(case)
    stream = case.adapter.fetch_engagement(case.creds, since(), [PostRef(ids["post"])])
    first = [next(stream), next(stream)]
    case.fake.fail_next(503, path=ME_PATH)

    with pytest.raises(base.Transient):
        next(stream)

    assert [i.external_id for i in first] == [ids["mention"], ids["carol"]]
    again = fetch(case, (ids["post"],))
    assert {i.external_id for i in again} == {
        ids["alice"],
        ids["bob"],
        ids["carol"],
        ids["mention"],
    }


def test_a_rate_limit_waits_for_x_s_reset(case: ContractCase) -> None:
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=9)
    case.fake.fail_next(429, headers={"x-rate-limit-reset": str(int(reset.timestamp()))})
    with pytest.raises(base.RateLimited) as raised:
        fetch(case)
    assert raised.value.retry_at == reset


def test_a_dead_token_needs_a_reconnect(case: ContractCase) -> None:
    creds = base.Credentials(USER_ID, "acme", {"access_token": "xat-revoked"})
    with pytest.raises(base.AuthExpired):
        list(case.adapter.fetch_engagement(creds, since()))


def test_the_account_s_answers_come_back_as_its_own(case: ContractCase) -> None:
    ids = seed(case)
    items = by_id(fetch(case, (ids["post"],)))

    answer = case.adapter.reply(case.creds, items[ids["alice"]], "Thanks!", "k1", base.Progress())
    deeper = case.adapter.reply(case.creds, items[ids["carol"]], "Indeed", "k2", base.Progress())

    assert case.fake.calls("POST", "/2/tweets")[0].body == {
        "text": "Thanks!",
        "reply": {"in_reply_to_tweet_id": ids["alice"]},
    }
    assert answer.url == f"https://x.com/acme/status/{answer.external_id}"
    again = by_id(fetch(case, (ids["post"],)))
    mine = again[answer.external_id]
    assert (mine.own, mine.kind, mine.in_reply_to_id) == (True, REPLY, ids["alice"])
    assert mine.text == "@alice Thanks!"
    assert mine.author_handle == "acme"
    other = again[deeper.external_id]
    assert (other.own, other.in_reply_to_id, other.parent_post_id) == (
        True,
        ids["carol"],
        ids["post"],
    )


def test_direct_messages_are_read_and_answered(case: ContractCase) -> None:
    first = case.fake.add_dm(ALICE, USER_ID, "Hi there")
    case.fake.add_dm(BOB, USER_ID, "Hello from Bob")
    last = case.fake.add_dm(ALICE, USER_ID, "Are you open & ready?")
    case.fake.add_dm(ALICE, BOB, "Not for acme")

    items = by_id(fetch(case))

    assert set(items) == {first, last, *(e["id"] for e in case.fake.dms[1:2])}
    message = items[last]
    assert (message.kind, message.thread_id, message.text) == (
        MESSAGE,
        f"{USER_ID}-{ALICE}" if int(USER_ID) < int(ALICE) else f"{ALICE}-{USER_ID}",
        "Are you open & ready?",
    )
    assert (message.author_handle, message.own, message.parent_post_id) == ("alice", False, "")
    assert len(case.fake.calls("GET", "/2/dm_events")) == 2

    answer = case.adapter.reply(case.creds, message, "Yes!", "k1", base.Progress())

    [sent] = case.fake.calls("POST", f"/2/dm_conversations/{message.thread_id}/messages")
    assert sent.body == {"text": "Yes!"}
    mine = by_id(fetch(case))[answer.external_id]
    assert (mine.own, mine.kind, mine.in_reply_to_id, mine.thread_id) == (
        True,
        MESSAGE,
        last,
        message.thread_id,
    )


def test_an_account_without_dm_access_still_gets_its_mentions(case: ContractCase) -> None:
    ids = seed(case)
    case.fake.add_dm(ALICE, USER_ID, "Hi")
    scopes = ("tweet.read", "tweet.write", "users.read", "offline.access")
    creds = base.Credentials(
        USER_ID, "acme", {"access_token": case.fake.issue_token(USER_ID, scopes=scopes)}
    )

    items = list(case.adapter.fetch_engagement(creds, since(), [PostRef(ids["post"])]))

    assert {i.kind for i in items} == {COMMENT, REPLY, MENTION}
    [refused] = case.fake.calls("GET", "/2/dm_events")
    assert refused.headers["authorization"].endswith(creds.secrets["access_token"])


def test_messages_older_than_since_stop_the_paging(case: ContractCase) -> None:
    for n in range(5):
        case.fake.add_dm(ALICE, USER_ID, f"Old {n}")
    case.fake.advance(30 * 60)
    new = case.fake.add_dm(ALICE, USER_ID, "New")
    newer = datetime.now(UTC) + timedelta(minutes=20)
    items = list(case.adapter.fetch_engagement(case.creds, newer))
    assert [i.external_id for i in items] == [new]
    assert len(case.fake.calls("GET", "/2/dm_events")) == 1


def test_a_lost_answer_is_unknown_then_found(case: ContractCase) -> None:
    ids = seed(case)
    comment = by_id(fetch(case, (ids["post"],)))[ids["bob"]]
    assert (
        case.adapter.find_reply(case.creds, comment, "More & soon", "k1", base.Progress()) is None
    )
    case.fake.timeout_after_receive("/2/tweets")

    with pytest.raises(base.Unknown):
        case.adapter.reply(case.creds, comment, "More & soon", "k1", base.Progress())

    case.fake.requests.clear()
    found = case.adapter.find_reply(case.creds, comment, "More & soon", "k1", base.Progress())
    assert found is not None
    assert found.external_id == case.fake.tweets[-1]["id"]
    # Only the account's own timeline is read for it.
    assert {r.path for r in case.fake.requests} == {f"/2/users/{USER_ID}/tweets"}
    assert len(case.fake.calls("POST", "/2/tweets")) == 0


def test_a_lost_direct_message_is_found(case: ContractCase) -> None:
    case.fake.add_dm(ALICE, USER_ID, "Hi")
    [message] = fetch(case)
    path = f"/2/dm_conversations/{message.thread_id}/messages"
    assert case.adapter.find_reply(case.creds, message, "Hello", "k1", base.Progress()) is None
    case.fake.timeout_after_receive(path)

    with pytest.raises(base.Unknown):
        case.adapter.reply(case.creds, message, "Hello", "k1", base.Progress())

    found = case.adapter.find_reply(case.creds, message, "Hello", "k1", base.Progress())
    assert found is not None
    assert found.external_id == case.fake.dms[-1]["id"]


def test_a_recorded_answer_is_not_sent_again(case: ContractCase) -> None:
    ids = seed(case)
    comment = by_id(fetch(case, (ids["post"],)))[ids["bob"]]
    progress = base.Progress()
    first = case.adapter.reply(case.creds, comment, "Once", "k1", progress)
    again = case.adapter.reply(case.creds, comment, "Once", "k1", progress)
    assert again == first
    assert len(case.fake.calls("POST", "/2/tweets")) == 1


def test_a_reply_under_the_account_s_post_is_hidden_and_shown_again(case: ContractCase) -> None:
    ids = seed(case)
    comment = by_id(fetch(case, (ids["post"],)))[ids["carol"]]
    hidden = next(t for t in case.fake.tweets if t["id"] == ids["carol"])

    case.adapter.moderate(case.creds, comment, HIDE)
    case.adapter.moderate(case.creds, comment, HIDE)
    assert hidden["hidden"] is True
    case.adapter.moderate(case.creds, comment, UNHIDE)
    case.adapter.moderate(case.creds, comment, UNHIDE)

    assert hidden["hidden"] is False
    calls = case.fake.calls("PUT", f"/2/tweets/{ids['carol']}/hidden")
    assert [c.body for c in calls] == [{"hidden": True}] * 2 + [{"hidden": False}] * 2


def test_the_account_deletes_only_its_own_posts(case: ContractCase) -> None:
    ids = seed(case)
    comment = by_id(fetch(case, (ids["post"],)))[ids["alice"]]
    answer = case.adapter.reply(case.creds, comment, "Thanks", "k1", base.Progress())
    mine = by_id(fetch(case, (ids["post"],)))[answer.external_id]

    case.adapter.moderate(case.creds, mine, DELETE)
    case.adapter.moderate(case.creds, mine, DELETE)  # gone already: fine

    assert answer.external_id not in {t["id"] for t in case.fake.tweets}
    assert len(case.fake.calls("DELETE", f"/2/tweets/{answer.external_id}")) == 2
    with pytest.raises(base.Permanent) as raised:
        case.adapter.moderate(case.creds, comment, DELETE)
    assert raised.value.code == "unsupported"


def test_what_x_does_not_allow_is_refused_before_asking(case: ContractCase) -> None:
    ids = seed(case)
    items = by_id(fetch(case, (ids["post"],)))
    case.fake.add_dm(ALICE, USER_ID, "Hi")
    [message] = [i for i in fetch(case) if i.kind == MESSAGE]
    before = len(case.fake.requests)
    for target, action in [
        (items[ids["mention"]], HIDE),
        (message, HIDE),
        (message, DELETE),
        (items[ids["alice"]], "pin"),
    ]:
        with pytest.raises(base.Permanent) as raised:
            case.adapter.moderate(case.creds, target, action)
        assert raised.value.code == "unsupported"
    assert len(case.fake.requests) == before
