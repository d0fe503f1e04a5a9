"""Publishing to Instagram: containers, polling, carousels, reels, first comments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.adapters import base
from channels.adapters.instagram import InstagramAdapter
from channels.adapters.session import build_session
from tests.fakes.graph import FakeGraph, jpeg

TOKEN = "page-token-acme"
CREDS = base.Credentials("1789", "acmebakery", {"access_token": TOKEN}, options={"page_id": "1001"})
MP4 = b"\0\0\0\x18ftypmp42" + b"\0" * 4000


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN, instagram=("1789", "acmebakery"))
        yield fake
        assert fake.crashes == []  # the fake itself never failed


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def adapter(fake: FakeGraph, sleeps: list[float]) -> InstagramAdapter:
    config = fake.config(sleep=sleeps.append, container_wait_seconds=60, poll_interval_seconds=5)
    return InstagramAdapter(config, build_session(1.0))


def image(fake: FakeGraph, name: str = "bread.jpg", alt_text: str = "") -> base.MediaItem:
    data = jpeg(1080, 1080)
    url = fake.add_file(name, data, "image/jpeg")
    return base.MediaItem(
        f"/media/{name}", "image/jpeg", "image", len(data), 1080, 1080, alt_text, url
    )


def video(fake: FakeGraph, name: str = "clip.mp4") -> base.MediaItem:
    url = fake.add_file(name, MP4, "video/mp4")
    return base.MediaItem(f"/media/{name}", "video/mp4", "video", len(MP4), 1080, 1920, url=url)


def test_a_single_image(fake: FakeGraph, adapter: InstagramAdapter, sleeps: list[float]) -> None:
    item = image(fake, alt_text="A loaf on a board")
    progress = base.Progress()

    result = adapter.publish(
        CREDS, base.Content("Fresh bread #bakery", media=(item,)), "k", progress
    )

    [container_id] = fake.containers
    [media] = fake.media
    assert [(r.method, r.path, r.params) for r in fake.requests] == [
        (
            "POST",
            "/1789/media",
            {
                "caption": "Fresh bread #bakery",
                "image_url": item.url,
                "alt_text": "A loaf on a board",
            },
        ),
        ("GET", f"/{container_id}", {"fields": "status_code,status"}),
        ("GET", "/1789/content_publishing_limit", {"fields": "quota_usage,config"}),
        ("POST", "/1789/media_publish", {"creation_id": container_id}),
        ("GET", f"/{media['id']}", {"fields": "permalink,timestamp"}),
    ]
    assert all(r.token == TOKEN for r in fake.requests)
    assert [(f.url, f.status, f.size) for f in fake.fetches] == [(item.url, 200, item.size)]
    assert result == base.Published(media["id"], media["permalink"], result.published_at)
    assert (media["media_type"], media["caption"]) == ("IMAGE", "Fresh bread #bakery")
    assert progress.as_dict() == {
        "started_at": progress.get("started_at"),
        "container_id": container_id,
        "media_id": media["id"],
    }
    assert sleeps == []


def test_the_link_ends_the_caption(fake: FakeGraph, adapter: InstagramAdapter) -> None:
    content = base.Content("New menu", media=(image(fake),), link="https://acme.example/menu")
    adapter.publish(CREDS, content, "k", base.Progress())
    assert fake.media[0]["caption"] == "New menu\n\nhttps://acme.example/menu"


def test_a_carousel_of_images_and_a_video(
    fake: FakeGraph, adapter: InstagramAdapter, sleeps: list[float]
) -> None:
    items = (image(fake, "a.jpg"), video(fake), image(fake, "b.jpg"))
    fake.container_polls = 1  # the video child and the carousel each need one more look
    progress = base.Progress()

    result = adapter.publish(CREDS, base.Content("Our week", media=items), "k", progress)

    creates = fake.calls("POST", "/1789/media")
    children = [c for c in fake.containers if fake.containers[c]["is_carousel_item"]]
    assert [c.params for c in creates] == [
        {"is_carousel_item": "true", "image_url": items[0].url},
        {"is_carousel_item": "true", "media_type": "VIDEO", "video_url": items[1].url},
        {"is_carousel_item": "true", "image_url": items[2].url},
        {"media_type": "CAROUSEL", "children": ",".join(children), "caption": "Our week"},
    ]
    carousel = next(c for c in fake.containers if not fake.containers[c]["is_carousel_item"])
    assert progress.get("children") == children
    assert progress.get("container_id") == carousel
    assert fake.calls("POST", "/media_publish")[0].params == {"creation_id": carousel}
    [media] = fake.media
    assert (media["media_type"], media["children"], result.external_id) == (
        "CAROUSEL_ALBUM",
        children,
        media["id"],
    )
    assert sleeps == [5.0, 5.0]  # once for the video child, once for the carousel


def test_a_video_is_a_reel_and_is_polled_until_finished(
    fake: FakeGraph, adapter: InstagramAdapter, sleeps: list[float]
) -> None:
    clip = video(fake)
    fake.container_polls = 3

    result = adapter.publish(
        CREDS, base.Content("Behind the counter", media=(clip,)), "k", base.Progress()
    )

    create = fake.calls("POST", "/1789/media")[0]
    assert create.params == {
        "caption": "Behind the counter",
        "media_type": "REELS",
        "video_url": clip.url,
        "share_to_feed": "true",
    }
    [container_id] = fake.containers
    assert len(fake.calls("GET", f"/{container_id}")) == 4  # 3 IN_PROGRESS, then FINISHED
    assert sleeps == [5.0, 5.0, 5.0]
    assert result.url == fake.media[0]["permalink"]
    assert "/reel/" in result.url
    assert fake.fetches[0].size == len(MP4)


def test_a_first_comment_on_instagram(fake: FakeGraph, adapter: InstagramAdapter) -> None:
    progress = base.Progress()
    content = base.Content("Fresh bread", media=(image(fake),), first_comment="#bread #sourdough")

    result = adapter.publish(CREDS, content, "k", progress)

    call = fake.calls("POST", "/comments")[0]
    assert (call.path, call.params) == (
        f"/{result.external_id}/comments",
        {"message": "#bread #sourdough"},
    )
    [comment] = fake.comments
    assert (comment["text"], comment["username"]) == ("#bread #sourdough", "acmebakery")
    assert progress.get("comment_id") == comment["id"]


def test_a_retry_after_publishing_only_adds_what_is_missing(
    fake: FakeGraph, adapter: InstagramAdapter
) -> None:
    adapter.publish(CREDS, base.Content("Fresh bread", media=(image(fake),)), "k", base.Progress())
    media_id = fake.media[0]["id"]
    progress = base.Progress({"started_at": "2026-11-25T14:00:00+00:00", "media_id": media_id})
    fake.requests.clear()

    adapter.publish(
        CREDS, base.Content("Fresh bread", media=(image(fake),), first_comment="Hi"), "k", progress
    )

    assert [(r.method, r.path) for r in fake.requests] == [
        ("POST", f"/{media_id}/comments"),
        ("GET", f"/{media_id}"),
    ]


def test_media_without_a_public_url_is_permanent(
    fake: FakeGraph, adapter: InstagramAdapter
) -> None:
    local = base.MediaItem("/media/bread.jpg", "image/jpeg", "image", 1000, 1080, 1080)
    with pytest.raises(base.Permanent, match=r"public URL; bread\.jpg has none"):
        adapter.publish(CREDS, base.Content("x", media=(local,)), "k", base.Progress())
    assert fake.requests == []
