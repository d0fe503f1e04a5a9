"""Instagram errors: the daily cap, container polling bounds and expiry, failed media
fetches, lost answers, and finding what was published."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters.instagram import InstagramAdapter
from channels.adapters.session import build_session
from tests.fakes.graph import FakeGraph, graph_error, jpeg
from tests.fakes.graph_contract import ErrorCase, instagram_contract_case

TOKEN = "page-token-acme"
CREDS = base.Credentials("1789", "acmebakery", {"access_token": TOKEN}, options={"page_id": "1001"})
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with FakeGraph(now=lambda: NOW) as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN, instagram=("1789", "acmebakery"))
        yield fake
        assert fake.crashes == []  # the fake itself never failed


@pytest.fixture
def sleeps() -> list[float]:
    return []


def adapter(fake: FakeGraph, sleeps: list[float], timeout: float = 1.0) -> InstagramAdapter:
    config = fake.config(
        sleep=sleeps.append, now=lambda: NOW, container_wait_seconds=10, poll_interval_seconds=5
    )
    return InstagramAdapter(config, build_session(timeout))


def photo(fake: FakeGraph) -> base.Content:
    data = jpeg(1080, 1080)
    url = fake.add_file("bread.jpg", data, "image/jpeg")
    item = base.MediaItem("/media/bread.jpg", "image/jpeg", "image", len(data), 1080, 1080, url=url)
    return base.Content("Fresh bread #bakery", media=(item,))


def reel(fake: FakeGraph, served: bool = True) -> base.Content:
    url = (
        fake.add_file("clip.mp4", b"\0" * 5000, "video/mp4")
        if served
        else f"{fake.url}/files/gone.mp4"
    )
    item = base.MediaItem("/media/clip.mp4", "video/mp4", "video", 5000, url=url)
    return base.Content("Behind the counter", media=(item,))


def error_cases() -> list[ErrorCase]:
    with instagram_contract_case() as case:
        return case.errors


@pytest.mark.parametrize(("status", "body", "headers", "expected"), error_cases())
def test_each_documented_error_maps_to_its_class(
    fake: FakeGraph,
    sleeps: list[float],
    status: int,
    body: dict[str, object] | None,
    headers: dict[str, str] | None,
    expected: type,
) -> None:
    fake.fail_next(status, body, headers)
    with pytest.raises(base.AdapterError) as raised:
        adapter(fake, sleeps).publish(CREDS, photo(fake), "k", base.Progress())
    assert type(raised.value) is expected
    assert fake.containers == {} and fake.media == []
    assert TOKEN not in repr(raised.value.__dict__)


def test_the_daily_cap_stops_before_media_publish(fake: FakeGraph, sleeps: list[float]) -> None:
    fake.use_quota("1789", 50)
    progress = base.Progress()

    with pytest.raises(base.RateLimited) as raised:
        adapter(fake, sleeps).publish(CREDS, photo(fake), "k", progress)

    assert raised.value.detail == (
        "Instagram's 24-hour cap of 50 posts is reached (50 published); SMO tries again in an hour."
    )
    assert raised.value.retry_at == NOW + timedelta(hours=1)
    assert fake.calls("POST", "/media_publish") == []
    [container_id] = fake.containers
    assert progress.get("container_id") == container_id

    fake.quota_total = 100  # a day later: the same container is published
    adapter(fake, sleeps).publish(CREDS, photo(fake), "k", progress)
    assert list(fake.containers) == [container_id]
    assert fake.media[0]["container_id"] == container_id


def test_the_cap_from_media_publish_itself_is_a_rate_limit(
    fake: FakeGraph, sleeps: list[float]
) -> None:
    body = graph_error(9, "Application request limit reached", subcode=2207042)
    fake.fail_next(400, body, path="/media_publish")
    with pytest.raises(base.RateLimited) as raised:
        adapter(fake, sleeps).publish(CREDS, photo(fake), "k", base.Progress())
    assert raised.value.code == "9/2207042"
    assert raised.value.retry_at == NOW + timedelta(hours=1)


def test_polling_is_bounded_and_the_next_attempt_resumes_the_same_container(
    fake: FakeGraph, sleeps: list[float]
) -> None:
    fake.container_polls = 4
    progress = base.Progress()
    with pytest.raises(base.Transient) as raised:
        adapter(fake, sleeps).publish(CREDS, reel(fake), "k", progress)
    assert raised.value.detail == (
        "Instagram is still processing the media after 10 seconds; "
        "SMO checks the same container again later."
    )
    assert sleeps == [5.0, 5.0]
    [container_id] = fake.containers
    assert progress.get("container_id") == container_id

    result = adapter(fake, sleeps).publish(CREDS, reel(fake), "k", progress)

    assert len(fake.calls("POST", "/1789/media")) == 1  # never made again
    assert len(fake.calls("GET", f"/{container_id}")) == 5
    assert result.external_id == fake.media[0]["id"]


def test_an_expired_container_is_made_again(fake: FakeGraph, sleeps: list[float]) -> None:
    fake.container_polls = 4
    progress = base.Progress()
    with pytest.raises(base.Transient):
        adapter(fake, sleeps).publish(CREDS, reel(fake), "k", progress)
    old = progress.get("container_id")
    fake.expire_container(old)
    fake.container_polls = 0

    adapter(fake, sleeps).publish(CREDS, reel(fake), "k", progress)

    assert progress.get("container_id") != old
    assert fake.media[0]["container_id"] == progress.get("container_id")


def test_a_video_instagram_cannot_fetch_ends_in_error(fake: FakeGraph, sleeps: list[float]) -> None:
    with pytest.raises(base.Permanent) as raised:
        adapter(fake, sleeps).publish(CREDS, reel(fake, served=False), "k", base.Progress())
    assert raised.value.detail == (
        "Instagram could not process the media: Error: Media download has failed. "
        "The media URI doesn't meet our requirements. (2207052)"
    )
    assert [f.status for f in fake.fetches] == [404]


def test_an_image_instagram_cannot_fetch_fails_the_container(
    fake: FakeGraph, sleeps: list[float]
) -> None:
    item = base.MediaItem("/m/x.jpg", "image/jpeg", "image", 10, url=f"{fake.url}/files/gone.jpg")
    with pytest.raises(base.Permanent) as raised:
        adapter(fake, sleeps).publish(CREDS, base.Content("x", media=(item,)), "k", base.Progress())
    assert raised.value.detail.startswith(
        "Instagram refused this: The media could not be fetched from this uri:"
    )
    assert raised.value.code == "9004/2207052"


def test_a_png_is_refused_by_instagram_too(fake: FakeGraph, sleeps: list[float]) -> None:
    url = fake.add_file("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
    item = base.MediaItem("/m/logo.png", "image/jpeg", "image", 108, url=url)  # mislabelled
    with pytest.raises(base.Permanent, match="JPEG images only"):
        adapter(fake, sleeps).publish(CREDS, base.Content("x", media=(item,)), "k", base.Progress())


def test_a_lost_publish_answer_is_unknown_then_found(fake: FakeGraph, sleeps: list[float]) -> None:
    content = photo(fake)
    fake.timeout_after_receive(path="/media_publish")
    progress = base.Progress()
    with pytest.raises(base.Unknown):
        adapter(fake, sleeps, timeout=0.2).publish(CREDS, content, "k", progress)
    [media] = fake.media

    found = adapter(fake, sleeps).find_published(CREDS, content, "k", progress)

    assert found == base.Published(media["id"], media["permalink"], NOW)
    assert progress.get("media_id") == media["id"]
    assert fake.calls("GET", "/1789/media")[0].params == {
        "fields": "id,caption,permalink,timestamp",
        "limit": "25",
    }


def test_a_publish_after_a_lost_answer_does_not_publish_twice(
    fake: FakeGraph, sleeps: list[float]
) -> None:
    content = photo(fake)
    fake.timeout_after_receive(path="/media_publish")
    progress = base.Progress()
    with pytest.raises(base.Unknown):
        adapter(fake, sleeps, timeout=0.2).publish(CREDS, content, "k", progress)

    # The container now says PUBLISHED: the media is looked up, not published again.
    result = adapter(fake, sleeps).publish(CREDS, content, "k", progress)

    assert len(fake.calls("POST", "/media_publish")) == 1
    assert result.external_id == fake.media[0]["id"] == progress.get("media_id")


def test_find_published_says_none_when_nothing_was_published(
    fake: FakeGraph, sleeps: list[float]
) -> None:
    assert adapter(fake, sleeps).find_published(CREDS, photo(fake), "k", base.Progress()) is None
    assert InstagramAdapter.supports_lookup is True


def test_a_carousel_resumes_after_the_children_already_made(
    fake: FakeGraph, sleeps: list[float]
) -> None:
    urls = [fake.add_file(f"p{n}.jpg", jpeg(), "image/jpeg") for n in range(3)]
    items = tuple(
        base.MediaItem(f"/m/p{n}.jpg", "image/jpeg", "image", 600, url=u)
        for n, u in enumerate(urls)
    )
    content = base.Content("Our week", media=items)
    fake.fail_next(500, path="/1789/media", after=2)  # the third child
    progress = base.Progress()
    with pytest.raises(base.Transient):
        adapter(fake, sleeps).publish(CREDS, content, "k", progress)
    assert len(progress.get("children")) == 2

    adapter(fake, sleeps).publish(CREDS, content, "k", progress)

    assert fake.media[0]["children"] == progress.get("children")
    assert len(fake.containers) == 4  # 3 children and the carousel, none twice
