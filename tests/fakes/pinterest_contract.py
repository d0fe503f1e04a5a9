"""Pinterest's case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakePinterest, with the errors it must map."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO
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
    Unknown,
)
from channels.adapters.pinterest import PinterestAdapter
from channels.adapters.session import build_session
from tests.fakes.graph_wire import jpeg
from tests.fakes.pinterest import FakePinterest
from tests.fakes.pinterest_errors import NOT_ENOUGH_SCOPE, error_body

MP4 = b"\0\0\0\x18ftypmp42" + b"\0" * 4000

# (status, body, headers, the error class publish must raise) for each documented error
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
ERRORS: list[ErrorCase] = [
    (401, None, None, AuthExpired),
    (429, None, None, RateLimited),
    (429, error_body(429), {"Retry-After": "120"}, RateLimited),
    (400, {"code": 1, "message": "Invalid parameters."}, None, Permanent),
    (403, error_body(403), None, Permanent),
    (403, {"code": 3, "message": NOT_ENOUGH_SCOPE}, None, Permanent),
    (404, {"code": 40, "message": "Board not found."}, None, Permanent),
    # POST /v5/pins has no idempotency key: a server error may hide a made Pin.
    (500, None, None, Unknown),
    (503, None, None, Unknown),
]


def picture(width: int, height: int, kind: str) -> bytes:
    """A small, real image file of PIL's `kind` ("PNG", "GIF", ...)."""
    from PIL import Image  # only the tests that need an image pay for PIL

    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 60, 30)).save(buffer, kind)
    return buffer.getvalue()


@dataclass
class ContractCase:
    adapter: PinterestAdapter
    creds: Credentials
    fake: FakePinterest
    content_ok: Content
    errors: list[ErrorCase]
    sleeps: list[float] = field(default_factory=list)  # what the adapter asked to sleep
    publish_path: str = "/v5/pins"
    secrets: tuple[str, ...] = ()
    user: str = ""
    board: str = ""
    folder: Path = field(default_factory=Path)

    def image(
        self,
        name: str = "buns.jpg",
        width: int = 1000,
        height: int = 1500,
        alt_text: str = "",
        mime: str = "image/jpeg",
    ) -> MediaItem:
        """Write an image of `mime` into the case's folder; return it as a MediaItem."""
        data = jpeg(width, height) if mime == "image/jpeg" else picture(width, height, "PNG")
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), mime, "image", len(data), width, height, alt_text)

    def video(
        self, name: str = "clip.mp4", seconds: float = 12.0, width: int = 1080, height: int = 1920
    ) -> MediaItem:
        """Write a small MP4-looking file; the fake reads no frames."""
        data = MP4 + name.encode()
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(
            str(path), "video/mp4", "video", len(data), width, height, duration=seconds
        )


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with one account and board, and an adapter wired to it
    (`config` adds keys); `content_ok` is an image Pin read from a local file."""
    with FakePinterest() as fake, TemporaryDirectory() as folder:
        user = fake.add_user("acmebakery", "Acme Bakery")
        board = fake.add_board(user, "Bakes")
        secrets_ = {
            "access_token": fake.issue_token(user),
            "refresh_token": fake.issue_refresh_token(user),
        }
        expires_at = datetime.now(UTC) + timedelta(days=30)
        creds = Credentials(user, "acmebakery", secrets_, expires_at=expires_at)
        sleeps: list[float] = []
        adapter = PinterestAdapter(
            fake.adapter_config(**{"sleep": sleeps.append, **config}), build_session(timeout)
        )
        case = ContractCase(
            adapter,
            creds,
            fake,
            Content(""),
            list(ERRORS),
            sleeps,
            secrets=(fake.app_secret,),
            user=user,
            board=board,
            folder=Path(folder),
        )
        case.content_ok = Content(
            "Cardamom buns are back, warm from 7.",
            media=(case.image(),),
            link="https://acme.example/buns",
            options={"board": board},
        )
        yield case
