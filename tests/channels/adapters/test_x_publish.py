"""Publishing each kind of content to X, checked request by request against FakeX."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.adapters import base
from tests.fakes.x import USER_ID, ContractCase, contract_case

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case
    assert case.fake.contract_violations == []


def publish(
    case: ContractCase, content: base.Content, progress: base.Progress | None = None
) -> base.Published:
    return case.adapter.publish(case.creds, content, "key-1", progress or base.Progress())


def media_file(
    tmp_path: Path, name: str, size: int, mime: str, kind: str, alt: str = ""
) -> base.MediaItem:
    path = tmp_path / name
    path.write_bytes(bytes(i % 251 for i in range(size)))
    return base.MediaItem(str(path), mime, kind, size, alt_text=alt)


def created(case: ContractCase) -> list[dict[str, object]]:
    return [r.body for r in case.fake.calls("POST", "/2/tweets")]


def test_a_text_post_returns_its_id_url_and_time(case: ContractCase) -> None:
    result = publish(case, base.Content("Hello from SMO"))

    [tweet] = case.fake.tweets
    assert result == base.Published(tweet["id"], f"https://x.com/acme/status/{tweet['id']}", NOW)
    assert created(case) == [{"text": "Hello from SMO"}]
    [call] = case.fake.calls("POST", "/2/tweets")
    assert call.headers["authorization"] == f"Bearer {case.creds.secrets['access_token']}"
    assert call.headers["content-type"] == "application/json"
    assert call.headers["user-agent"].startswith("SMO/")
    assert case.sleeps == []


def test_the_url_falls_back_to_i_web_without_a_handle(case: ContractCase) -> None:
    creds = base.Credentials(USER_ID, "", case.creds.secrets)
    result = case.adapter.publish(creds, base.Content("No handle"), "k", base.Progress())
    assert result.url == f"https://x.com/i/web/status/{result.external_id}"


def test_the_link_goes_at_the_end_of_the_first_post(case: ContractCase) -> None:
    publish(case, base.Content("Read this:  ", link="https://example.com/post"))
    publish(case, base.Content("", link="https://example.com/only"))
    publish(case, base.Content("Already https://example.com/in", link="https://example.com/in"))
    assert created(case) == [
        {"text": "Read this: https://example.com/post"},
        {"text": "https://example.com/only"},
        {"text": "Already https://example.com/in"},
    ]


def test_images_are_uploaded_in_chunks_with_alt_text_and_attached(
    case: ContractCase, tmp_path: Path
) -> None:
    cat = media_file(tmp_path, "cat.png", 3000, "image/png", "image", alt="A cat asleep")
    dog = media_file(tmp_path, "dog.jpg", 2000, "image/jpeg", "image")
    progress = base.Progress()
    publish(case, base.Content("Pets", media=(cat, dog)), progress)

    fake = case.fake
    ids = list(fake.media)
    assert [r.body for r in fake.calls("POST", "/2/media/upload/initialize")] == [
        {"media_type": "image/png", "total_bytes": 3000, "media_category": "tweet_image"},
        {"media_type": "image/jpeg", "total_bytes": 2000, "media_category": "tweet_image"},
    ]
    appends = fake.calls("POST", "/2/media/upload/*")
    [first_append] = [r for r in appends if r.path == f"/2/media/upload/{ids[0]}/append"]
    assert first_append.body == {"media": Path(cat.path).read_bytes(), "segment_index": "0"}
    assert first_append.content_type.startswith("multipart/form-data; boundary=")
    assert fake.calls("GET", "/2/media/upload") == []  # images need no processing
    assert [r.body for r in fake.calls("POST", "/2/media/metadata")] == [
        {"id": ids[0], "metadata": {"alt_text": {"text": "A cat asleep"}}}
    ]
    assert created(case) == [{"text": "Pets", "media": {"media_ids": ids}}]
    assert fake.media[ids[0]]["alt_text"] == "A cat asleep"
    assert progress.get("media_ids") == ids
    assert case.sleeps == []


def test_four_images_go_on_one_post(case: ContractCase, tmp_path: Path) -> None:
    images = tuple(
        media_file(tmp_path, f"{n}.webp", 100 + n, "image/webp", "image") for n in range(4)
    )
    publish(case, base.Content("", media=images))
    assert created(case) == [{"text": "", "media": {"media_ids": list(case.fake.media)}}]
    assert [len(m["chunks"][0]) for m in case.fake.media.values()] == [100, 101, 102, 103]


def test_a_gif_waits_for_processing_as_x_asks(case: ContractCase, tmp_path: Path) -> None:
    gif = media_file(tmp_path, "party.gif", 5000, "image/gif", "image")
    publish(case, base.Content("Party", media=(gif,)))

    [media_id] = case.fake.media
    assert case.fake.calls("POST", "/2/media/upload/initialize")[0].body == {
        "media_type": "image/gif",
        "total_bytes": 5000,
        "media_category": "tweet_gif",
    }
    statuses = case.fake.calls("GET", "/2/media/upload")
    assert [s.query for s in statuses] == [{"command": "STATUS", "media_id": media_id}] * 2
    assert case.sleeps == [1.0, 1.0]  # check_after_secs, each time
    assert created(case) == [{"text": "Party", "media": {"media_ids": [media_id]}}]


def test_a_video_is_sent_in_segments_and_reassembled(case: ContractCase, tmp_path: Path) -> None:
    case.adapter.chunk_bytes = 1024
    case.fake.processing_checks = 3
    video = media_file(tmp_path, "clip.mp4", 2500, "video/mp4", "video", alt="A clip")
    publish(case, base.Content("Watch", media=(video,)))

    [(media_id, item)] = case.fake.media.items()
    appends = [r for r in case.fake.calls("POST", "/2/media/upload/*") if "append" in r.path]
    assert [(r.body["segment_index"], len(r.body["media"])) for r in appends] == [
        ("0", 1024),
        ("1", 1024),
        ("2", 452),
    ]
    assert b"".join(item["chunks"][i] for i in range(3)) == Path(video.path).read_bytes()
    assert case.fake.calls("POST", f"/2/media/upload/{media_id}/finalize")[0].body is None
    assert len(case.fake.calls("GET", "/2/media/upload")) == 3
    assert case.sleeps == [1.0, 1.0, 1.0]
    assert item["state"] == "succeeded"
    assert item["media_key"] == f"7_{media_id}"
    assert item["alt_text"] == "A clip"
    assert created(case) == [{"text": "Watch", "media": {"media_ids": [media_id]}}]


def test_processing_longer_than_the_bound_is_transient_and_resumes_without_reupload(
    tmp_path: Path,
) -> None:
    with contract_case(media_wait_seconds=1.5) as case:
        case.fake.processing_checks = 4
        video = media_file(tmp_path, "long.mp4", 500, "video/mp4", "video")
        progress = base.Progress()
        with pytest.raises(base.Transient, match=r"still processing the media after 1\.5 seconds"):
            publish(case, base.Content("Long", media=(video,)), progress)
        assert case.sleeps == [1.0]
        assert case.fake.tweets == []
        [media_id] = progress.get("media_ids")

        case.sleeps.clear()
        case.adapter.media_wait = 60
        publish(case, base.Content("Long", media=(video,)), progress)

        assert len(case.fake.calls("POST", "/2/media/upload/initialize")) == 1
        assert case.fake.tweets[0]["media_ids"] == [media_id]
        assert case.sleeps == [1.0, 1.0]  # asked at once, then as X said
        assert case.fake.contract_violations == []


def test_media_x_cannot_process_is_permanent(case: ContractCase, tmp_path: Path) -> None:
    case.fake.processing_fails = True
    video = media_file(tmp_path, "broken.mp4", 500, "video/mp4", "video")
    with pytest.raises(base.Permanent, match="X could not process the media"):
        publish(case, base.Content("Broken", media=(video,)))
    assert case.fake.tweets == []


def test_a_missing_media_file_is_permanent_before_anything_is_sent(
    case: ContractCase, tmp_path: Path
) -> None:
    gone = base.MediaItem(str(tmp_path / "gone.png"), "image/png", "image", 10)
    with pytest.raises(base.Permanent, match=r"The media file gone\.png could not be read"):
        publish(case, base.Content("Gone", media=(gone,)))
    assert case.fake.requests == []


def test_a_thread_replies_each_post_to_the_one_before(case: ContractCase) -> None:
    progress = base.Progress()
    result = publish(
        case, base.Content("1/3 Start", link="https://example.com", thread=("2/3", "3/3")), progress
    )

    ids = [t["id"] for t in case.fake.tweets]
    assert created(case) == [
        {"text": "1/3 Start https://example.com"},
        {"text": "2/3", "reply": {"in_reply_to_tweet_id": ids[0]}},
        {"text": "3/3", "reply": {"in_reply_to_tweet_id": ids[1]}},
    ]
    assert {t["conversation_id"] for t in case.fake.tweets} == {ids[0]}
    assert result.external_id == ids[0]
    assert progress.as_dict() == {"post_ids": ids, "published_at": NOW.isoformat()}


def test_the_first_comment_replies_to_the_first_post_after_the_thread(
    case: ContractCase, tmp_path: Path
) -> None:
    image = media_file(tmp_path, "a.png", 10, "image/png", "image")
    progress = base.Progress()
    publish(
        case,
        base.Content("Root", media=(image,), thread=("Second",), first_comment="Link in here"),
        progress,
    )

    ids = [t["id"] for t in case.fake.tweets]
    assert created(case) == [
        {"text": "Root", "media": {"media_ids": list(case.fake.media)}},
        {"text": "Second", "reply": {"in_reply_to_tweet_id": ids[0]}},
        {"text": "Link in here", "reply": {"in_reply_to_tweet_id": ids[0]}},
    ]
    assert progress.get("first_comment_id") == ids[2]


def test_a_thread_cut_off_midway_resumes_without_posting_a_part_twice(case: ContractCase) -> None:
    content = base.Content("Part one", thread=("Part two", "Part three"), first_comment="Notes")

    def fail_the_second_part(steps: dict) -> None:
        if len(steps.get("post_ids", [])) == 1 and "published_at" not in steps:
            case.fake.fail_next(503, path="/2/tweets")

    progress = base.Progress(save=fail_the_second_part)
    with pytest.raises(base.Unknown):
        publish(case, content, progress)
    assert [t["text"] for t in case.fake.tweets] == ["Part one"]

    # The reconciler finds only the root, so the delivery is queued again.
    assert case.adapter.find_published(case.creds, content, "key-1", progress) is None
    result = publish(case, content, progress)

    tweets = case.fake.tweets
    assert [t["text"] for t in tweets] == ["Part one", "Part two", "Part three", "Notes"]
    assert [t["in_reply_to_tweet_id"] for t in tweets] == [
        None,
        tweets[0]["id"],
        tweets[1]["id"],
        tweets[0]["id"],
    ]
    assert result.external_id == tweets[0]["id"]
    assert result.published_at == NOW


def test_a_finished_publish_posts_nothing_again(case: ContractCase) -> None:
    content = base.Content("Once", thread=("Twice?",), first_comment="Thrice?")
    progress = base.Progress()
    first = publish(case, content, progress)
    assert publish(case, content, progress) == first
    assert len(case.fake.tweets) == 3
