"""Publishing videos, Shorts and thumbnails to YouTube, request by request against
FakeYouTube through google-api-python-client's resumable upload."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from channels.adapters import base
from tests.fakes.youtube import VIDEOS
from tests.fakes.youtube_contract import CHANNEL, CHUNK, ContractCase, contract_case, image, video


@pytest.fixture
def case(monkeypatch: pytest.MonkeyPatch) -> Iterator[ContractCase]:
    def no_sleeping(seconds: float) -> None:
        raise AssertionError(f"the adapter slept {seconds} s")

    monkeypatch.setattr(time, "sleep", no_sleeping)
    with contract_case() as case:
        yield case
    assert case.fake.contract_violations == []


def content(case: ContractCase, *media: base.MediaItem, **options: Any) -> base.Content:
    return base.Content(
        "Cardamom buns, fresh at 7.",
        media=media or (video(case.folder, size=3500),),
        options={"title": "Cardamom buns", **options},
    )


def publish(
    case: ContractCase, post: base.Content, progress: base.Progress | None = None
) -> base.Published:
    return case.adapter.publish(case.creds, post, "key-1", progress or base.Progress())


def starts(case: ContractCase) -> list[Any]:
    return case.fake.calls("POST", VIDEOS)


def chunks(case: ContractCase) -> list[str]:
    return [r.headers.get("content-range", "") for r in case.fake.calls("PUT", VIDEOS)]


def test_a_video_goes_up_in_chunks_and_returns_its_watch_url(case: ContractCase) -> None:
    post = content(case)
    progress = base.Progress()
    result = publish(case, post, progress)

    [(video_id, stored)] = case.fake.videos.items()
    assert result.external_id == video_id
    assert result.url == f"https://www.youtube.com/watch?v={video_id}"
    assert result.published_at.isoformat() == progress.get("published_at")
    assert stored["bytes"] == Path(post.media[0].path).read_bytes()
    assert stored["channel"] == CHANNEL
    [start] = starts(case)
    assert start.query == {"part": "snippet,status", "alt": "json", "uploadType": "resumable"}
    assert start.body == {
        "snippet": {
            "title": "Cardamom buns",
            "description": "Cardamom buns, fresh at 7.",
            "categoryId": "22",
        },
        "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False},
    }
    assert start.headers["x-upload-content-length"] == "3500"
    assert start.headers["x-upload-content-type"] == "video/mp4"
    assert start.headers["authorization"] == f"Bearer {case.creds.secrets['access_token']}"
    assert start.headers["user-agent"].startswith("SMO/")
    assert chunks(case) == [
        "bytes 0-1023/3500",
        "bytes 1024-2047/3500",
        "bytes 2048-3071/3500",
        "bytes 3072-3499/3500",
    ]
    assert progress.as_dict() == {
        "started_at": progress.get("started_at"),
        "upload_bytes": 3500,
        "upload_url": progress.get("upload_url"),
        "video_id": video_id,
        "published_at": progress.get("published_at"),
    }
    assert "upload_id=" in progress.get("upload_url")


def test_a_short_gets_its_shorts_url(case: ContractCase) -> None:
    clip = video(case.folder, "clip.mp4", size=2000, seconds=45, width=1080, height=1920)
    post = content(case, clip, format="short")
    assert case.adapter.validate(post) == []
    result = publish(case, post)
    assert result.url == f"https://www.youtube.com/shorts/{result.external_id}"


def test_each_option_reaches_the_video_resource(case: ContractCase) -> None:
    post = content(
        case,
        privacy="unlisted",
        category="27",
        tags=["baking", "cardamom buns"],
        made_for_kids=True,
    )
    publish(case, post)
    [start] = starts(case)
    assert start.body == {
        "snippet": {
            "title": "Cardamom buns",
            "description": "Cardamom buns, fresh at 7.",
            "categoryId": "27",
            "tags": ["baking", "cardamom buns"],
        },
        "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": True},
    }
    [stored] = case.fake.videos.values()
    assert stored["resource"]["status"]["privacyStatus"] == "unlisted"
    assert stored["resource"]["status"]["madeForKids"] is True


def test_the_link_ends_the_description_and_the_title_is_trimmed(case: ContractCase) -> None:
    post = replace(
        content(case, title="  Cardamom buns  "),
        text="Fresh at 7.\r\nSee you!",
        link="https://acme.example/buns",
    )
    publish(case, post)
    [start] = starts(case)
    assert start.body["snippet"]["title"] == "Cardamom buns"
    assert (
        start.body["snippet"]["description"] == "Fresh at 7.\nSee you!\n\nhttps://acme.example/buns"
    )


def test_text_outside_ascii_arrives_as_written(case: ContractCase) -> None:
    post = replace(
        content(case, title="Kardemummabullar 🧁", tags=["bröd", "fika på svenska"]),
        text="Nybakat klockan 7, välkommen! 🇸🇪",
    )
    result = publish(case, post)
    snippet = case.fake.videos[result.external_id]["resource"]["snippet"]
    assert snippet["title"] == "Kardemummabullar 🧁"
    assert snippet["description"] == "Nybakat klockan 7, välkommen! 🇸🇪"
    assert snippet["tags"] == ["bröd", "fika på svenska"]


def test_an_image_in_the_post_becomes_the_thumbnail_after_the_upload(case: ContractCase) -> None:
    cover = image(case.folder)
    progress = base.Progress()
    result = publish(case, content(case, video(case.folder, size=1500), cover), progress)

    assert case.fake.videos[result.external_id]["thumbnail"] == Path(cover.path).read_bytes()
    [call] = case.fake.calls("POST", "/upload/youtube/v3/thumbnails/set")
    assert call.query == {"videoId": result.external_id, "alt": "json", "uploadType": "media"}
    assert call.content_type == "image/jpeg"
    assert case.fake.requests[-1] is call  # after the video is up
    assert progress.get("thumbnail") == "set"


def test_a_refused_thumbnail_does_not_undo_the_published_video(case: ContractCase) -> None:
    case.fake.thumbnails_allowed = False  # channels that may not set custom thumbnails
    progress = base.Progress()
    result = publish(
        case, content(case, video(case.folder, size=1500), image(case.folder)), progress
    )

    assert result.external_id in case.fake.videos
    assert progress.get("thumbnail") == {
        "refused": "YouTube refused the thumbnail: The authenticated user doesn't have "
        "permissions to upload and set custom video thumbnails."
    }


def test_the_last_chunk_may_answer_201(case: ContractCase) -> None:
    case.fake.final_status = 201
    result = publish(case, content(case))
    assert result.external_id in case.fake.videos


def test_the_session_url_is_kept_before_any_byte_of_the_video_is_sent(case: ContractCase) -> None:
    case.fake.drop_after_receive(f"PUT {VIDEOS}")  # the first chunk's answer is lost
    progress = base.Progress()
    with pytest.raises(base.Transient):
        publish(case, content(case), progress)
    [session] = case.fake.sessions.values()
    assert progress.get("upload_url").endswith(f"upload_id={session['id']}")
    assert case.fake.videos == {}


def test_a_crash_mid_upload_resumes_the_same_upload_without_a_second_video(
    case: ContractCase,
) -> None:
    post = content(case)
    progress = base.Progress()
    # The first chunk reaches Google, then the worker's connection is lost.
    case.fake.timeout_after_receive(f"PUT {VIDEOS}")
    with pytest.raises(base.Transient):
        publish(case, post, progress)
    [session] = case.fake.sessions.values()
    assert len(session["data"]) == CHUNK  # the first chunk is there
    case.fake.requests.clear()

    # A new attempt with the saved progress: ask the session, then send the rest.
    result = publish(case, post, base.Progress(progress.as_dict()))

    assert [r.method for r in case.fake.requests] == ["PUT", "PUT", "PUT", "PUT"]
    assert chunks(case) == [
        "bytes */3500",
        "bytes 1024-2047/3500",
        "bytes 2048-3071/3500",
        "bytes 3072-3499/3500",
    ]
    assert starts(case) == []
    [(video_id, stored)] = case.fake.videos.items()
    assert result.external_id == video_id
    assert stored["bytes"] == Path(post.media[0].path).read_bytes()


def test_a_retry_after_the_last_answer_was_lost_returns_the_video_already_made(
    case: ContractCase,
) -> None:
    post = content(case)
    progress = base.Progress()
    case.fake.timeout_after_receive(f"PUT {VIDEOS}", final_only=True)
    with pytest.raises(base.Unknown):
        publish(case, post, progress)
    [video_id] = case.fake.videos
    case.fake.requests.clear()

    result = publish(case, post, base.Progress(progress.as_dict()))

    assert result.external_id == video_id
    assert chunks(case) == ["bytes */3500"]
    assert len(case.fake.videos) == 1


def test_an_expired_session_starts_a_new_upload_when_the_old_one_made_nothing(
    case: ContractCase,
) -> None:
    post = content(case)
    progress = base.Progress()
    case.fake.drop_after_receive(f"PUT {VIDEOS}")
    with pytest.raises(base.Transient):
        publish(case, post, progress)
    [old] = case.fake.sessions.values()
    old["expired"] = True

    result = publish(case, post, progress)

    assert len(starts(case)) == 2
    assert list(case.fake.videos) == [result.external_id]
    assert old["id"] not in progress.get("upload_url")


def test_an_unreadable_video_file_fails_before_anything_is_sent(case: ContractCase) -> None:
    clip = video(case.folder, size=1500)
    Path(clip.path).unlink()
    with pytest.raises(base.Permanent) as raised:
        publish(case, content(case, clip))
    assert raised.value.detail == "The video file buns.mp4 could not be read."
    assert case.fake.requests == []


def test_each_upload_spends_one_upload_and_a_thumbnail_fifty_units(case: ContractCase) -> None:
    publish(case, content(case, video(case.folder, size=1500), image(case.folder)))
    day = case.fake.quota_day()
    assert case.quota.used == {(day, "uploads"): 1, (day, "units"): 50}
    assert (case.fake.used("uploads"), case.fake.used("units")) == (1, 50)
