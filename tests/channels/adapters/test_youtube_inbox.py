"""YouTube's inbox through google-api-python-client against FakeYouTube: comment
threads and replies on the channel's videos, answers, and moderation."""

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
    REPLY,
    UNHIDE,
    Engagement,
    PostRef,
)
from channels.adapters.youtube import YouTubeAdapter
from channels.adapters.youtube_quota import next_quota_day
from tests.fakes.youtube_contract import CHANNEL, ContractCase, contract_case

ALICE, BOB = "UCalice000000000000000aa", "UCbob00000000000000000aa"
THREADS = "/youtube/v3/commentThreads"
COMMENTS = "/youtube/v3/comments"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(timeout=0.5, inbox_page_size=2) as case:
        case.fake.page_size = 2
        yield case
    assert case.fake.contract_violations == []


def since(case: ContractCase) -> datetime:
    return case.fake.clock() - timedelta(hours=1)


def fetch(case: ContractCase, *videos: str) -> list[Engagement]:
    refs = [PostRef(v) for v in videos]
    return list(case.adapter.fetch_engagement(case.creds, since(case), refs))


def by_id(items: list[Engagement]) -> dict[str, Engagement]:
    return {i.external_id: i for i in items}


def units(case: ContractCase) -> int:
    return case.quota.used.get((case.fake.quota_day(), "units"), 0)


def seed(case: ContractCase) -> dict[str, str]:
    """A video with three threads; Alice's has a reply from Bob, and Alice answers Bob."""
    fake = case.fake
    ids = {"video": fake.add_video(CHANNEL, "Cardamom buns")}
    ids["alice"] = fake.add_comment(ids["video"], ALICE, "@alice", "Lovely buns!", ago=50)
    ids["bob"] = fake.add_comment(ids["video"], BOB, "@bob", "Gluten free?", ago=40)
    ids["bob_reply"] = fake.add_comment(
        ids["video"], BOB, "@bob", "Agreed", reply_to=ids["alice"], ago=30
    )
    ids["alice_reply"] = fake.add_comment(
        ids["video"], ALICE, "@alice", "@bob thanks!", reply_to=ids["alice"], ago=20
    )
    ids["third"] = fake.add_comment(ids["video"], BOB, "@bob", "Recipe please", ago=10)
    return ids


def test_youtube_declares_what_its_inbox_does() -> None:
    support = YouTubeAdapter.engagement
    assert support.fetches == support.replies_to == {COMMENT, REPLY}
    assert support.hides == support.deletes == {COMMENT, REPLY}
    assert support.interval == timedelta(minutes=30)
    assert "videos only" in str(support.note)


def test_threads_are_read_to_the_last_page_with_their_replies(case: ContractCase) -> None:
    ids = seed(case)

    items = by_id(fetch(case, ids["video"]))

    assert set(items) == {ids[k] for k in ("alice", "bob", "bob_reply", "alice_reply", "third")}
    alice = items[ids["alice"]]
    assert (alice.kind, alice.parent_post_id, alice.in_reply_to_id) == (COMMENT, ids["video"], "")
    assert (alice.author_id, alice.author_handle, alice.author_name) == (ALICE, "alice", "@alice")
    assert alice.text == "Lovely buns!"
    assert alice.url == f"https://www.youtube.com/watch?v={ids['video']}&lc={ids['alice']}"
    assert alice.own is False
    reply = items[ids["bob_reply"]]
    assert (reply.kind, reply.parent_post_id, reply.in_reply_to_id) == (
        REPLY,
        ids["video"],
        ids["alice"],
    )
    assert reply.extra == {"thread": ids["alice"]}
    # "@bob ..." answers Bob's reply, not the top comment.
    assert items[ids["alice_reply"]].in_reply_to_id == ids["bob_reply"]
    pages = case.fake.calls("GET", THREADS)
    assert len(pages) == 2
    assert pages[0].query == {
        "part": "snippet,replies",
        "order": "time",
        "textFormat": "plainText",
        "maxResults": "2",
        "videoId": ids["video"],
        "alt": "json",
    }
    assert units(case) == 2


def test_replies_beyond_those_in_the_thread_are_listed_page_by_page(case: ContractCase) -> None:
    case.fake.inline_replies = 1
    video = case.fake.add_video(CHANNEL, "Buns")
    top = case.fake.add_comment(video, ALICE, "@alice", "First", ago=60)
    replies = [
        case.fake.add_comment(video, BOB, "@bob", f"Reply {n}", reply_to=top, ago=50 - n)
        for n in range(3)
    ]

    items = fetch(case, video)

    assert [i.external_id for i in items] == [top, *replies]
    calls = case.fake.calls("GET", COMMENTS)
    assert [c.query.get("pageToken") is None for c in calls] == [True, False]
    assert calls[0].query["parentId"] == top
    assert units(case) == 3


def test_without_videos_the_whole_channel_is_read(case: ContractCase) -> None:
    ids = seed(case)
    items = list(case.adapter.fetch_engagement(case.creds, since(case)))
    assert {i.parent_post_id for i in items} == {ids["video"]}
    assert len(items) == 5
    assert case.fake.calls("GET", THREADS)[0].query["allThreadsRelatedToChannelId"] == CHANNEL


def test_only_what_is_newer_than_since_is_returned(case: ContractCase) -> None:
    video = case.fake.add_video(CHANNEL, "Buns")
    old = case.fake.add_comment(video, ALICE, "@alice", "Old one", ago=7200)
    new_reply = case.fake.add_comment(video, BOB, "@bob", "Still?", reply_to=old, ago=5)
    case.fake.add_comment(video, BOB, "@bob", "Old too", ago=7000)

    items = fetch(case, video)

    assert [i.external_id for i in items] == [new_reply]
    assert items[0].in_reply_to_id == old


def test_an_error_on_page_two_keeps_page_one_and_the_next_fetch_has_all(
    case: ContractCase,
) -> None:
    ids = seed(case)
    stream = case.adapter.fetch_engagement(case.creds, since(case), [PostRef(ids["video"])])
    first = [next(stream)]
    case.fake.fail_next(503, path=THREADS)

    with pytest.raises(base.Transient):
        list(stream)

    assert [i.external_id for i in first] == [ids["third"]]
    assert len(fetch(case, ids["video"])) == 5


def test_a_video_with_comments_turned_off_is_passed_over(case: ContractCase) -> None:
    ids = seed(case)
    closed = case.fake.add_video(CHANNEL, "No comments")
    case.fake.videos[closed]["comments_disabled"] = True
    items = fetch(case, closed, ids["video"])
    assert len(items) == 5


def test_a_spent_quota_waits_for_pacific_midnight(case: ContractCase) -> None:
    video = case.fake.add_video(CHANNEL, "Buns")
    case.fake.use_quota("units", 10_000)
    with pytest.raises(base.RateLimited) as raised:
        fetch(case, video)
    assert raised.value.retry_at == next_quota_day(case.fake.clock())
    assert raised.value.code == "quotaExceeded"
    with pytest.raises(base.RateLimited):
        fetch(case, video)
    assert len(case.fake.calls("GET", THREADS)) == 1  # the day is marked spent


def test_a_dead_token_needs_a_reconnect(case: ContractCase) -> None:
    video = case.fake.add_video(CHANNEL, "Buns")
    creds = base.Credentials(CHANNEL, "@acmebakery", {"access_token": "ya29.revoked"})
    with pytest.raises(base.AuthExpired):
        list(case.adapter.fetch_engagement(creds, since(case), [PostRef(video)]))


def test_answers_come_back_as_the_account_s_own(case: ContractCase) -> None:
    ids = seed(case)
    items = by_id(fetch(case, ids["video"]))
    before = units(case)

    answer = case.adapter.reply(case.creds, items[ids["bob"]], "Yes!", "k1", base.Progress())
    deeper = case.adapter.reply(
        case.creds, items[ids["bob_reply"]], "Thank you", "k2", base.Progress()
    )

    inserts = case.fake.calls("POST", COMMENTS)
    assert [c.body for c in inserts] == [
        {"snippet": {"parentId": ids["bob"], "textOriginal": "Yes!"}},
        {"snippet": {"parentId": ids["alice"], "textOriginal": "@bob Thank you"}},
    ]
    assert units(case) - before == 100
    assert answer.url == f"https://www.youtube.com/watch?v={ids['video']}&lc={answer.external_id}"
    again = by_id(fetch(case, ids["video"]))
    mine = again[answer.external_id]
    assert (mine.own, mine.kind, mine.in_reply_to_id, mine.author_id) == (
        True,
        REPLY,
        ids["bob"],
        CHANNEL,
    )
    assert again[deeper.external_id].in_reply_to_id == ids["bob_reply"]
    assert again[deeper.external_id].own is True


def test_a_lost_answer_is_unknown_then_found(case: ContractCase) -> None:
    ids = seed(case)
    target = by_id(fetch(case, ids["video"]))[ids["bob_reply"]]
    assert case.adapter.find_reply(case.creds, target, "Soon", "k1", base.Progress()) is None
    case.fake.timeout_after_receive(f"POST {COMMENTS}")

    with pytest.raises(base.Unknown):
        case.adapter.reply(case.creds, target, "Soon", "k1", base.Progress())

    found = case.adapter.find_reply(case.creds, target, "Soon", "k1", base.Progress())
    assert found is not None
    assert case.fake.comments[found.external_id]["text"] == "@bob Soon"
    assert len(case.fake.calls("POST", COMMENTS)) == 1


def test_a_recorded_answer_is_not_sent_again(case: ContractCase) -> None:
    ids = seed(case)
    target = by_id(fetch(case, ids["video"]))[ids["third"]]
    progress = base.Progress()
    first = case.adapter.reply(case.creds, target, "Here", "k1", progress)
    assert case.adapter.reply(case.creds, target, "Here", "k1", progress) == first
    assert len(case.fake.calls("POST", COMMENTS)) == 1


def test_comments_are_held_for_review_and_published_again(case: ContractCase) -> None:
    ids = seed(case)
    comment = by_id(fetch(case, ids["video"]))[ids["bob"]]

    case.adapter.moderate(case.creds, comment, HIDE)
    case.adapter.moderate(case.creds, comment, HIDE)
    assert ids["bob"] not in by_id(fetch(case, ids["video"]))
    case.adapter.moderate(case.creds, comment, UNHIDE)
    case.adapter.moderate(case.creds, comment, UNHIDE)

    assert case.fake.comments[ids["bob"]]["status"] == "published"
    calls = case.fake.calls("POST", f"{COMMENTS}/setModerationStatus")
    assert [c.query["moderationStatus"] for c in calls] == ["heldForReview"] * 2 + ["published"] * 2
    assert ids["bob"] in by_id(fetch(case, ids["video"]))


def test_others_comments_are_rejected_and_own_ones_deleted(case: ContractCase) -> None:
    ids = seed(case)
    items = by_id(fetch(case, ids["video"]))
    answer = case.adapter.reply(case.creds, items[ids["alice"]], "Thanks", "k1", base.Progress())
    mine = by_id(fetch(case, ids["video"]))[answer.external_id]

    case.adapter.moderate(case.creds, items[ids["third"]], DELETE)
    case.adapter.moderate(case.creds, mine, DELETE)
    case.adapter.moderate(case.creds, mine, DELETE)  # gone already: fine

    assert case.fake.comments[ids["third"]]["status"] == "rejected"
    assert answer.external_id not in case.fake.comments
    assert len(case.fake.calls("DELETE", COMMENTS)) == 2


def test_what_youtube_does_not_allow_is_refused_before_asking(case: ContractCase) -> None:
    ids = seed(case)
    items = by_id(fetch(case, ids["video"]))
    answer = case.adapter.reply(case.creds, items[ids["alice"]], "Thanks", "k1", base.Progress())
    mine = by_id(fetch(case, ids["video"]))[answer.external_id]
    mention = Engagement("elsewhere", MENTION, "hi", mine.created_at)
    before = len(case.fake.requests)
    for target, action in [(mine, HIDE), (items[ids["bob"]], "pin"), (mention, HIDE)]:
        with pytest.raises(base.Permanent) as raised:
            case.adapter.moderate(case.creds, target, action)
        assert raised.value.code == "unsupported"
    with pytest.raises(base.Permanent):
        case.adapter.reply(case.creds, mention, "Hi", "k", base.Progress())
    assert len(case.fake.requests) == before
