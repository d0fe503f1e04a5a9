"""MastodonAdapter's inbox against FakeMastodon, through Mastodon.py: mention
notifications page by page, comments and replies placed under the account's post,
direct messages, the account's own answers, answering with an Idempotency-Key,
and deleting the account's own answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters.base import (
    AuthExpired,
    Content,
    Permanent,
    Progress,
    RateLimited,
    Transient,
    Unknown,
)
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
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.mastodon_contract import ContractCase, contract_case


@dataclass
class Inbox:
    case: ContractCase
    post: str  # the account's post, as publish returned it
    alice: str
    bob: str
    carol: str

    @property
    def fake(self) -> FakeMastodon:
        return self.case.fake

    def fetch(self, since: datetime | None = None) -> list[Engagement]:
        since = since or datetime.now(UTC) - timedelta(days=1)
        return list(
            self.case.adapter.fetch_engagement(self.case.creds, since, [PostRef(self.post)])
        )

    def by_id(self) -> dict[str, Engagement]:
        return {item.external_id: item for item in self.fetch()}


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with contract_case() as case:
        post = case.publish(Content("Cardamom buns at 7"), key="post").external_id
        fake = case.fake
        yield Inbox(
            case,
            post,
            fake.add_account("alice", "Alice"),
            fake.add_account("bob", "Bob"),
            fake.add_account("carol", "Carol"),
        )


def seed_conversation(inbox: Inbox) -> dict[str, str]:
    fake = inbox.fake
    comment = fake.say(inbox.alice, "@acmebakery Lovely, saving two!", inbox.post)
    reply = fake.say(inbox.bob, "@alice @acmebakery me too", comment["id"])
    mention = fake.say(inbox.carol, "Best buns in town: @acmebakery")
    message = fake.say(inbox.carol, "@acmebakery are you open Sunday?", visibility="direct")
    return {
        "comment": comment["id"],
        "reply": reply["id"],
        "mention": mention["id"],
        "message": message["id"],
    }


def test_mentions_become_comments_replies_mentions_and_messages(inbox: Inbox) -> None:
    ids = seed_conversation(inbox)
    found = inbox.by_id()

    assert set(found) == set(ids.values())
    comment = found[ids["comment"]]
    assert (comment.kind, comment.parent_post_id, comment.in_reply_to_id) == (
        COMMENT,
        inbox.post,
        "",
    )
    assert comment.text == "@acmebakery Lovely, saving two!"
    assert (comment.author_name, comment.author_handle, comment.author_id) == (
        "Alice",
        "@alice",
        inbox.alice,
    )
    assert comment.url == f"https://mastodon.example/@alice/{ids['comment']}"
    assert comment.own is False
    reply = found[ids["reply"]]
    assert (reply.kind, reply.parent_post_id, reply.in_reply_to_id) == (
        REPLY,
        inbox.post,
        ids["comment"],
    )
    mention = found[ids["mention"]]
    assert (mention.kind, mention.parent_post_id, mention.in_reply_to_id) == (MENTION, "", "")
    message = found[ids["message"]]
    assert (message.kind, message.parent_post_id, message.thread_id) == (
        MESSAGE,
        "",
        ids["message"],
    )
    assert message.extra == {"visibility": "direct"}
    [asked] = inbox.fake.calls("GET", "/api/v1/notifications")
    assert asked.query["types[]"] == "mention"


def test_a_reply_deep_in_a_thread_finds_its_root_with_one_context_call(inbox: Inbox) -> None:
    fake = inbox.fake
    # The comment is older than the fetch's window: only the reply below it is new.
    comment = fake.say(inbox.alice, "@acmebakery Lovely", inbox.post)
    fake.advance(7200)
    first = fake.say(inbox.bob, "@alice @acmebakery agreed", comment["id"])
    second = fake.say(inbox.alice, "@bob @acmebakery right?", first["id"])
    since = datetime.fromtimestamp(fake.now() - 600, UTC)

    found = {i.external_id: i for i in inbox.fetch(since)}

    assert set(found) == {first["id"], second["id"]}
    assert {i.parent_post_id for i in found.values()} == {inbox.post}
    assert found[second["id"]].in_reply_to_id == first["id"]
    # The newest is met first; its ancestors place the other without a second call.
    assert len(fake.calls("GET", f"/api/v1/statuses/{second['id']}/context")) == 1
    assert fake.calls("GET", f"/api/v1/statuses/{first['id']}/context") == []


def test_a_reply_to_someone_elses_thread_is_a_mention(inbox: Inbox) -> None:
    fake = inbox.fake
    theirs = fake.say(inbox.carol, "Who bakes the best buns?")
    answer = fake.say(inbox.alice, "@carol @acmebakery of course", theirs["id"])
    [item] = inbox.fetch()
    assert (item.external_id, item.kind, item.parent_post_id, item.in_reply_to_id) == (
        answer["id"],
        MENTION,
        "",
        theirs["id"],
    )


def test_every_page_is_read_and_each_is_yielded_as_it_comes(inbox: Inbox) -> None:
    fake = inbox.fake
    fake.page_cap = 2
    made = [fake.say(inbox.alice, f"@acmebakery bun {n}", inbox.post)["id"] for n in range(5)]

    items = inbox.fetch()

    assert [i.external_id for i in items] == list(reversed(made))
    pages = fake.calls("GET", "/api/v1/notifications")
    assert len(pages) == 3
    assert pages[1].query["max_id"] and pages[2].query["max_id"]


def test_an_error_on_page_two_keeps_page_one_and_the_next_fetch_gets_all(inbox: Inbox) -> None:
    fake = inbox.fake
    fake.page_cap = 2
    made = {fake.say(inbox.alice, f"@acmebakery bun {n}", inbox.post)["id"] for n in range(5)}
    since = datetime.now(UTC) - timedelta(hours=1)
    items = inbox.case.adapter.fetch_engagement(inbox.case.creds, since, [PostRef(inbox.post)])
    got = [next(items), next(items)]
    fake.fail_next(503, path="/api/v1/notifications")

    with pytest.raises(Transient):
        got.append(next(items))

    assert len(got) == 2
    again = {i.external_id for i in inbox.fetch(since)}
    assert again == made


def test_only_items_since_the_last_fetch_are_returned(inbox: Inbox) -> None:
    fake = inbox.fake
    fake.page_cap = 2
    old = [fake.say(inbox.alice, f"@acmebakery old {n}", inbox.post)["id"] for n in range(4)]
    fake.advance(3600)
    new = fake.say(inbox.bob, "@acmebakery new", inbox.post)["id"]
    since = datetime.fromtimestamp(fake.now() - 60, UTC)

    assert [i.external_id for i in inbox.fetch(since)] == [new]
    # Paging stopped at the first page reaching past `since`.
    assert len(fake.calls("GET", "/api/v1/notifications")) == 1
    assert old


def test_the_accounts_own_answers_come_back_flagged_own(inbox: Inbox) -> None:
    ids = seed_conversation(inbox)
    adapter, creds = inbox.case.adapter, inbox.case.creds
    comment = inbox.by_id()[ids["comment"]]

    answer = adapter.reply(creds, comment, "Thank you!", "answer-1", Progress())

    [sent] = inbox.fake.calls("POST", "/api/v1/statuses")[1:]
    assert sent.headers["idempotency-key"] == "answer-1"
    assert sent.params()["in_reply_to_id"] == ids["comment"]
    assert sent.params()["status"] == "@alice Thank you!"
    assert sent.params()["visibility"] == "public"
    mine = inbox.by_id()[answer.external_id]
    assert mine.own is True
    assert (mine.kind, mine.parent_post_id, mine.in_reply_to_id) == (
        REPLY,
        inbox.post,
        ids["comment"],
    )
    assert answer.url == mine.url
    # Own statuses that continue the account's own thread are no conversation.
    assert inbox.post not in inbox.by_id()


def test_answering_a_reply_and_a_message(inbox: Inbox) -> None:
    ids = seed_conversation(inbox)
    adapter, creds = inbox.case.adapter, inbox.case.creds
    found = inbox.by_id()

    to_reply = adapter.reply(creds, found[ids["reply"]], "Glad!", "a-reply", Progress())
    to_message = adapter.reply(creds, found[ids["message"]], "Yes, 9 to 3.", "a-dm", Progress())

    posted = {s["id"]: s for s in inbox.fake.posted()}
    assert posted[to_reply.external_id]["text"] == "@bob Glad!"
    assert posted[to_message.external_id]["visibility"] == "direct"
    assert posted[to_message.external_id]["text"] == "@carol Yes, 9 to 3."
    again = inbox.by_id()
    assert again[to_reply.external_id].in_reply_to_id == ids["reply"]
    dm = again[to_message.external_id]
    assert (dm.kind, dm.own, dm.in_reply_to_id, dm.thread_id) == (
        MESSAGE,
        True,
        ids["message"],
        ids["message"],
    )


def test_a_repeated_answer_with_the_same_key_is_the_same_status(inbox: Inbox) -> None:
    ids = seed_conversation(inbox)
    adapter, creds = inbox.case.adapter, inbox.case.creds
    comment = inbox.by_id()[ids["comment"]]
    first = adapter.reply(creds, comment, "Thanks", "same-key", Progress())
    second = adapter.reply(creds, comment, "Thanks", "same-key", Progress())
    assert first.external_id == second.external_id
    assert len(inbox.fake.posted()) == 1 + 4 + 1


def test_a_lost_answer_is_unknown_and_find_reply_finds_it(inbox: Inbox) -> None:
    ids = seed_conversation(inbox)
    adapter, creds = inbox.case.adapter, inbox.case.creds
    comment = inbox.by_id()[ids["comment"]]
    inbox.fake.timeout_after_receive("/api/v1/statuses")
    progress = Progress()

    with pytest.raises(Unknown):
        adapter.reply(creds, comment, "Thanks  so much", "lost", progress)

    found = adapter.find_reply(creds, comment, "Thanks so much", "lost", Progress())
    assert found is not None
    made = inbox.fake.statuses[found.external_id]
    assert (made["text"], made["in_reply_to_id"]) == ("@alice Thanks  so much", ids["comment"])
    assert adapter.find_reply(creds, comment, "Something else", "other", Progress()) is None
    reply = inbox.by_id()[ids["reply"]]
    assert adapter.find_reply(creds, reply, "Thanks so much", "lost", Progress()) is None


def test_rate_limit_is_rate_limited_until_the_reset(inbox: Inbox) -> None:
    fake = inbox.fake
    seed_conversation(inbox)
    fake.rate_limit = len(fake.requests)  # the window is spent (every request counted)
    with pytest.raises(RateLimited) as limited:
        inbox.fetch()
    start, _ = fake._windows[fake.tokens[inbox.case.creds.secrets["access_token"]]]
    reset = datetime.fromtimestamp(start + 300, UTC)
    assert abs((limited.value.retry_at - reset).total_seconds()) < 2


def test_a_bad_token_is_auth_expired(inbox: Inbox) -> None:
    seed_conversation(inbox)
    creds = inbox.case.creds
    bad = replace(creds, secrets={"access_token": "revoked"})
    with pytest.raises(AuthExpired):
        list(inbox.case.adapter.fetch_engagement(bad, datetime.now(UTC) - timedelta(hours=1)))


def test_own_answers_can_be_deleted_twice_and_nothing_else(inbox: Inbox) -> None:
    ids = seed_conversation(inbox)
    adapter, creds = inbox.case.adapter, inbox.case.creds
    found = inbox.by_id()
    answer = adapter.reply(creds, found[ids["comment"]], "Thanks", "k", Progress())
    mine = inbox.by_id()[answer.external_id]

    adapter.moderate(creds, mine, DELETE)
    adapter.moderate(creds, mine, DELETE)

    assert answer.external_id not in inbox.fake.statuses
    assert len(inbox.fake.calls("DELETE", f"/api/v1/statuses/{answer.external_id}")) == 2
    for action in (HIDE, UNHIDE, DELETE):
        with pytest.raises(Permanent) as refused:
            adapter.moderate(creds, found[ids["comment"]], action)
        assert refused.value.code == "unsupported"
    assert ids["comment"] in inbox.fake.statuses


def test_what_the_network_allows_is_said() -> None:
    from channels.adapters.mastodon import MastodonAdapter

    support = MastodonAdapter.engagement
    assert support.fetches == {COMMENT, REPLY, MENTION, MESSAGE}
    assert support.replies_to == support.fetches
    assert support.hides == frozenset()
    assert "hide" in str(support.note)


def test_a_status_deleted_before_its_context_is_read_loses_nothing_else(inbox: Inbox) -> None:
    fake = inbox.fake
    comment = fake.say(inbox.alice, "@acmebakery Lovely", inbox.post)
    fake.advance(7200)
    reply = fake.say(inbox.bob, "@alice @acmebakery agreed", comment["id"])
    other = fake.say(inbox.carol, "@acmebakery hello")
    fake.fail_next(404, path=f"/api/v1/statuses/{reply['id']}/context")
    since = datetime.fromtimestamp(fake.now() - 600, UTC)

    found = {i.external_id: i for i in inbox.fetch(since)}

    assert set(found) == {reply["id"], other["id"]}
    assert (found[reply["id"]].kind, found[reply["id"]].in_reply_to_id) == (MENTION, comment["id"])
