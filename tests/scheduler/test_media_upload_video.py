"""Uploaded videos are read by ffprobe: their length and shape are stored, and a
file that is no readable video is refused with a reason and not saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from scheduler import video_probe
from scheduler.models import MediaAsset
from tests.conftest import Cast
from tests.media_samples import MakeVideo, require_ffmpeg

pytestmark = pytest.mark.django_db

UNREADABLE = (
    "This video cannot be read: it may be damaged or cut short. Export it again and upload it."
)
# An MP4's first bytes, then nothing a player could use.
FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 100


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def api_upload(api: Any, name: str, data: bytes) -> Any:
    return api.post(
        "/api/v1/media/",
        {"file": SimpleUploadedFile(name, data, "application/octet-stream")},
        format="multipart",
    )


def web_upload(cast: Cast, name: str, data: bytes) -> Any:
    client = Client()
    client.force_login(cast.editor.user)
    return client.post("/compose/media/", {"file": SimpleUploadedFile(name, data, "video/mp4")})


def test_the_api_stores_a_videos_length_size_and_container(
    cast: Cast, api: Any, make_video: MakeVideo
) -> None:
    response = api_upload(api, "clip.mp4", make_video(2, 320, 180).read_bytes())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["mime_type"], body["width"], body["height"], body["container"]) == (
        "video",
        "video/mp4",
        320,
        180,
        "mov,mp4,m4a,3gp,3g2,mj2",
    )
    assert body["duration"] == pytest.approx(2.0, abs=0.05)
    asset = MediaAsset.objects.get()
    assert (asset.width, asset.height, asset.container) == (320, 180, "mov,mp4,m4a,3gp,3g2,mj2")
    assert asset.duration == pytest.approx(2.0, abs=0.05)


def test_a_phones_portrait_video_is_stored_as_portrait(
    cast: Cast, api: Any, make_video: MakeVideo
) -> None:
    response = api_upload(api, "phone.mp4", make_video(1, 320, 180, rotate=90).read_bytes())
    assert (response.json()["width"], response.json()["height"]) == (180, 320)


def test_quicktime_and_webm_get_their_own_types(
    cast: Cast, api: Any, make_video: MakeVideo
) -> None:
    mov = api_upload(api, "clip.mov", make_video(1, 64, 64, "mov").read_bytes()).json()
    webm = api_upload(api, "clip.webm", make_video(1, 64, 64, "webm").read_bytes()).json()
    assert (mov["mime_type"], webm["mime_type"], webm["container"]) == (
        "video/quicktime",
        "video/webm",
        "matroska,webm",
    )


def test_a_file_that_only_starts_like_an_mp4_is_refused_by_the_api(cast: Cast, api: Any) -> None:
    require_ffmpeg()
    response = api_upload(api, "fake.mp4", FAKE_MP4)
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": [UNREADABLE]}
    assert MediaAsset.objects.count() == 0


def test_a_truncated_video_is_refused_in_the_composer(cast: Cast, make_video: MakeVideo) -> None:
    whole = make_video(2, 320, 180).read_bytes()
    response = web_upload(cast, "half.mp4", whole[: len(whole) // 2])
    assert response.status_code == 400
    assert response.content.decode() == f"half.mp4: {UNREADABLE}"
    assert MediaAsset.objects.count() == 0


def test_a_large_upload_is_probed_in_its_temporary_file(
    cast: Cast, settings: Any, make_video: MakeVideo, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    probed: list[str] = []
    real = video_probe.probe
    monkeypatch.setattr(video_probe, "probe", lambda path: probed.append(str(path)) or real(path))
    response = web_upload(cast, "clip.mp4", make_video(1, 64, 48).read_bytes())
    assert response.status_code == 201
    [path] = probed
    assert path.endswith(".upload.mp4")  # Django's TemporaryUploadedFile, not a copy
    assert (MediaAsset.objects.get().width, MediaAsset.objects.get().height) == (64, 48)


def test_without_ffprobe_a_video_is_stored_with_its_length_unknown(
    cast: Cast, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(video_probe, "ffprobe_path", lambda: None)
    response = api_upload(api, "clip.mp4", FAKE_MP4)
    assert response.status_code == 201
    asset = MediaAsset.objects.get()
    assert (asset.kind, asset.mime_type, asset.duration, asset.width, asset.container) == (
        "video",
        "video/mp4",
        None,
        None,
        "",
    )
