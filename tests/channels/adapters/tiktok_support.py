"""What the TikTok adapter tests share: an account on the fake, media files, and an
adapter wired to the fake with small chunk rules and a recorded sleep."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.tiktok import TikTokAdapter
from tests.fakes.tiktok import FakeTikTok

OPEN_ID = "-000AcmeBakeryOpenId"
USERNAME = "acmebakery"
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
INIT = "/v2/post/publish/video/init/"
PHOTO_INIT = "/v2/post/publish/content/init/"
CREATOR_INFO = "/v2/post/publish/creator_info/query/"
STATUS = "/v2/post/publish/status/fetch/"
LIST = "/v2/video/list/"
UPLOAD = "/upload/video/"
PUBLIC = {"privacy_level": "PUBLIC_TO_EVERYONE"}


def start(fake: FakeTikTok) -> FakeTikTok:
    """One public account, chunk rules small enough for files of a few KB (chunks of
    1,000 to 4,000 bytes, the last up to 8,000), and the clock at NOW."""
    fake.add_creator(OPEN_ID, USERNAME, "Acme Bakery")
    fake.tiny_chunks(1000, 4000)
    fake.advance(NOW.timestamp() - fake.now())  # the fake's clock reads NOW, as the adapter's
    return fake


def adapter(
    fake: FakeTikTok, sleeps: list[float] | None = None, timeout: float = 1.0, **config: Any
) -> TikTokAdapter:
    settings: dict[str, Any] = {
        "sleep": (sleeps.append if sleeps is not None else lambda s: None),
        "now": lambda: NOW,
        "chunk_bytes": 1500,
        "status_wait_seconds": 60,
        "poll_interval_seconds": 5,
        **config,
    }
    return TikTokAdapter(fake.adapter_config(**settings), build_session(timeout))


def creds(fake: FakeTikTok, **token: Any) -> base.Credentials:
    secrets = {
        "access_token": fake.issue_token(OPEN_ID, **token),
        "refresh_token": fake.issue_refresh_token(OPEN_ID),
    }
    return base.Credentials(OPEN_ID, USERNAME, secrets)


def video_bytes(size: int) -> bytes:
    """A recognisable byte pattern: any chunk out of place changes the whole."""
    return bytes((i * 7 + i // 256) % 251 for i in range(size))


def video(
    folder: Path,
    size: int,
    *,
    fake: FakeTikTok | None = None,
    name: str = "clip.mp4",
    duration: float | None = 12.0,
) -> base.MediaItem:
    data = video_bytes(size)
    path = folder / name
    path.write_bytes(data)
    url = fake.add_file(name, data, "video/mp4") if fake is not None else ""
    return base.MediaItem(
        str(path), "video/mp4", "video", size, 1080, 1920, url=url, duration=duration
    )


def jpeg(width: int = 64, height: int = 64, kind: str = "JPEG") -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 60, 30)).save(buffer, kind)
    return buffer.getvalue()


def photo(fake: FakeTikTok, name: str = "buns.jpg", kind: str = "JPEG") -> base.MediaItem:
    mime = {"JPEG": "image/jpeg", "WEBP": "image/webp", "PNG": "image/png"}[kind]
    data = jpeg(kind=kind)
    url = fake.add_file(name, data, mime)
    return base.MediaItem(f"/media/{name}", mime, "image", len(data), 64, 64, url=url)


def content(
    *media: base.MediaItem, text: str = "Cardamom buns at 7", **options: Any
) -> base.Content:
    return base.Content(text, media=media, options={**PUBLIC, **options})
