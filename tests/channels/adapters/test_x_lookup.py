"""Finding a post whose answer was lost among the account's recent X posts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.adapters import base
from channels.adapters.x import XAdapter, fingerprint
from tests.fakes.x import USER_ID, ContractCase, contract_case


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case
    assert case.fake.contract_violations == []


def find(
    case: ContractCase, content: base.Content, progress: base.Progress | None = None
) -> base.Published | None:
    return case.adapter.find_published(case.creds, content, "key-1", progress or base.Progress())


def test_lookup_is_supported() -> None:
    assert XAdapter.supports_lookup is True


def test_the_lookup_asks_for_the_fields_it_matches_on(case: ContractCase) -> None:
    assert find(case, base.Content("Nothing yet")) is None
    [call] = case.fake.calls("GET", f"/2/users/{USER_ID}/tweets")
    assert call.query == {
        "max_results": "100",
        "tweet.fields": "created_at,conversation_id,referenced_tweets,in_reply_to_user_id",
    }


def test_a_post_is_found_although_x_rewrote_its_links_and_entities(case: ContractCase) -> None:
    content = base.Content("Fish & chips <3\nat example.com", link="https://example.com/menu")
    post_id = case.fake.add_tweet(
        USER_ID, "Fish & chips <3\nat example.com https://example.com/menu"
    )
    progress = base.Progress()

    found = find(case, content, progress)

    assert found is not None
    assert found.external_id == post_id
    assert progress.get("post_ids") == [post_id]
    timeline = case.fake.calls("GET", f"/2/users/{USER_ID}/tweets")
    assert len(timeline) == 1


def test_x_s_text_is_what_the_fingerprint_survives() -> None:
    ours = "Fish & chips <3\n\nat  example.com https://example.com/menu"
    theirs = "Fish &amp; chips &lt;3\n\nat https://t.co/abc123 https://t.co/def456"
    assert fingerprint(ours) == fingerprint(theirs, from_x=True) == "Fish & chips <3 at"
    # Only X's text is unescaped: an "&amp;" people typed stays theirs.
    assert fingerprint("&amp;") != fingerprint("&amp;amp;", from_x=False)
    assert fingerprint("&amp;") == fingerprint("&amp;amp;", from_x=True)
    assert fingerprint("e\u0301") == fingerprint("é", from_x=True)


def test_a_post_with_media_is_found_despite_its_media_link(
    case: ContractCase, tmp_path: Path
) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"png")
    content = base.Content(
        "With a picture", media=(base.MediaItem(str(image), "image/png", "image", 3),)
    )
    case.fake.drop_after_receive()
    with pytest.raises(base.Unknown):
        case.adapter.publish(case.creds, content, "key-1", base.Progress())
    found = find(case, content)
    assert found is not None
    assert found.external_id == case.fake.tweets[0]["id"]


def test_a_reply_with_the_same_words_is_not_the_root(case: ContractCase) -> None:
    other = case.fake.add_tweet(USER_ID, "Someone's post")
    case.fake.add_tweet(USER_ID, "Big news", reply_to=other)
    assert find(case, base.Content("Big news")) is None


def test_another_text_is_not_found(case: ContractCase) -> None:
    case.fake.add_tweet(USER_ID, "Big news today")
    progress = base.Progress()
    assert find(case, base.Content("Big news"), progress) is None
    assert progress.as_dict() == {}


def test_a_part_must_reply_to_the_part_before(case: ContractCase) -> None:
    root = case.fake.add_tweet(USER_ID, "One")
    two = case.fake.add_tweet(USER_ID, "Two", reply_to=root)
    case.fake.add_tweet(USER_ID, "Three", reply_to=root)  # replies to the wrong post
    progress = base.Progress()
    assert find(case, base.Content("One", thread=("Two", "Three")), progress) is None
    assert progress.get("post_ids") == [root, two]


def test_a_partial_thread_is_recorded_and_publishing_resumes_after_it(case: ContractCase) -> None:
    root = case.fake.add_tweet(USER_ID, "One")
    two = case.fake.add_tweet(USER_ID, "Two", reply_to=root)
    content = base.Content("One", thread=("Two", "Three"))
    progress = base.Progress()

    assert find(case, content, progress) is None
    assert progress.get("post_ids") == [root, two]
    result = case.adapter.publish(case.creds, content, "key-1", progress)

    assert result.external_id == root
    assert [r.body for r in case.fake.calls("POST", "/2/tweets")] == [
        {"text": "Three", "reply": {"in_reply_to_tweet_id": two}}
    ]


def test_a_whole_thread_with_its_first_comment_is_found(case: ContractCase) -> None:
    content = base.Content("One", thread=("Two",), first_comment="Comment")
    published = case.adapter.publish(case.creds, content, "key-1", base.Progress())
    progress = base.Progress()

    found = find(case, content, progress)

    assert found is not None
    assert found.external_id == published.external_id
    ids = [t["id"] for t in case.fake.tweets]
    assert progress.get("post_ids") == ids[:2]
    assert progress.get("first_comment_id") == ids[2]


def test_a_missing_first_comment_means_not_yet_published(case: ContractCase) -> None:
    root = case.fake.add_tweet(USER_ID, "One")
    progress = base.Progress()
    assert find(case, base.Content("One", first_comment="Comment"), progress) is None
    assert progress.get("post_ids") == [root]
    case.adapter.publish(case.creds, base.Content("One", first_comment="Comment"), "k", progress)
    assert [t["text"] for t in case.fake.tweets] == ["One", "Comment"]
    assert case.fake.tweets[1]["in_reply_to_tweet_id"] == root


def test_known_parts_are_trusted_even_when_the_root_is_out_of_sight(case: ContractCase) -> None:
    # The root is older than the 100 posts the lookup reads.
    two = case.fake.add_tweet(USER_ID, "Two", reply_to="1861000000000000999")
    progress = base.Progress({"post_ids": ["1861000000000000999"]})
    found = find(case, base.Content("One", thread=("Two",)), progress)
    assert found is not None
    assert found.external_id == "1861000000000000999"
    assert progress.get("post_ids") == ["1861000000000000999", two]
