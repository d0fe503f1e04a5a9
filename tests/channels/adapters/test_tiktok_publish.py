"""Publishing to TikTok: videos by file (whole and in chunks) and by URL, photo posts,
the settings sent, and status polling to the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.adapters import base
from tests.channels.adapters.tiktok_support import (
    CREATOR_INFO,
    INIT,
    NOW,
    OPEN_ID,
    PHOTO_INIT,
    STATUS,
    UPLOAD,
    adapter,
    content,
    creds,
    photo,
    start,
    video,
    video_bytes,
)
from tests.fakes.tiktok import FakeTikTok
from tests.fakes.tiktok_wire import ok

ALL_OFF = {
    "disable_comment": True,
    "disable_duet": True,
    "disable_stitch": True,
    "brand_organic_toggle": False,
    "brand_content_toggle": False,
    "is_aigc": False,
}


@pytest.fixture
def fake() -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        yield start(fake)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def test_a_small_video_goes_whole_then_is_polled_until_published(
    fake: FakeTikTok, sleeps: list[float], tmp_path: Path
) -> None:
    clip = video(tmp_path, 900)
    progress = base.Progress()

    result = adapter(fake, sleeps).publish(creds(fake), content(clip), "k", progress)

    [publish] = fake.publishes.values()
    assert [(r.method, r.path) for r in fake.requests] == [
        ("POST", CREATOR_INFO),
        ("POST", INIT),
        ("PUT", UPLOAD),
        ("POST", STATUS),
        ("POST", STATUS),
    ]
    assert fake.calls("POST", INIT)[0].body == {
        "post_info": {
            "title": "Cardamom buns at 7",
            "privacy_level": "PUBLIC_TO_EVERYONE",
            **ALL_OFF,
        },
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": 900,
            "chunk_size": 900,
            "total_chunk_count": 1,
        },
    }
    [put] = fake.calls("PUT", UPLOAD)
    assert put.headers["content-range"] == "bytes 0-899/900"
    assert put.headers["content-type"] == "video/mp4"
    assert "authorization" not in put.headers  # the upload URL carries its own token
    assert bytes(publish.received) == video_bytes(900)
    assert sleeps == [5.0]  # one PROCESSING_UPLOAD answer, then PUBLISH_COMPLETE
    assert result == base.Published(
        publish.post_id, f"https://www.tiktok.com/@acmebakery/video/{publish.post_id}", NOW
    )
    assert progress.as_dict() == {
        "started_at": NOW.isoformat(),
        "username": "acmebakery",
        "source": "FILE_UPLOAD",
        "upload": "done",
        "init_sent_at": NOW.isoformat(),
        "publish_id": publish.id,
        "video_size": 900,
    }


def test_a_video_over_the_chunk_maximum_goes_in_chunks_in_order(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    clip = video(tmp_path, 10_700)  # over the 4,000-byte maximum: 1,500-byte chunks

    adapter(fake).publish(creds(fake), content(clip), "k", base.Progress())

    source = fake.calls("POST", INIT)[0].body["source_info"]
    assert source == {
        "source": "FILE_UPLOAD",
        "video_size": 10_700,
        "chunk_size": 1500,
        "total_chunk_count": 7,  # floor(10,700 / 1,500); the last takes 1,700 bytes
    }
    puts = fake.calls("PUT", UPLOAD)
    assert [p.headers["content-range"] for p in puts] == [
        "bytes 0-1499/10700",
        "bytes 1500-2999/10700",
        "bytes 3000-4499/10700",
        "bytes 4500-5999/10700",
        "bytes 6000-7499/10700",
        "bytes 7500-8999/10700",
        "bytes 9000-10699/10700",
    ]
    assert [int(p.headers["content-length"]) for p in puts] == [1500] * 6 + [1700]
    [publish] = fake.publishes.values()
    assert bytes(publish.received) == video_bytes(10_700)
    assert publish.status == "PUBLISH_COMPLETE"


def test_a_video_under_the_chunk_maximum_but_over_the_chosen_chunk_is_chunked_too(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    adapter(fake).publish(creds(fake), content(video(tmp_path, 3500)), "k", base.Progress())
    assert fake.calls("POST", INIT)[0].body["source_info"]["total_chunk_count"] == 2
    assert [p.headers["content-range"] for p in fake.calls("PUT", UPLOAD)] == [
        "bytes 0-1499/3500",
        "bytes 1500-3499/3500",
    ]


def test_a_video_by_url_is_fetched_by_tiktok(fake: FakeTikTok, tmp_path: Path) -> None:
    clip = video(tmp_path, 5000, fake=fake)

    result = adapter(fake, pull_from_url=True).publish(
        creds(fake), content(clip), "k", base.Progress()
    )

    assert fake.calls("POST", INIT)[0].body["source_info"] == {
        "source": "PULL_FROM_URL",
        "video_url": clip.url,
    }
    assert fake.calls("PUT", UPLOAD) == []
    assert fake.fetches == [(clip.url, True)]
    [publish] = fake.publishes.values()
    assert publish.id.startswith("v_pub_url~")
    assert result.external_id == publish.post_id


def test_photos_are_posted_from_their_urls_with_title_description_and_cover(
    fake: FakeTikTok,
) -> None:
    photos = (photo(fake, "a.jpg"), photo(fake, "b.webp", "WEBP"), photo(fake, "c.jpg"))
    post = content(
        *photos,
        text="Our spring buns, all three",
        title="Spring buns",
        photo_cover="2",
        disable_comment=False,
        brand_organic_toggle=True,
    )

    result = adapter(fake).publish(creds(fake), post, "k", base.Progress())

    assert fake.calls("POST", INIT) == []
    assert fake.calls("POST", PHOTO_INIT)[0].body == {
        "post_info": {
            "description": "Our spring buns, all three",
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "disable_comment": False,
            "brand_organic_toggle": True,
            "brand_content_toggle": False,
            "title": "Spring buns",
        },
        "source_info": {
            "source": "PULL_FROM_URL",
            "photo_images": [p.url for p in photos],
            "photo_cover_index": 1,
        },
        "post_mode": "DIRECT_POST",
        "media_type": "PHOTO",
    }
    assert [url for url, _ in fake.fetches] == [p.url for p in photos]
    [publish] = fake.publishes.values()
    assert result.external_id == publish.post_id


def test_every_setting_reaches_post_info_and_the_link_ends_the_caption(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    post = content(
        video(tmp_path, 900),
        text="New menu",
        disable_comment=False,
        disable_duet=False,
        disable_stitch=False,
        brand_content_toggle=True,
        is_aigc=True,
    )
    post = base.Content(
        post.text, post.media, link="https://acme.example/menu", options=post.options
    )

    adapter(fake).publish(creds(fake), post, "k", base.Progress())

    assert fake.calls("POST", INIT)[0].body["post_info"] == {
        "title": "New menu\n\nhttps://acme.example/menu",
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "disable_comment": False,
        "disable_duet": False,
        "disable_stitch": False,
        "brand_organic_toggle": False,
        "brand_content_toggle": True,
        "is_aigc": True,
    }


def test_polling_follows_processing_to_the_end(
    fake: FakeTikTok, sleeps: list[float], tmp_path: Path
) -> None:
    fake.processing_fetches = 3

    result = adapter(fake, sleeps, pull_from_url=True).publish(
        creds(fake), content(video(tmp_path, 900, fake=fake)), "k", base.Progress()
    )

    assert len(fake.calls("POST", STATUS)) == 4  # PROCESSING_DOWNLOAD three times
    assert sleeps == [5.0, 5.0, 5.0]
    assert result.external_id == next(iter(fake.publishes.values())).post_id


def test_a_failed_publish_is_permanent_and_says_why(fake: FakeTikTok, tmp_path: Path) -> None:
    fake.fail_reason = "duration_check_failed"

    with pytest.raises(base.Permanent) as raised:
        adapter(fake).publish(creds(fake), content(video(tmp_path, 900)), "k", base.Progress())

    assert raised.value.detail == (
        "TikTok could not publish the post: the video is too long or too short for this account"
    )
    assert raised.value.code == "duration_check_failed"


def test_a_reason_tiktok_adds_later_is_shown_as_it_came(fake: FakeTikTok, tmp_path: Path) -> None:
    fake.fail_reason = "some_new_reason"
    with pytest.raises(base.Permanent) as raised:
        adapter(fake).publish(creds(fake), content(video(tmp_path, 900)), "k", base.Progress())
    assert raised.value.detail == "TikTok could not publish the post: some_new_reason"


def test_until_moderation_gives_an_id_published_holds_the_publish_id_and_the_profile(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.hold_moderation = True

    result = adapter(fake).publish(creds(fake), content(video(tmp_path, 900)), "k", base.Progress())

    [publish] = fake.publishes.values()
    assert result == base.Published(publish.id, "https://www.tiktok.com/@acmebakery", NOW)


def test_a_private_post_never_gets_an_id_and_is_published_as_its_publish_id(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    post = content(video(tmp_path, 900), privacy_level="SELF_ONLY")
    result = adapter(fake).publish(creds(fake), post, "k", base.Progress())
    [publish] = fake.publishes.values()
    assert (result.external_id, result.url) == (publish.id, "https://www.tiktok.com/@acmebakery")


def test_an_unaudited_app_posts_to_a_private_account_as_only_me(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.audited = False
    fake.creators[OPEN_ID].private = True
    post = content(video(tmp_path, 900), privacy_level="FOLLOWER_OF_CREATOR")

    adapter(fake).publish(creds(fake), post, "k", base.Progress())

    [publish] = fake.publishes.values()
    assert (publish.privacy, publish.post_id) == ("SELF_ONLY", "")


def test_option_choices_are_the_privacy_levels_the_account_offers(fake: FakeTikTok) -> None:
    tiktok = adapter(fake)
    assert tiktok.option_choices(creds(fake), "privacy_level") == [
        ("PUBLIC_TO_EVERYONE", "Everyone"),
        ("MUTUAL_FOLLOW_FRIENDS", "Friends (followers you follow back)"),
        ("SELF_ONLY", "Only me"),
    ]
    fake.creators[OPEN_ID].private = True
    assert [v for v, _ in tiktok.option_choices(creds(fake), "privacy_level")] == [
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert tiktok.option_choices(creds(fake), "title") == []


@pytest.mark.parametrize(
    ("status", "error", "detail"),
    [
        (
            "SEND_TO_USER_INBOX",
            base.Permanent,
            "TikTok sent the post to the account's inbox instead of publishing it; "
            "finish it in the TikTok app.",
        ),
        ("SOMETHING_NEW", base.Transient, "TikTok reported an unknown status (SOMETHING_NEW)."),
    ],
)
def test_statuses_a_direct_post_should_not_have(
    fake: FakeTikTok, tmp_path: Path, status: str, error: type[base.AdapterError], detail: str
) -> None:
    fake.fail_next(200, ok({"status": status}).body, path=STATUS)
    with pytest.raises(error) as raised:
        adapter(fake).publish(creds(fake), content(video(tmp_path, 900)), "k", base.Progress())
    assert raised.value.detail == detail


def test_a_png_named_jpeg_is_refused_by_tiktok_after_it_fetches_it(fake: FakeTikTok) -> None:
    png = photo(fake, "logo.png", "PNG")
    disguised = base.MediaItem(png.path, "image/jpeg", "image", png.size, 64, 64, url=png.url)
    with pytest.raises(base.Permanent) as raised:
        adapter(fake).publish(creds(fake), content(disguised), "k", base.Progress())
    assert raised.value.detail == (
        "TikTok could not publish the post: the file's format is not one TikTok takes"
    )
    assert fake.fetches == [(png.url, True)]
