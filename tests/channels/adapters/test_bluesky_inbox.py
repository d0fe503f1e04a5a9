"""BlueskyAdapter's inbox against FakeBluesky, through atproto: replies, mentions and
quotes from listNotifications (the AppView's method, which a bare PDS cannot
answer: see test_bluesky_pds_inbox.py), the account's own replies from its
repository, answers with a key-derived rkey, hiding replies with a threadgate and
deleting the account's own answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import bluesky_records as records
from channels.adapters.base import (
    AuthExpired,
    Content,
    Permanent,
    Progress,
    RateLimited,
    Transient,
    Unknown,
)
from channels.adapters.bluesky import BlueskyAdapter
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
from tests.fakes.bluesky import FakeBluesky, rate_limited
from tests.fakes.bluesky_contract import ContractCase, contract_case

NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"


@dataclass
class Inbox:
    case: ContractCase
    post: str  # the account's post, as publish returned it
    alice: str
    bob: str

    @property
    def fake(self) -> FakeBluesky:
        return self.case.fake

    @property
    def adapter(self) -> BlueskyAdapter:
        return self.case.adapter

    def fetch(self, since: datetime | None = None) -> list[Engagement]:
        since = since or datetime.now(UTC) - timedelta(days=1)
        return list(self.adapter.fetch_engagement(self.case.creds, since, [PostRef(self.post)]))

    def by_id(self) -> dict[str, Engagement]:
        return {item.external_id: item for item in self.fetch()}


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with contract_case() as case:
        post = case.adapter.publish(case.creds, Content("Buns at 7"), "post", Progress())
        yield Inbox(
            case,
            post.external_id,
            case.fake.add_account("alice.test", display_name="Alice"),
            case.fake.add_account("bob.test", display_name="Bob"),
        )


def seed(inbox: Inbox) -> dict[str, str]:
    fake, me = inbox.fake, inbox.case.did
    comment = fake.add_post(inbox.alice, "Lovely!", reply_to=inbox.post)
    reply = fake.add_post(inbox.bob, "Me too", reply_to=comment["uri"])
    mention = fake.add_post(inbox.bob, "Best buns:", mention=me)
    quote = fake.add_post(inbox.alice, "Go there", quote=inbox.post)
    fake.add_post(inbox.alice, "Unrelated")  # no notification
    return {
        "comment": comment["uri"],
        "reply": reply["uri"],
        "mention": mention["uri"],
        "quote": quote["uri"],
    }


def test_replies_mentions_and_quotes_are_read(inbox: Inbox) -> None:
    ids = seed(inbox)
    found = inbox.by_id()

    assert set(found) == set(ids.values())
    comment = found[ids["comment"]]
    assert (comment.kind, comment.parent_post_id, comment.in_reply_to_id) == (
        COMMENT,
        inbox.post,
        "",
    )
    assert (comment.text, comment.author_name, comment.author_handle, comment.author_id) == (
        "Lovely!",
        "Alice",
        "@alice.test",
        inbox.alice,
    )
    rkey = records.rkey_of(ids["comment"])
    assert comment.url == f"https://bsky.app/profile/alice.test/post/{rkey}"
    post_cid = inbox.fake.records[inbox.post]["cid"]
    assert comment.extra == {
        "cid": inbox.fake.records[ids["comment"]]["cid"],
        "root": {"uri": inbox.post, "cid": post_cid},
    }
    reply = found[ids["reply"]]
    assert (reply.kind, reply.parent_post_id, reply.in_reply_to_id) == (
        REPLY,
        inbox.post,
        ids["comment"],
    )
    assert reply.extra["root"] == {"uri": inbox.post, "cid": post_cid}
    for name in ("mention", "quote"):
        item = found[ids[name]]
        assert (item.kind, item.parent_post_id, item.in_reply_to_id, item.own) == (
            MENTION,
            "",
            "",
            False,
        )
    [asked] = inbox.fake.calls("GET", "app.bsky.notification.listNotifications")
    assert asked.query_lists["reasons"] == ["reply", "mention", "quote"]  # type: ignore[attr-defined]


def test_every_page_is_read_by_cursor(inbox: Inbox) -> None:
    inbox.fake.page_cap = 2
    made = [inbox.fake.add_post(inbox.alice, f"bun {n}", reply_to=inbox.post) for n in range(5)]

    items = inbox.fetch()

    assert [i.external_id for i in items] == [p["uri"] for p in reversed(made)]
    pages = inbox.fake.calls("GET", "app.bsky.notification.listNotifications")
    assert len(pages) == 3
    assert "cursor" not in pages[0].query and pages[1].query["cursor"] and pages[2].query["cursor"]


def test_an_error_on_page_two_keeps_page_one_and_the_next_fetch_gets_all(inbox: Inbox) -> None:
    inbox.fake.page_cap = 2
    made = {inbox.fake.add_post(inbox.alice, f"b{n}", reply_to=inbox.post)["uri"] for n in range(5)}
    since = datetime.now(UTC) - timedelta(hours=1)
    items = inbox.adapter.fetch_engagement(inbox.case.creds, since)
    got = [next(items), next(items)]
    inbox.fake.fail_next(502, {"error": "UpstreamFailure", "message": "x"}, path=NOTIFICATIONS)

    with pytest.raises(Transient):
        got.append(next(items))

    assert len(got) == 2
    assert {i.external_id for i in inbox.fetch(since)} == made


def test_only_items_since_the_last_fetch_are_returned(inbox: Inbox) -> None:
    fake = inbox.fake
    fake.page_cap = 2
    for n in range(4):
        fake.add_post(inbox.alice, f"old {n}", reply_to=inbox.post)
    fake.advance(3600)
    new = fake.add_post(inbox.bob, "new", reply_to=inbox.post)["uri"]
    since = datetime.fromtimestamp(fake.now() - 60, UTC)

    assert [i.external_id for i in inbox.fetch(since)] == [new]
    assert len(fake.calls("GET", "app.bsky.notification.listNotifications")) == 1


def test_answers_to_a_comment_and_a_reply_come_back_as_own(inbox: Inbox) -> None:
    ids = seed(inbox)
    creds, found = inbox.case.creds, inbox.by_id()

    to_comment = inbox.adapter.reply(creds, found[ids["comment"]], "Thanks!", "a1", Progress())
    to_reply = inbox.adapter.reply(creds, found[ids["reply"]], "Glad", "a2", Progress())
    to_mention = inbox.adapter.reply(creds, found[ids["mention"]], "Hi", "a3", Progress())

    record = inbox.fake.records[to_reply.external_id]["value"]
    assert record["reply"]["root"]["uri"] == inbox.post
    parent = record["reply"]["parent"]
    assert (parent["uri"], parent["cid"]) == (ids["reply"], inbox.fake.records[ids["reply"]]["cid"])
    assert records.is_ours(records.rkey_of(to_comment.external_id), "a1", 0)
    again = inbox.by_id()
    mine = again[to_comment.external_id]
    assert (mine.own, mine.kind, mine.parent_post_id, mine.in_reply_to_id) == (
        True,
        REPLY,
        inbox.post,
        ids["comment"],
    )
    assert again[to_reply.external_id].in_reply_to_id == ids["reply"]
    theirs = again[to_mention.external_id]
    assert (theirs.own, theirs.kind, theirs.in_reply_to_id) == (True, MENTION, ids["mention"])
    # The account's own thread parts are not conversation; the post itself is no item.
    assert inbox.post not in again


def test_a_lost_answer_is_unknown_and_find_reply_finds_it_by_its_rkey(inbox: Inbox) -> None:
    ids = seed(inbox)
    creds, comment = inbox.case.creds, inbox.by_id()[ids["comment"]]
    inbox.fake.timeout_after_receive()
    progress = Progress()

    with pytest.raises(Unknown):
        inbox.adapter.reply(creds, comment, "Thanks!", "lost", progress)

    found = inbox.adapter.find_reply(creds, comment, "Thanks!", "lost", progress)
    assert found is not None
    assert records.rkey_of(found.external_id) == progress.get("rkey.0")
    assert inbox.fake.records[found.external_id]["value"]["text"] == "Thanks!"
    # A lost Progress: the key's bits in the rkey still find it among recent posts.
    assert inbox.adapter.find_reply(creds, comment, "Thanks!", "lost", Progress()) == found
    assert inbox.adapter.find_reply(creds, comment, "Thanks!", "never", Progress()) is None
    gone = Progress({"rkey.0": records.mint_rkey("other", 0, datetime.now(UTC))})
    assert inbox.adapter.find_reply(creds, comment, "Thanks!", "other", gone) is None
    # The retry collides on the rkey and settles on the same post.
    again = inbox.adapter.reply(creds, comment, "Thanks!", "lost", progress)
    assert again.external_id == found.external_id


def test_rate_limit_is_rate_limited_until_the_reset(inbox: Inbox) -> None:
    reset = int(datetime.now(UTC).timestamp()) + 900
    limited = rate_limited(reset, "3000;w=300")
    inbox.fake.fail_next(429, limited.body, limited.headers, path=NOTIFICATIONS)
    with pytest.raises(RateLimited) as raised:
        inbox.fetch()
    assert raised.value.retry_at == datetime.fromtimestamp(reset, UTC)


def test_a_revoked_app_password_is_auth_expired(inbox: Inbox) -> None:
    seed(inbox)
    inbox.fake.revoke_app_password(inbox.case.did)
    inbox.fake.expire_access_tokens()
    with pytest.raises(AuthExpired):
        inbox.fetch()
    bad = replace(inbox.case.creds, secrets={**inbox.case.creds.secrets, "access_jwt": "x"})
    with pytest.raises(AuthExpired):
        list(inbox.adapter.fetch_engagement(bad, datetime.now(UTC)))


def test_hiding_a_reply_writes_the_threadgate_and_twice_is_harmless(inbox: Inbox) -> None:
    ids = seed(inbox)
    creds, found = inbox.case.creds, inbox.by_id()
    gate = f"at://{inbox.case.did}/app.bsky.feed.threadgate/{records.rkey_of(inbox.post)}"

    inbox.adapter.moderate(creds, found[ids["comment"]], HIDE)
    inbox.adapter.moderate(creds, found[ids["comment"]], HIDE)
    inbox.adapter.moderate(creds, found[ids["reply"]], HIDE)

    value = inbox.fake.records[gate]["value"]
    assert value["post"] == inbox.post
    assert value["hiddenReplies"] == [ids["comment"], ids["reply"]]
    assert "allow" not in value  # replies stay open to everyone
    assert len(inbox.fake.calls("POST", "com.atproto.repo.putRecord")) == 2
    [first, second] = inbox.fake.calls("POST", "com.atproto.repo.putRecord")
    assert "swapRecord" not in first.body and second.body["swapRecord"]

    inbox.adapter.moderate(creds, found[ids["comment"]], UNHIDE)
    inbox.adapter.moderate(creds, found[ids["comment"]], UNHIDE)
    assert inbox.fake.records[gate]["value"]["hiddenReplies"] == [ids["reply"]]


def test_an_existing_gates_reply_rules_are_kept(inbox: Inbox) -> None:
    ids = seed(inbox)
    rkey = records.rkey_of(inbox.post)
    gate = f"at://{inbox.case.did}/app.bsky.feed.threadgate/{rkey}"
    rules = [{"$type": "app.bsky.feed.threadgate#followingRule"}]
    value = {"$type": "app.bsky.feed.threadgate", "post": inbox.post, "allow": rules}
    inbox.fake.records[gate] = {"uri": gate, "cid": "bafyreigate", "value": {**value}}

    inbox.adapter.moderate(inbox.case.creds, inbox.by_id()[ids["reply"]], HIDE)

    kept = inbox.fake.records[gate]["value"]
    assert (kept["allow"], kept["hiddenReplies"]) == (rules, [ids["reply"]])


def test_own_answers_can_be_deleted_twice_and_others_not(inbox: Inbox) -> None:
    ids = seed(inbox)
    creds, found = inbox.case.creds, inbox.by_id()
    answer = inbox.adapter.reply(creds, found[ids["comment"]], "Thanks", "k", Progress())
    mine = inbox.by_id()[answer.external_id]

    inbox.adapter.moderate(creds, mine, DELETE)
    inbox.adapter.moderate(creds, mine, DELETE)

    assert answer.external_id not in inbox.fake.records
    assert len(inbox.fake.calls("POST", "com.atproto.repo.deleteRecord")) == 2
    with pytest.raises(Permanent) as refused:
        inbox.adapter.moderate(creds, found[ids["comment"]], DELETE)
    assert refused.value.code == "unsupported"
    with pytest.raises(Permanent) as refused:
        inbox.adapter.moderate(creds, found[ids["mention"]], HIDE)  # not under our post
    assert refused.value.code == "unsupported"
    assert ids["comment"] in inbox.fake.records


def test_what_the_network_allows_is_said() -> None:
    support = BlueskyAdapter.engagement
    assert support.fetches == {COMMENT, REPLY, MENTION}
    assert MESSAGE not in support.replies_to
    assert support.hides == {COMMENT, REPLY}
    assert "chat" in str(support.note)


def test_hidden_replies_come_back_hidden_with_one_read_per_thread(inbox: Inbox) -> None:
    ids = seed(inbox)
    creds = inbox.case.creds
    inbox.adapter.moderate(creds, inbox.by_id()[ids["reply"]], HIDE)
    before = len(inbox.fake.calls("GET", "com.atproto.repo.getRecord"))

    found = inbox.by_id()

    assert {k for k, v in found.items() if v.hidden} == {ids["reply"]}
    assert len(inbox.fake.calls("GET", "com.atproto.repo.getRecord")) == before + 1
