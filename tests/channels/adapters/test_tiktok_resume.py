"""A TikTok publish cut short: what the next attempt does with what Progress kept.

TikTok has no idempotency key, so a publish_id once recorded is polled, never
replaced by a second init, unless the upload broke off before its last part
(TikTok cannot post a video it does not have)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.adapters import base
from tests.channels.adapters.tiktok_support import (
    INIT,
    NOW,
    PHOTO_INIT,
    STATUS,
    UPLOAD,
    adapter,
    content,
    creds,
    photo,
    start,
    video,
)
from tests.fakes.tiktok import FakeTikTok
from tests.fakes.tiktok_wire import ok


@pytest.fixture
def fake() -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        yield start(fake)


def test_a_crash_after_init_resumes_by_polling_the_same_publish(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    saved: list[dict[str, object]] = []
    progress = base.Progress(save=saved.append)
    fake.fail_next(500, path=STATUS)  # the worker's first status call goes wrong
    account = creds(fake)
    post = content(video(tmp_path, 900))

    with pytest.raises(base.Transient):
        adapter(fake).publish(account, post, "k", progress)
    [publish] = fake.publishes.values()
    # Saved at once, as the engine does: what a new worker would start from.
    assert saved[-1]["publish_id"] == publish.id
    resumed = base.Progress(saved[-1])
    result = adapter(fake).publish(account, post, "k", resumed)

    assert len(fake.calls("POST", INIT)) == 1
    assert len(fake.publishes) == 1
    assert result.external_id == publish.post_id


def test_still_processing_at_the_bound_is_transient_and_the_next_attempt_polls_again(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.processing_fetches = 4
    sleeps: list[float] = []
    tiktok = adapter(fake, sleeps, status_wait_seconds=10, poll_interval_seconds=5)
    progress = base.Progress()
    post = content(video(tmp_path, 900, fake=fake))
    account = creds(fake)

    with pytest.raises(base.Transient) as raised:
        tiktok.publish(account, post, "k", progress)
    assert raised.value.detail == (
        "TikTok is still processing the post after 10 seconds; "
        "SMO checks the same post again later."
    )
    assert raised.value.code == "processing"
    assert sleeps == [5.0, 5.0]
    assert len(fake.calls("POST", STATUS)) == 3

    result = tiktok.publish(account, post, "k", progress)

    assert len(fake.calls("POST", INIT)) == 1
    assert len(fake.calls("POST", STATUS)) == 5  # one more PROCESSING, then PUBLISH_COMPLETE
    assert result.external_id == next(iter(fake.publishes.values())).post_id


def test_an_upload_broken_off_before_its_last_part_starts_a_new_upload(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    progress = base.Progress()
    post = content(video(tmp_path, 10_700))
    account = creds(fake)
    fake.fail_next(503, path=UPLOAD)

    with pytest.raises(base.Transient) as raised:
        adapter(fake).publish(account, post, "k", progress)
    assert raised.value.detail == (
        "TikTok's upload server failed on part 1 of 7 (HTTP 503); nothing was posted, "
        "SMO uploads again."
    )
    assert progress.get("upload") == "started"
    first = progress.get("publish_id")

    result = adapter(fake).publish(account, post, "k", progress)

    assert len(fake.calls("POST", INIT)) == 2
    second = progress.get("publish_id")
    assert second != first
    assert fake.publishes[first].status == "PROCESSING_UPLOAD"  # it can never go out
    assert fake.publishes[second].status == "PUBLISH_COMPLETE"
    assert [v.id for v in fake.videos] == [result.external_id]


def test_a_connection_lost_midway_through_the_upload_is_transient(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.drop_after_receive(UPLOAD)  # the first part arrives; its answer never does
    progress = base.Progress()
    with pytest.raises(base.Transient) as raised:
        adapter(fake).publish(creds(fake), content(video(tmp_path, 10_700)), "k", progress)
    assert raised.value.detail.startswith("The upload to TikTok broke off at part 1 of 7 (")
    assert progress.get("upload") == "started"


def test_a_lost_answer_to_the_last_part_is_settled_by_the_status_not_a_new_upload(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.timeout_after_receive(UPLOAD)  # the only part: TikTok has the file, SMO hears nothing
    progress = base.Progress()

    result = adapter(fake, timeout=0.5).publish(
        creds(fake), content(video(tmp_path, 900)), "k", progress
    )

    [publish] = fake.publishes.values()
    assert progress.get("upload") == "last-part"
    assert len(fake.calls("POST", INIT)) == 1
    assert result.external_id == publish.post_id


def test_a_lost_answer_to_a_file_upload_init_is_transient_since_nothing_can_be_posted(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.timeout_after_receive(INIT)
    progress = base.Progress()
    post, account = content(video(tmp_path, 900)), creds(fake)

    with pytest.raises(base.Transient) as raised:
        adapter(fake, timeout=0.5).publish(account, post, "k", progress)
    assert raised.value.detail == (
        "TikTok did not answer (ReadTimeout); nothing was posted, trying again is safe."
    )
    # TikTok made a publish_id that waits for a file SMO never sent.
    [orphan] = fake.publishes.values()
    assert orphan.status == "PROCESSING_UPLOAD"
    assert adapter(fake).find_published(account, post, "k", progress) is None

    adapter(fake).publish(account, post, "k", progress)
    assert len(fake.videos) == 1


@pytest.mark.parametrize("kind", ["video by url", "photos"])
def test_a_lost_answer_to_an_init_tiktok_fetches_from_is_unknown(
    fake: FakeTikTok, tmp_path: Path, kind: str
) -> None:
    if kind == "photos":
        post, path = content(photo(fake)), PHOTO_INIT
    else:
        post, path = content(video(tmp_path, 900, fake=fake)), INIT
    fake.timeout_after_receive(path)
    with pytest.raises(base.Unknown) as raised:
        adapter(fake, timeout=0.5, pull_from_url=True).publish(
            creds(fake), post, "k", base.Progress()
        )
    assert raised.value.detail == (
        "TikTok did not answer (ReadTimeout); the post may exist, so SMO checks before "
        "trying again."
    )


def test_an_internal_error_on_init_is_unknown_only_where_tiktok_fetches_the_media(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    account = creds(fake)
    fake.fail_next(500, path=INIT)
    with pytest.raises(base.Unknown):
        adapter(fake, pull_from_url=True).publish(
            account, content(video(tmp_path, 900, fake=fake)), "k", base.Progress()
        )
    fake.fail_next(500, path=INIT)
    with pytest.raises(base.Transient) as raised:
        adapter(fake).publish(account, content(video(tmp_path, 900)), "k", base.Progress())
    assert raised.value.detail == (
        "TikTok had an internal error (Something went wrong. Please try again later.); "
        "nothing was posted, trying again is safe."
    )
    assert (raised.value.status, raised.value.code) == (500, "internal_error")


def test_progress_marks_the_moment_before_init_so_a_crash_before_it_means_nothing_sent(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    post, account = content(video(tmp_path, 900, fake=fake)), creds(fake)
    progress = base.Progress({"started_at": NOW.isoformat()})
    tiktok = adapter(fake, pull_from_url=True)
    assert tiktok.find_published(account, post, "k", progress) is None
    assert fake.calls("POST", "/v2/video/list/") == []


def test_an_init_answer_without_an_upload_url_starts_over(fake: FakeTikTok, tmp_path: Path) -> None:
    fake.fail_next(200, ok({"publish_id": "v_pub_file~v2-1.404"}).body, path=INIT)
    progress = base.Progress()
    post, account = content(video(tmp_path, 900)), creds(fake)
    with pytest.raises(base.Transient) as raised:
        adapter(fake).publish(account, post, "k", progress)
    assert raised.value.code == "no-upload-url"
    assert progress.get("publish_id") == "v_pub_file~v2-1.404"

    adapter(fake).publish(account, post, "k", progress)

    assert len(fake.calls("POST", INIT)) == 2
    assert progress.get("publish_id") != "v_pub_file~v2-1.404"
