"""The reconciler's questions to YouTube: the recorded upload session first
(`bytes */total`), then the channel's uploads by title and description."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from channels.adapters import base
from tests.fakes.youtube import VIDEOS
from tests.fakes.youtube_contract import CHANNEL, ContractCase, contract_case, image, video


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(timeout=0.5) as case:
        yield case
    assert case.fake.contract_violations == []


def post(case: ContractCase, *media: base.MediaItem, **options: Any) -> base.Content:
    return base.Content(
        "Fresh at 7.",
        media=media or (video(case.folder, size=3500),),
        options={"title": "Cardamom buns", **options},
    )


def lookup(
    case: ContractCase, content: base.Content, progress: base.Progress, **creds: Any
) -> base.Published | None:
    who = (
        base.Credentials(CHANNEL, "@acmebakery", case.creds.secrets, **creds)
        if creds
        else case.creds
    )
    return case.adapter.find_published(who, content, "k", progress)


def lost_last_answer(case: ContractCase, content: base.Content) -> base.Progress:
    progress = base.Progress()
    case.fake.timeout_after_receive(f"PUT {VIDEOS}", final_only=True)
    with pytest.raises(base.Unknown):
        case.adapter.publish(case.creds, content, "k", progress)
    case.fake.requests.clear()
    return progress


def test_the_session_answers_with_the_video_whose_last_answer_was_lost(case: ContractCase) -> None:
    content = post(case)
    progress = lost_last_answer(case, content)
    found = lookup(case, content, progress)

    [video_id] = case.fake.videos
    assert found is not None
    assert found.external_id == video_id
    assert found.url == f"https://www.youtube.com/watch?v={video_id}"
    assert [(r.method, r.headers.get("content-range")) for r in case.fake.requests] == [
        ("PUT", "bytes */3500")
    ]
    assert progress.get("video_id") == video_id
    assert case.fake.used("units") == 0  # the probe is part of the upload, not a call


def test_an_unfinished_upload_is_not_there_and_the_next_publish_resumes_it(
    case: ContractCase,
) -> None:
    content = post(case)
    progress = base.Progress()
    case.fake.drop_after_receive(f"PUT {VIDEOS}")
    with pytest.raises(base.Transient):
        case.adapter.publish(case.creds, content, "k", progress)
    assert lookup(case, content, progress) is None
    result = case.adapter.publish(case.creds, content, "k", progress)
    assert list(case.fake.videos) == [result.external_id]
    assert len(case.fake.calls("POST", VIDEOS)) == 1


def test_an_expired_session_is_answered_from_the_channels_uploads(case: ContractCase) -> None:
    content = post(case)
    progress = lost_last_answer(case, content)
    [session] = case.fake.sessions.values()
    session["expired"] = True
    found = lookup(case, content, progress)
    assert found is not None and found.external_id == session["video"]
    [listing] = case.fake.calls("GET", "/youtube/v3/playlistItems")
    assert listing.query["playlistId"] == "UUacmeBakery0000000000aa"


def test_nothing_posted_is_not_there(case: ContractCase) -> None:
    case.fake.add_video(CHANNEL, "Another video", "Other words")
    assert lookup(case, post(case), base.Progress()) is None


def test_the_uploads_playlist_is_found_through_channels_list_when_not_stored(
    case: ContractCase,
) -> None:
    video_id = case.fake.add_video(CHANNEL, "Cardamom buns", "Fresh at 7.")
    found = lookup(case, post(case), base.Progress(), options={})
    assert found is not None and found.external_id == video_id
    [channels] = case.fake.calls("GET", "/youtube/v3/channels")
    assert channels.query == {"part": "contentDetails", "mine": "true", "alt": "json"}


def test_the_lookup_pages_through_the_uploads(case: ContractCase) -> None:
    wanted = case.fake.add_video(CHANNEL, "Cardamom buns", "Fresh at 7.", ago=60)
    for n in range(60):
        case.fake.add_video(CHANNEL, f"Later video {n}", "", ago=59 - n / 100)
    found = lookup(case, post(case), base.Progress())
    assert found is not None and found.external_id == wanted
    pages = case.fake.calls("GET", "/youtube/v3/playlistItems")
    assert len(pages) == 2
    assert "pageToken" not in pages[0].query and pages[1].query["pageToken"]


def test_a_same_titled_video_from_before_the_first_attempt_is_not_this_one(
    case: ContractCase,
) -> None:
    case.fake.add_video(CHANNEL, "Cardamom buns", "Fresh at 7.", ago=3 * 3600)
    progress = base.Progress({"started_at": case.fake.clock().isoformat()})
    assert lookup(case, post(case), progress) is None
    assert lookup(case, post(case), base.Progress()) is not None  # no start known: any match


def test_whitespace_differences_still_match(case: ContractCase) -> None:
    video_id = case.fake.add_video(CHANNEL, "Cardamom  buns", "Fresh\nat 7.")
    found = lookup(case, post(case), base.Progress())
    assert found is not None and found.external_id == video_id


def test_a_found_video_without_its_thumbnail_is_finished_by_publish(case: ContractCase) -> None:
    content = post(case, video(case.folder, size=1500), image(case.folder))
    progress = base.Progress()
    case.fake.fail_next(503, path="/upload/youtube/v3/thumbnails/set")
    with pytest.raises(base.Transient):
        case.adapter.publish(case.creds, content, "k", progress)
    assert lookup(case, content, progress) is None
    case.fake.requests.clear()
    result = case.adapter.publish(case.creds, content, "k", progress)
    assert [r.path for r in case.fake.requests] == ["/upload/youtube/v3/thumbnails/set"]
    assert lookup(case, content, progress) == result


def test_a_found_short_has_its_shorts_url(case: ContractCase) -> None:
    clip = video(case.folder, "clip.mp4", size=1500, width=1080, height=1920, seconds=30)
    content = post(case, clip, format="short")
    progress = lost_last_answer(case, content)
    found = lookup(case, content, progress)
    assert found is not None
    assert found.url == f"https://www.youtube.com/shorts/{found.external_id}"
