"""The YouTube case for the shared contract suite, and the files YouTube tests upload.

The media are small byte files with their duration and size given explicitly, as
ffprobe would have read them (MediaItem.duration, width, height).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Content,
    Credentials,
    MediaItem,
    Permanent,
    RateLimited,
    Transient,
)
from channels.adapters.session import build_session
from channels.adapters.youtube import YouTubeAdapter
from channels.adapters.youtube_quota import MemoryQuota
from tests.fakes.graph_wire import jpeg
from tests.fakes.youtube import VIDEOS, FakeYouTube
from tests.fakes.youtube_wire import google_error

CHANNEL = "UCacmeBakery0000000000aa"
USER = "ann"
CHUNK = 1024  # small chunks, so a test file of a few KB is several requests
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]


def video(
    folder: Path,
    name: str = "buns.mp4",
    size: int = 2500,
    *,
    seconds: float = 42.0,
    width: int = 1920,
    height: int = 1080,
    mime_type: str = "video/mp4",
) -> MediaItem:
    path = folder / name
    path.write_bytes(bytes(range(256)) * (size // 256) + b"v" * (size % 256))
    return MediaItem(str(path), mime_type, "video", size, width, height, duration=seconds)


def image(folder: Path, name: str = "cover.jpg", width: int = 1280, height: int = 720) -> MediaItem:
    data = jpeg(width, height)
    path = folder / name
    path.write_bytes(data)
    return MediaItem(str(path), "image/jpeg", "image", len(data), width, height)


def body(status: int, reason: str = "", message: str = "") -> dict[str, Any]:
    """Google's error envelope, for fail_next."""
    envelope: dict[str, Any] = google_error(status, reason, message).body
    return envelope


@dataclass
class ContractCase:
    adapter: YouTubeAdapter
    creds: Credentials
    fake: FakeYouTube
    content_ok: Content
    errors: list[ErrorCase]
    folder: Path
    quota: MemoryQuota
    sleeps: list[float] = field(default_factory=list)
    # The last chunk of content_ok's video (a single chunk): its lost answer is Unknown.
    publish_path: str = f"PUT {VIDEOS}"
    secrets: tuple[str, ...] = ()


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with one channel, and an adapter wired to it (`config` adds keys)."""
    with FakeYouTube(granularity=CHUNK) as fake, TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fake.add_channel(CHANNEL, "Acme Bakery", "@acmebakery", user=USER)
        secrets_ = {
            "access_token": fake.issue_token(USER),
            "refresh_token": fake.issue_refresh_token(USER),
        }
        creds = Credentials(
            CHANNEL,
            "@acmebakery",
            secrets_,
            expires_at=fake.clock() + timedelta(hours=1),
            options={"uploads_playlist": fake.channels[CHANNEL]["uploads"]},
        )
        quota = MemoryQuota()
        settings = {"quota": quota, "chunk_bytes": CHUNK, "now": fake.clock, **config}
        adapter = YouTubeAdapter(fake.adapter_config(**settings), build_session(timeout))
        content = Content(
            "Cardamom buns, fresh at 7.",
            media=(video(folder, size=900),),
            options={"title": "Cardamom buns"},
        )
        # Each hits step 1 of the upload. quotaExceeded marks the day's uploads
        # spent, so it comes last: after it no upload is even tried.
        errors: list[ErrorCase] = [
            (401, body(401), None, AuthExpired),
            (400, body(400, "invalidTitle"), None, Permanent),
            (400, body(400, "invalidDescription"), None, Permanent),
            (400, body(400, "invalidCategoryId"), None, Permanent),
            (403, body(403, "forbidden", "Forbidden"), None, Permanent),
            (403, body(403, "insufficientPermissions"), None, AuthExpired),
            # Step 1 makes no video, so a 5xx there is safe to retry.
            (500, body(500), None, Transient),
            (503, body(503), None, Transient),
            (403, body(403, "quotaExceeded"), None, RateLimited),
        ]
        yield ContractCase(
            adapter,
            creds,
            fake,
            content,
            errors,
            folder,
            quota,
            secrets=(fake.client_secret,),
        )
