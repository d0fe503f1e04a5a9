from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from scheduler.models import MediaAsset, Post
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def png(width: int = 32, height: int = 16) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, "PNG")
    return out.getvalue()


def upload(api, name: str, content: bytes, mime: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    return api.post(
        "/api/v1/media/",
        {"file": SimpleUploadedFile(name, content, mime), "alt_text": "An orange box"},
        format="multipart",
    )


def test_an_image_is_checked_and_stored_with_its_size(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = upload(api, "box.png", png())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["kind"],
        body["mime_type"],
        body["width"],
        body["height"],
        body["alt_text"],
        body["original_name"],
    ) == (
        "image",
        "image/png",
        32,
        16,
        "An orange box",
        "box.png",
    )
    assert body["url"].startswith("http://testserver/media/media/")
    assert MediaAsset.objects.get().workspace == cast.workspace


def test_a_file_named_like_an_image_that_is_not_one_is_refused(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = upload(api, "evil.png", b"#!/bin/sh\necho hi\n")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "file": [
            "This is not an image or video SMO can use (JPEG, PNG, GIF, WebP, MP4, MOV or WebM)."
        ]
    }
    assert MediaAsset.objects.count() == 0


def test_a_truncated_image_is_refused(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = upload(api, "half.png", png()[:60])
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]


def test_an_image_format_networks_do_not_take_is_refused(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "BMP")
    response = upload(api, "old.bmp", out.getvalue())
    assert response.json()["errors"] == {
        "file": ["BMP images are not supported; use JPEG, PNG, GIF or WebP."]
    }


def test_a_missing_file_is_named(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/media/", {}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]


def test_an_mp4_is_taken_as_video(cast: Cast, api, make_video) -> None:  # type: ignore[no-untyped-def]
    response = upload(api, "clip.mp4", make_video(1, 64, 48, "mp4").read_bytes())
    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["mime_type"]) == ("video", "video/mp4")


def test_a_post_carries_its_media_and_another_workspaces_media_is_refused(
    cast: Cast, api, account
) -> None:  # type: ignore[no-untyped-def]
    mine = upload(api, "a.png", png()).json()["id"]
    theirs = upload(api.as_role("editor"), "b.png", png()).json()["id"]
    MediaAsset.objects.filter(pk=theirs).update(workspace=cast.outsider.workspace)
    when = datetime(2030, 1, 1, tzinfo=UTC).isoformat()
    ok = api.post(
        "/api/v1/posts/",
        {"text": "pic", "scheduled_at": when, "account_ids": [account.pk], "media_ids": [mine]},
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["media_ids"] == [mine]
    bad = api.post(
        "/api/v1/posts/",
        {"text": "pic", "scheduled_at": when, "account_ids": [account.pk], "media_ids": [theirs]},
        format="json",
    )
    assert bad.json()["errors"] == {"media_ids": [f"No such media in this workspace: {theirs}."]}
    assert Post.objects.count() == 1


def test_more_images_than_the_network_takes_are_refused(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    ids = [upload(api, f"{i}.png", png()).json()["id"] for i in range(5)]
    when = datetime(2030, 1, 1, tzinfo=UTC).isoformat()
    response = api.post(
        "/api/v1/posts/",
        {"text": "pics", "scheduled_at": when, "account_ids": [account.pk], "media_ids": ids},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "media_ids": ["Acme Sandbox: Sandbox allows 4 images per post."]
    }
