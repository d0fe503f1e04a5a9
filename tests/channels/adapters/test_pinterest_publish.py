"""Publishing Pins against FakePinterest: images, carousels, videos with processing,
and resuming a video Pin after a crash without a second upload or Pin."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from channels.adapters import base
from channels.adapters.pinterest import PinterestAdapter
from channels.adapters.pinterest_http import parse_time
from channels.adapters.session import build_session
from tests.fakes.pinterest_contract import ContractCase, contract_case
from tests.fakes.pinterest_errors import s3_error

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
LINK = "https://acme.example/buns"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW, media_wait_seconds=60, poll_interval_seconds=5) as case:
        yield case
    assert case.fake.contract_violations == []


def b64(item: base.MediaItem) -> str:
    return base64.b64encode(Path(item.path).read_bytes()).decode()


def pin_content(case: ContractCase, *media: base.MediaItem, **options: Any) -> base.Content:
    return base.Content(
        "Cardamom buns are back", media=media, link=LINK, options={"board": case.board, **options}
    )


def publish(
    case: ContractCase, content: base.Content, progress: base.Progress | None = None
) -> base.Published:
    return case.adapter.publish(case.creds, content, "key", progress or base.Progress())


def test_an_image_pin_carries_the_file_itself_with_title_link_and_alt_text(
    case: ContractCase,
) -> None:
    item = case.image(alt_text="Buns cooling on a tray")
    progress = base.Progress()

    result = publish(case, pin_content(case, item, title="Buns are back"), progress)

    [call] = case.fake.requests
    assert (call.method, call.path) == ("POST", "/v5/pins")
    assert call.headers["authorization"] == f"Bearer {case.creds.secrets['access_token']}"
    assert call.body == {
        "board_id": case.board,
        "title": "Buns are back",
        "description": "Cardamom buns are back",
        "link": LINK,
        "alt_text": "Buns cooling on a tray",
        "media_source": {
            "source_type": "image_base64",
            "content_type": "image/jpeg",
            "data": b64(item),
        },
    }
    [pin] = case.fake.pins
    made = parse_time(pin["created_at"])
    assert result == base.Published(pin["id"], f"https://www.pinterest.com/pin/{pin['id']}/", made)
    assert progress.as_dict() == {
        "started_at": NOW.isoformat(),
        "pin_id": pin["id"],
        "published_at": made.isoformat() if made else "",
    }


def test_a_png_goes_as_a_png_and_an_empty_text_sends_no_description(case: ContractCase) -> None:
    item = case.image("buns.png", mime="image/png")
    publish(case, replace(pin_content(case, item), text="  ", link=""))
    [call] = case.fake.requests
    assert call.body == {
        "board_id": case.board,
        "media_source": {
            "source_type": "image_base64",
            "content_type": "image/png",
            "data": b64(item),
        },
    }


def test_a_carousel_of_three_images_is_one_pin_with_three_items(case: ContractCase) -> None:
    items = [case.image(f"bun-{n}.jpg", alt_text="A bun" if n == 2 else "") for n in (1, 2, 3)]

    publish(case, pin_content(case, *items))

    [call] = case.fake.calls("POST", "/v5/pins")
    assert call.body["alt_text"] == "A bun"  # the Pin has one alt text: the first one given
    assert call.body["media_source"] == {
        "source_type": "multiple_image_base64",
        "index": 0,
        "items": [{"content_type": "image/jpeg", "data": b64(i), "link": LINK} for i in items],
    }
    [pin] = case.fake.pins
    assert (pin["media_type"], pin["items"]) == ("multiple_images", 3)


def test_an_image_whose_file_is_gone_is_fetched_from_its_public_url(case: ContractCase) -> None:
    item = replace(case.image(), path=str(case.folder / "gone.jpg"), url="https://smo.example/m/1")
    publish(case, pin_content(case, item))
    [call] = case.fake.calls("POST", "/v5/pins")
    assert call.body["media_source"] == {
        "source_type": "image_url",
        "url": "https://smo.example/m/1",
    }


def test_an_image_with_neither_file_nor_url_is_refused_before_anything_is_sent(
    case: ContractCase,
) -> None:
    item = replace(case.image(), path=str(case.folder / "gone.jpg"))
    with pytest.raises(base.Permanent) as raised:
        publish(case, pin_content(case, item))
    assert raised.value.detail == "The media file gone.jpg could not be read."
    assert case.fake.requests == []


def test_a_pin_without_a_board_is_refused_before_anything_is_sent(case: ContractCase) -> None:
    content = replace(pin_content(case, case.image()), options={})
    with pytest.raises(base.Permanent) as raised:
        publish(case, content)
    assert raised.value.detail == "Choose a Pinterest board for this account."
    assert case.fake.requests == []


def test_a_video_pin_registers_uploads_waits_for_processing_then_pins(case: ContractCase) -> None:
    clip = case.video()
    progress = base.Progress()

    result = publish(case, pin_content(case, clip), progress)

    [media_id] = case.fake.media
    assert [(r.method, r.path) for r in case.fake.requests] == [
        ("POST", "/v5/media"),
        ("GET", f"/v5/media/{media_id}"),
        ("GET", f"/v5/media/{media_id}"),
        ("POST", "/v5/pins"),
    ]
    assert case.fake.requests[0].body == {"media_type": "video"}
    assert case.sleeps == [5.0]  # processing once, then succeeded
    [upload] = case.fake.uploads
    parameters = case.fake.media[media_id]["parameters"]
    assert list(upload.body) == [*parameters, "file"]  # every signed field, the file last
    assert upload.body["file"] == Path(clip.path).read_bytes()
    assert "authorization" not in upload.headers  # S3 takes one way to authenticate
    assert "transfer-encoding" not in upload.headers  # streamed, with a length
    assert int(upload.headers["content-length"]) > clip.size
    pin_call = case.fake.requests[-1]
    assert pin_call.body["media_source"] == {
        "source_type": "video_id",
        "media_id": media_id,
        "cover_image_key_frame_time": 0,
    }
    [pin] = case.fake.pins
    assert (pin["media_type"], result.external_id) == ("video", pin["id"])
    assert progress.as_dict() == {
        "started_at": NOW.isoformat(),
        "media_id": media_id,
        "uploaded": media_id,
        "pin_id": pin["id"],
        "published_at": progress.get("published_at"),
    }


def test_a_video_with_an_image_takes_the_image_as_its_cover(case: ContractCase) -> None:
    clip, cover = case.video(), case.image("cover.png", mime="image/png")
    publish(case, pin_content(case, clip, cover))
    [call] = case.fake.calls("POST", "/v5/pins")
    assert call.body["media_source"] == {
        "source_type": "video_id",
        "media_id": next(iter(case.fake.media)),
        "cover_image_content_type": "image/png",
        "cover_image_data": b64(cover),
    }


def test_a_video_still_processing_at_the_bound_waits_for_a_later_attempt_on_the_same_upload(
    case: ContractCase,
) -> None:
    case.adapter.media_wait = 10
    case.fake.processing_checks = 10
    progress = base.Progress()
    with pytest.raises(base.Transient) as raised:
        publish(case, pin_content(case, case.video()), progress)
    assert raised.value.detail == (
        "Pinterest is still processing the video after 10 seconds; "
        "SMO checks the same upload again later."
    )
    assert case.sleeps == [5.0, 5.0]
    [media_id] = case.fake.media
    assert progress.as_dict() == {
        "started_at": NOW.isoformat(),
        "media_id": media_id,
        "uploaded": media_id,
    }
    assert case.fake.pins == []

    case.fake.media[media_id]["checks_left"] = 1
    publish(case, pin_content(case, case.video()), progress)
    assert len(case.fake.uploads) == 1
    assert len(case.fake.calls("POST", "/v5/media")) == 1
    assert len(case.fake.pins) == 1


def test_a_video_pinterest_could_not_process_fails_for_good(case: ContractCase) -> None:
    case.fake.processing_fails = True
    with pytest.raises(base.Permanent) as raised:
        publish(case, pin_content(case, case.video()))
    assert raised.value.detail == (
        "Pinterest could not process the video; check its format, length and size."
    )
    assert case.fake.pins == []


class WorkerKilled(Exception):
    """The worker process dying mid-publish, as the engine would see it."""


def test_a_worker_killed_while_the_video_processes_resumes_without_a_second_upload_or_pin(
    case: ContractCase,
) -> None:
    saved: dict[str, Any] = {}

    def killed(seconds: float) -> None:
        raise WorkerKilled

    dying = PinterestAdapter(case.fake.adapter_config(sleep=killed), build_session(1.0))
    with pytest.raises(WorkerKilled):
        dying.publish(
            case.creds, pin_content(case, case.video()), "key", base.Progress(save=saved.update)
        )
    [media_id] = case.fake.media
    assert saved["media_id"] == saved["uploaded"] == media_id  # stored before the crash

    result = publish(case, pin_content(case, case.video()), base.Progress(saved))

    assert len(case.fake.calls("POST", "/v5/media")) == 1
    assert len(case.fake.uploads) == 1
    [pin] = case.fake.pins
    assert result.external_id == pin["id"]


def test_an_upload_whose_answer_was_lost_is_not_sent_again(case: ContractCase) -> None:
    case.fake.timeout_after_receive("/")  # the upload host stores the file, then goes quiet
    progress = base.Progress()
    with pytest.raises(base.Transient) as raised:
        publish(case, pin_content(case, case.video()), progress)
    assert raised.value.detail == (
        "The video upload to Pinterest was cut off (ReadTimeout); nothing was pinned."
    )
    [media_id] = case.fake.media
    assert progress.get("media_id") == media_id and progress.get("uploaded") is None

    publish(case, pin_content(case, case.video()), progress)

    assert len(case.fake.uploads) == 1  # Pinterest had the file: it was not sent again
    assert progress.get("uploaded") == media_id
    assert len(case.fake.pins) == 1


def test_an_upload_that_never_arrived_registers_the_video_again(case: ContractCase) -> None:
    failure = s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
    case.fake.fail_next(500, failure.body, path="/", content_type="application/xml")
    progress = base.Progress()
    with pytest.raises(base.Transient) as raised:
        publish(case, pin_content(case, case.video()), progress)
    assert raised.value.detail == (
        "Pinterest's upload host refused the video for now (500 InternalError); "
        "SMO uploads it again."
    )

    publish(case, pin_content(case, case.video()), progress)

    first, second = case.fake.media
    assert case.fake.media[first]["status"] == "registered"  # never arrived, left unused
    assert progress.get("media_id") == progress.get("uploaded") == second
    assert len(case.fake.pins) == 1


def test_an_expired_upload_policy_is_tried_again_with_a_new_registration(
    case: ContractCase,
) -> None:
    case.fake.policy_seconds = -1
    with pytest.raises(base.Transient) as raised:
        publish(case, pin_content(case, case.video()))
    assert raised.value.code == "AccessDenied"
    assert case.fake.pins == []


def test_a_video_too_big_for_the_upload_host_fails_for_good(case: ContractCase) -> None:
    case.fake.upload_cap = 100
    with pytest.raises(base.Permanent) as raised:
        publish(case, pin_content(case, case.video()))
    assert raised.value.detail == (
        "Pinterest's upload host refused the video: "
        "Your proposed upload exceeds the maximum allowed size."
    )


def test_a_pin_already_made_returns_at_once_without_calling_pinterest(case: ContractCase) -> None:
    progress = base.Progress({"pin_id": "4242", "published_at": "2026-11-25T14:00:05+00:00"})
    result = publish(case, pin_content(case, case.image()), progress)
    assert result == base.Published(
        "4242", "https://www.pinterest.com/pin/4242/", datetime(2026, 11, 25, 14, 0, 5, tzinfo=UTC)
    )
    assert case.fake.requests == []
