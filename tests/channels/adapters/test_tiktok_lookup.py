"""Reconciling TikTok deliveries: with a recorded publish_id the status says; without
one (init's answer lost) the creator's public video list does, where it can."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from channels.adapters import base
from tests.channels.adapters.tiktok_support import (
    INIT,
    LIST,
    NOW,
    OPEN_ID,
    STATUS,
    adapter,
    content,
    creds,
    start,
    video,
)
from tests.fakes.tiktok import FakeTikTok

SENT = {"started_at": NOW.isoformat(), "init_sent_at": NOW.isoformat(), "source": "PULL_FROM_URL"}


@pytest.fixture
def fake() -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        yield start(fake)


def test_a_recorded_publish_that_completed_is_found_by_its_status(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.processing_fetches = 5
    progress = base.Progress()
    post, account = content(video(tmp_path, 900)), creds(fake)
    with pytest.raises(base.Transient):
        adapter(fake, status_wait_seconds=0).publish(account, post, "k", progress)
    publish_id = progress.get("publish_id")

    assert adapter(fake).find_published(account, post, "k", progress) is None  # still processing
    fake.finish(publish_id)
    found = adapter(fake).find_published(account, post, "k", progress)

    post_id = fake.publishes[publish_id].post_id
    assert found == base.Published(
        post_id, f"https://www.tiktok.com/@acmebakery/video/{post_id}", NOW
    )
    assert fake.calls("POST", LIST) == []


def test_a_recorded_publish_that_failed_is_left_to_publish_to_report(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.fail_reason = "picture_size_check_failed"
    progress = base.Progress()
    post, account = content(video(tmp_path, 900)), creds(fake)
    with pytest.raises(base.Permanent):
        adapter(fake).publish(account, post, "k", progress)
    assert adapter(fake).find_published(account, post, "k", progress) is None


def test_a_lost_pull_init_is_found_in_the_public_list_across_pages(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.processing_fetches = 0
    fake.list_page_size = 2  # fewer a page than asked for, as TikTok may answer
    post = content(video(tmp_path, 900, fake=fake), text="Cardamom buns, fresh at 7")
    fake.timeout_after_receive(INIT)
    with pytest.raises(base.Unknown):
        adapter(fake, timeout=0.5, pull_from_url=True).publish(
            creds(fake), post, "k", base.Progress()
        )
    # Newer posts made since push it off the first page.
    for n in range(3):
        fake.add_video(OPEN_ID, f"Later post {n}", age=-60 - n)

    found = adapter(fake, pull_from_url=True).find_published(
        creds(fake), post, "k", base.Progress(SENT)
    )

    [made] = [v for v in fake.videos if v.title == "Cardamom buns, fresh at 7"]
    assert found is not None
    assert (found.external_id, found.url) == (
        made.id,
        f"https://www.tiktok.com/@acmebakery/video/{made.id}",
    )
    pages = fake.calls("POST", LIST)
    assert [p.body for p in pages] == [
        {"max_count": 20},
        {"max_count": 20, "cursor": pages[1].body["cursor"]},
    ]
    assert pages[0].query == {"fields": "id,title,video_description,create_time,share_url"}


def test_a_long_caption_is_matched_by_the_150_characters_the_list_shows(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    text = "Buns " * 60  # 300 characters; the list shows the first 150
    video_id = fake.add_video(OPEN_ID, text)
    post = content(video(tmp_path, 900, fake=fake), text=text)
    found = adapter(fake, pull_from_url=True).find_published(
        creds(fake), post, "k", base.Progress(SENT)
    )
    assert found is not None and found.external_id == video_id
    assert fake.videos[0].title == text[:150]


def test_an_older_look_alike_is_not_this_post(fake: FakeTikTok, tmp_path: Path) -> None:
    fake.add_video(OPEN_ID, "Cardamom buns at 7", age=3600)  # posted an hour before
    post = content(video(tmp_path, 900, fake=fake))
    tiktok = adapter(fake, pull_from_url=True, listing_wait_seconds=0)
    assert tiktok.find_published(creds(fake), post, "k", base.Progress(SENT)) is None


def test_not_listed_yet_is_asked_again_until_moderation_could_have_passed(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    post = content(video(tmp_path, 900, fake=fake))
    with pytest.raises(base.Transient) as raised:
        adapter(fake, pull_from_url=True).find_published(
            creds(fake), post, "k", base.Progress(SENT)
        )
    assert raised.value.detail == (
        "The post is not in the account's public list yet; TikTok may still be reviewing "
        "it. SMO looks again later."
    )
    later = {**SENT, "init_sent_at": (NOW - timedelta(hours=7)).isoformat()}
    assert (
        adapter(fake, pull_from_url=True).find_published(
            creds(fake), post, "k", base.Progress(later)
        )
        is None
    )


def test_a_lost_private_post_cannot_be_looked_up_and_goes_to_a_person(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    post = content(video(tmp_path, 900, fake=fake), privacy_level="SELF_ONLY")
    with pytest.raises(base.CannotTell) as raised:
        adapter(fake, pull_from_url=True).find_published(
            creds(fake), post, "k", base.Progress(SENT)
        )
    assert raised.value.detail == (
        "TikTok lists only public posts, so SMO cannot tell whether this post went out. "
        "Check the account in the TikTok app, then mark the post published or schedule it "
        "again."
    )
    assert fake.requests == []


def test_a_file_upload_without_a_publish_id_was_never_posted(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    post = content(video(tmp_path, 900))
    progress = base.Progress({**SENT, "source": "FILE_UPLOAD"})
    assert adapter(fake).find_published(creds(fake), post, "k", progress) is None
    assert fake.requests == []


def test_an_upload_that_never_finished_is_not_looked_for(fake: FakeTikTok, tmp_path: Path) -> None:
    progress = base.Progress(
        {**SENT, "source": "FILE_UPLOAD", "publish_id": "v_pub_file~v2-1.1", "upload": "started"}
    )
    post = content(video(tmp_path, 900))
    assert adapter(fake).find_published(creds(fake), post, "k", progress) is None
    assert fake.calls("POST", STATUS) == []
