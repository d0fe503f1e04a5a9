"""Publishing to a Facebook Page: each kind of post, first comments, resuming, limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.adapters import base
from channels.adapters.facebook import FacebookAdapter
from channels.adapters.session import build_session
from tests.fakes.graph import FakeGraph, jpeg

TOKEN = "page-token-acme"
CREDS = base.Credentials("1001", "Acme Bakery", {"access_token": TOKEN})


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN)
        yield fake
        assert fake.crashes == []  # the fake itself never failed


@pytest.fixture
def adapter(fake: FakeGraph) -> FacebookAdapter:
    return FacebookAdapter(fake.config(), build_session(1.0))


def photo(
    folder: Path, name: str = "bread.jpg", size: tuple[int, int] = (64, 48)
) -> base.MediaItem:
    data = jpeg(*size)
    (folder / name).write_bytes(data)
    return base.MediaItem(str(folder / name), "image/jpeg", "image", len(data), *size)


def clip(folder: Path) -> base.MediaItem:
    (folder / "clip.mp4").write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 3000)
    return base.MediaItem(str(folder / "clip.mp4"), "video/mp4", "video", 3012)


def test_a_text_post(fake: FakeGraph, adapter: FacebookAdapter) -> None:
    progress = base.Progress()

    result = adapter.publish(CREDS, base.Content("Fresh bread at 7."), "key-1", progress)

    [post] = fake.posts
    assert result == base.Published(post["id"], post["permalink_url"], result.published_at)
    assert result.published_at.strftime("%Y-%m-%dT%H:%M:%S+0000") == post["created_time"]
    create, read = fake.requests
    assert (create.method, create.path, create.params, create.token) == (
        "POST",
        "/1001/feed",
        {"message": "Fresh bread at 7."},
        TOKEN,
    )
    assert (read.method, read.path, read.params) == (
        "GET",
        f"/{post['id']}",
        {"fields": "permalink_url,created_time"},
    )
    assert progress.as_dict() == {
        "started_at": progress.get("started_at"),
        "post_id": post["id"],
    }


def test_a_link_is_sent_for_a_preview(fake: FakeGraph, adapter: FacebookAdapter) -> None:
    content = base.Content("New menu", link="https://acme.example/menu")
    adapter.publish(CREDS, content, "k", base.Progress())
    assert fake.requests[0].params == {"message": "New menu", "link": "https://acme.example/menu"}


def test_one_photo_is_uploaded_with_its_caption(
    fake: FakeGraph, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    image = photo(tmp_path)
    content = base.Content("Croissants", media=(image,), link="https://acme.example")

    result = adapter.publish(CREDS, content, "k", base.Progress())

    upload = fake.requests[0]
    assert (upload.path, upload.params) == (
        "/1001/photos",
        {"caption": "Croissants\n\nhttps://acme.example"},  # no preview on photo posts
    )
    source = upload.files["source"]
    assert (source.filename, source.content_type, source.size) == (
        "bread.jpg",
        "image/jpeg",
        image.size,
    )
    [post] = fake.posts
    assert result.external_id == post["id"]  # the post, not the photo
    assert post["message"] == "Croissants\n\nhttps://acme.example"


def test_several_photos_are_uploaded_unpublished_then_posted_together(
    fake: FakeGraph, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    images = tuple(photo(tmp_path, f"p{n}.jpg") for n in range(3))
    progress = base.Progress()

    result = adapter.publish(CREDS, base.Content("Our week", media=images), "k", progress)

    uploads = fake.calls("POST", "/photos")
    assert [u.params for u in uploads] == [{"published": "false"}] * 3
    assert [u.files["source"].filename for u in uploads] == ["p0.jpg", "p1.jpg", "p2.jpg"]
    photo_ids = list(fake.photos)
    [feed] = fake.calls("POST", "/feed")
    assert feed.params == {
        "message": "Our week",
        "attached_media[0]": f'{{"media_fbid": "{photo_ids[0]}"}}',
        "attached_media[1]": f'{{"media_fbid": "{photo_ids[1]}"}}',
        "attached_media[2]": f'{{"media_fbid": "{photo_ids[2]}"}}',
    }
    [post] = fake.posts
    assert (post["kind"], post["photo_ids"], result.external_id) == ("album", photo_ids, post["id"])
    assert progress.get("photo_ids") == photo_ids


def test_a_video_goes_to_the_graph_video_host(
    fake: FakeGraph, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    result = adapter.publish(
        CREDS, base.Content("Behind the counter", media=(clip(tmp_path),)), "k", base.Progress()
    )

    upload = fake.requests[0]
    assert (upload.host, upload.path, upload.params) == (
        "graph-video",
        "/1001/videos",
        {"description": "Behind the counter"},
    )
    assert (upload.files["source"].content_type, upload.files["source"].size) == ("video/mp4", 3012)
    [video_id] = fake.videos
    assert result.external_id == video_id
    assert result.url == f"https://www.facebook.com/1001/videos/{video_id}/"


def test_a_first_comment_is_posted_as_the_page(fake: FakeGraph, adapter: FacebookAdapter) -> None:
    progress = base.Progress()
    content = base.Content("Fresh bread at 7.", first_comment="Order at acme.example")

    result = adapter.publish(CREDS, content, "k", progress)

    comment_call = fake.calls("POST", "/comments")[0]
    assert (comment_call.path, comment_call.params, comment_call.token) == (
        f"/{result.external_id}/comments",
        {"message": "Order at acme.example"},
        TOKEN,
    )
    [comment] = fake.comments
    assert (comment["parent_id"], comment["from"]["id"]) == (result.external_id, "1001")
    assert progress.get("comment_id") == comment["id"]


def test_a_retry_skips_the_steps_progress_holds(fake: FakeGraph, adapter: FacebookAdapter) -> None:
    adapter.publish(CREDS, base.Content("Fresh bread at 7."), "k", base.Progress())
    post_id = fake.posts[0]["id"]
    progress = base.Progress({"started_at": "2026-11-25T14:00:00+00:00", "post_id": post_id})
    content = base.Content("Fresh bread at 7.", first_comment="Order now")
    fake.requests.clear()

    result = adapter.publish(CREDS, content, "k", progress)

    assert [(r.method, r.path) for r in fake.requests] == [
        ("POST", f"/{post_id}/comments"),
        ("GET", f"/{post_id}"),
    ]
    assert len(fake.posts) == 1 and result.external_id == post_id


def test_an_album_resumes_after_the_photos_already_uploaded(
    fake: FakeGraph, adapter: FacebookAdapter, tmp_path: Path
) -> None:
    images = tuple(photo(tmp_path, f"p{n}.jpg") for n in range(3))
    fake.fail_next(500, path="/photos", after=2)  # the third upload fails
    progress = base.Progress()
    with pytest.raises(base.Transient):
        adapter.publish(CREDS, base.Content("Our week", media=images), "k", progress)
    assert len(progress.get("photo_ids")) == 2

    adapter.publish(CREDS, base.Content("Our week", media=images), "k", progress)

    assert len(fake.calls("POST", "/photos")) == 4  # 2 + the failed one + the last
    assert fake.posts[0]["photo_ids"] == progress.get("photo_ids") == list(fake.photos)


def test_the_post_stands_when_reading_its_link_fails(
    fake: FakeGraph, adapter: FacebookAdapter
) -> None:
    fake.fail_next(500, path="/1001_")  # the GET of the new post's permalink

    result = adapter.publish(CREDS, base.Content("Fresh bread at 7."), "k", base.Progress())

    post_id = fake.posts[0]["id"]
    assert (result.external_id, result.url) == (post_id, f"https://www.facebook.com/{post_id}")


def test_an_unreadable_media_file_is_permanent(fake: FakeGraph, adapter: FacebookAdapter) -> None:
    missing = base.MediaItem("/nowhere/bread.jpg", "image/jpeg", "image", 100)
    with pytest.raises(base.Permanent, match=r"cannot read the media file bread\.jpg"):
        adapter.publish(CREDS, base.Content("x", media=(missing,)), "k", base.Progress())
    assert fake.requests == []


def test_credentials_without_a_token_must_reconnect(adapter: FacebookAdapter) -> None:
    with pytest.raises(base.AuthExpired, match="reconnect"):
        adapter.publish(base.Credentials("1001"), base.Content("x"), "k", base.Progress())


def test_validate_uses_facebooks_limits(adapter: FacebookAdapter, tmp_path: Path) -> None:
    image = base.MediaItem("/m/a.png", "image/png", "image", 1000)
    big = base.MediaItem("/m/b.jpg", "image/jpeg", "image", 5 * 1024 * 1024)
    video = base.MediaItem("/m/c.mp4", "video/mp4", "video", 1000)
    assert adapter.validate(base.Content("a" * 63206, media=(image,) * 10)) == []
    assert [p.message for p in adapter.validate(base.Content("a" * 63207))] == [
        "Facebook allows 63206 characters; this text has 63207."
    ]
    assert [
        p.message for p in adapter.validate(base.Content("x", media=(image,) * 11 + (video,)))
    ] == [
        "Facebook allows 10 images per post.",
        "Facebook does not mix images and video in one post.",
    ]
    assert [p.message for p in adapter.validate(base.Content("x", media=(big,)))] == [
        "Facebook takes images up to 4 MB."
    ]
    assert adapter.validate(base.Content("x", first_comment="More below")) == []
    assert [p.field for p in adapter.validate(base.Content("x", thread=("y",)))] == ["thread"]
