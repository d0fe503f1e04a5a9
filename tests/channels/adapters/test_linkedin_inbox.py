"""The LinkedIn inbox against FakeLinkedIn: a Page's post comments and their replies
read across pages, answering as the Page, deleting the Page's own comments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from channels.adapters import base
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    HIDE,
    REPLY,
    Engagement,
    PostRef,
)
from channels.adapters.linkedin import LinkedInAdapter
from tests.fakes.linkedin_contract import ContractCase, contract_case

HOUR = 3600.0


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


@pytest.fixture
def post(case: ContractCase) -> str:
    return case.fake.add_post(case.page, "Cardamom buns are back")


def person(case: ContractCase) -> str:
    return f"urn:li:person:{case.fake.add_member('Mira Holm')}"


def fetch(case: ContractCase, *posts: str, hours: float = 1.0) -> list[Engagement]:
    since = datetime.now(UTC) - timedelta(hours=hours)
    return list(case.adapter.fetch_engagement(case.creds, since, [PostRef(p) for p in posts]))


def by_id(items: list[Engagement]) -> dict[str, Engagement]:
    return {i.external_id: i for i in items}


def comments_path(urn: str) -> str:
    return f"/rest/socialActions/{urn}/comments"


def test_what_linkedin_offers_is_declared() -> None:
    support = LinkedInAdapter.engagement
    assert support.fetches == {COMMENT, REPLY}
    assert support.replies_to == {COMMENT, REPLY}
    assert support.hides == frozenset()
    assert support.deletes == {COMMENT, REPLY}
    assert support.interval == timedelta(minutes=30)
    assert "no hiding" in str(support.note)


def test_comments_and_their_replies_are_read_across_pages(case: ContractCase, post: str) -> None:
    case.fake.comment_page_size = 2
    mira = person(case)
    first = case.fake.add_comment(post, mira, "Gluten free?", ago=600)
    replies = [
        case.fake.add_comment(post, mira, f"Reply {n}", ago=500 - n, parent=first) for n in range(3)
    ]
    second = case.fake.add_comment(post, mira, "Open Sunday?", ago=400)
    third = case.fake.add_comment(post, mira, "Yum", ago=300)

    items = fetch(case, post)

    assert [(i.external_id, i.kind, i.in_reply_to_id) for i in items] == [
        (first, COMMENT, ""),
        *[(r, REPLY, first) for r in replies],
        (second, COMMENT, ""),
        (third, COMMENT, ""),
    ]
    assert {i.parent_post_id for i in items} == {post}
    top = by_id(items)[first]
    assert (top.text, top.author_id, top.own) == ("Gluten free?", mira, False)
    assert top.url == (
        f"https://www.linkedin.com/feed/update/{post}/?commentUrn={quote(first, safe='')}"
    )
    assert abs(top.created_at - (datetime.now(UTC) - timedelta(seconds=600))) < timedelta(seconds=5)
    pages = case.fake.calls("GET", comments_path(post))
    assert [(p.query["start"], p.query["count"]) for p in pages] == [("0", "50"), ("2", "2")]
    assert all(p.headers["linkedin-version"] == "202610" for p in pages)
    assert all(p.headers["x-restli-protocol-version"] == "2.0.0" for p in pages)
    assert len(case.fake.calls("GET", comments_path(first))) == 2
    # Comments without replies are not asked for any.
    assert case.fake.calls("GET", comments_path(second)) == []


def test_a_failure_on_page_two_keeps_page_one_and_the_next_fetch_gets_everything(
    case: ContractCase, post: str
) -> None:
    case.fake.comment_page_size = 2
    mira = person(case)
    urns = [case.fake.add_comment(post, mira, f"Comment {n}", ago=100 - n) for n in range(5)]
    case.fake.fail_next(500, path=comments_path(post), after=1)
    since = datetime.now(UTC) - timedelta(hours=1)
    got: list[Engagement] = []

    with pytest.raises(base.Transient):
        for item in case.adapter.fetch_engagement(case.creds, since, [PostRef(post)]):
            got.append(item)

    assert [i.external_id for i in got] == urns[:2]
    again = case.adapter.fetch_engagement(case.creds, since, [PostRef(post)])
    assert [i.external_id for i in again] == urns


def test_since_leaves_old_comments_out_but_not_new_replies_to_them(
    case: ContractCase, post: str
) -> None:
    mira = person(case)
    old = case.fake.add_comment(post, mira, "Last week", ago=7 * 24 * HOUR)
    new_reply = case.fake.add_comment(post, mira, "Still true", ago=60, parent=old)
    case.fake.add_comment(post, mira, "Old reply", ago=6 * 24 * HOUR, parent=old)

    items = fetch(case, post)

    assert [(i.external_id, i.kind) for i in items] == [(new_reply, REPLY)]


def test_the_pages_own_comments_are_flagged(case: ContractCase, post: str) -> None:
    mine = case.fake.add_comment(post, case.page, "Thanks all!", ago=60)
    theirs = case.fake.add_comment(post, person(case), "Yum", ago=30)

    items = by_id(fetch(case, post))

    assert (items[mine].own, items[mine].author_id) == (True, case.page)
    assert items[theirs].own is False


def test_a_rate_limit_waits_for_linkedins_midnight_reset(case: ContractCase, post: str) -> None:
    case.fake.fail_next(429, path=comments_path(post))
    with pytest.raises(base.RateLimited) as raised:
        fetch(case, post)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert raised.value.retry_at == today + timedelta(days=1)


def test_a_revoked_token_is_auth_expired(case: ContractCase, post: str) -> None:
    case.fake.revoke_token(case.creds.secrets["access_token"])
    with pytest.raises(base.AuthExpired):
        fetch(case, post)


def test_a_member_account_fetches_nothing(case: ContractCase) -> None:
    creds = case.person()
    member_post = case.fake.add_post(creds.external_id, "Hello network")
    case.fake.add_comment(member_post, person(case), "Congrats", ago=60)
    case.fake.requests.clear()

    items = case.adapter.fetch_engagement(
        creds, datetime.now(UTC) - timedelta(hours=1), [PostRef(member_post)]
    )

    assert list(items) == []
    assert case.fake.requests == []


# --- Answering ---------------------------------------------------------------------


def a_comment(case: ContractCase, post: str) -> Engagement:
    urn = case.fake.add_comment(post, person(case), "Gluten free?", ago=120)
    return by_id(fetch(case, post))[urn]


def test_an_answer_to_a_comment_is_posted_as_the_page_under_it(
    case: ContractCase, post: str
) -> None:
    target = a_comment(case, post)
    progress = base.Progress()

    result = case.adapter.reply(case.creds, target, "Yes, on Fridays (all day)", "key", progress)

    [call] = case.fake.calls("POST", comments_path(target.external_id))
    assert call.body == {
        "actor": case.page,
        "object": post,
        "message": {"text": "Yes, on Fridays (all day)"},
        "parentComment": target.external_id,
    }
    assert call.headers["linkedin-version"] == "202610"
    made = case.fake.comments[-1]
    assert result.external_id == made["commentUrn"]
    assert progress.get("comment_urn") == made["commentUrn"]
    back = by_id(fetch(case, post))[result.external_id]
    assert (back.own, back.kind, back.in_reply_to_id, back.text) == (
        True,
        REPLY,
        target.external_id,
        "Yes, on Fridays (all day)",
    )
    # A retry with the same progress posts nothing more.
    assert case.adapter.reply(case.creds, target, "Yes", "key", progress) == result
    assert len(case.fake.calls("POST", comments_path(target.external_id))) == 1


def test_an_answer_to_a_reply_goes_under_its_top_level_comment(
    case: ContractCase, post: str
) -> None:
    top = case.fake.add_comment(post, person(case), "Rye?", ago=300)
    nested = case.fake.add_comment(post, person(case), "Asking too", ago=200, parent=top)
    target = by_id(fetch(case, post))[nested]

    result = case.adapter.reply(case.creds, target, "Fridays, both of you", "key", base.Progress())

    [call] = case.fake.calls("POST", comments_path(top))
    assert call.body["parentComment"] == top
    back = by_id(fetch(case, post))[result.external_id]
    assert (back.own, back.kind, back.in_reply_to_id) == (True, REPLY, top)
    found = case.adapter.find_reply(
        case.creds, target, "Fridays, both of you", "key", base.Progress()
    )
    assert found is not None and found.external_id == result.external_id


def test_a_lost_answer_is_unknown_and_find_reply_finds_the_comment(
    case: ContractCase, post: str
) -> None:
    target = a_comment(case, post)
    case.fake.timeout_after_receive(comments_path(target.external_id))
    progress = base.Progress()

    with pytest.raises(base.Unknown):
        case.adapter.reply(case.creds, target, "Fridays", "key", progress)

    found = case.adapter.find_reply(case.creds, target, "Fridays", "key", progress)
    made = case.fake.comments[-1]
    assert made["parentComment"] == target.external_id
    assert found is not None and found.external_id == made["commentUrn"]


def test_find_reply_says_none_when_the_answer_was_never_made(case: ContractCase, post: str) -> None:
    target = a_comment(case, post)
    case.fake.fail_next(500, path=comments_path(target.external_id))

    with pytest.raises(base.Unknown):
        case.adapter.reply(case.creds, target, "Fridays", "key", base.Progress())

    assert case.adapter.find_reply(case.creds, target, "Fridays", "key", base.Progress()) is None
    assert [c["commentUrn"] for c in case.fake.comments] == [target.external_id]


# --- Moderating --------------------------------------------------------------------


def test_the_pages_own_comment_is_deleted_and_twice_is_harmless(
    case: ContractCase, post: str
) -> None:
    target = a_comment(case, post)
    answer = case.adapter.reply(case.creds, target, "Fridays", "key", base.Progress())
    mine = by_id(fetch(case, post))[answer.external_id]

    case.adapter.moderate(case.creds, mine, DELETE)
    case.adapter.moderate(case.creds, mine, DELETE)

    comment_id = answer.external_id.rstrip(")").rsplit(",", 1)[-1]
    calls = case.fake.calls("DELETE", f"{comments_path(target.external_id)}/{comment_id}")
    assert [c.query for c in calls] == [{"actor": case.page}, {"actor": case.page}]
    assert case.fake.deleted_comments == [answer.external_id]
    assert answer.external_id not in by_id(fetch(case, post))


def test_others_comments_are_not_deleted_and_nothing_is_hidden(
    case: ContractCase, post: str
) -> None:
    target = a_comment(case, post)
    case.fake.requests.clear()
    for action in (DELETE, HIDE):
        with pytest.raises(base.Permanent) as refused:
            case.adapter.moderate(case.creds, target, action)
        assert refused.value.code == "unsupported"
    assert case.fake.requests == []
