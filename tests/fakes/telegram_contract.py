"""Telegram's case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeTelegram, with the errors it must map."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    Unknown,
)
from channels.adapters.session import build_session
from channels.adapters.telegram import TelegramAdapter
from tests.fakes.graph_wire import jpeg
from tests.fakes.telegram import FakeTelegram, error, too_many

MP4 = b"\0\0\0\x18ftypmp42" + b"\0" * 4000

# (status, body, headers, the error class publish must raise) for each documented error
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
ERRORS: list[ErrorCase] = [
    (429, too_many(35), None, RateLimited),
    (429, error(429, "Too Many Requests"), None, RateLimited),
    (401, error(401, "Unauthorized"), None, AuthExpired),
    (404, error(404, "Not Found"), None, AuthExpired),
    (400, error(400, "Bad Request: chat not found"), None, Permanent),
    (
        400,
        error(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=-1001234567890,
        ),
        None,
        Permanent,
    ),
    (400, error(400, "Bad Request: message caption is too long"), None, Permanent),
    (403, error(403, "Forbidden: bot was kicked from the channel chat"), None, Permanent),
    (403, error(403, "Forbidden: bot is not a member of the channel chat"), None, Permanent),
    (500, error(500, "Internal Server Error"), None, Transient),
    (502, None, None, Transient),
    (504, None, None, Unknown),
]


@dataclass
class ContractCase:
    adapter: TelegramAdapter
    creds: Credentials
    fake: FakeTelegram
    content_ok: Content
    errors: list[ErrorCase]
    chat_id: int = 0
    token: str = ""
    publish_path: str = "/sendPhoto"
    secrets: tuple[str, ...] = ()
    folder: Path = field(default_factory=Path)

    def image(self, name: str = "buns.jpg", width: int = 800, height: int = 600) -> MediaItem:
        data = jpeg(width, height)
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "image/jpeg", "image", len(data), width, height)

    def video(self, name: str = "clip.mp4", seconds: float = 12.0) -> MediaItem:
        data = MP4 + name.encode()
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "video/mp4", "video", len(data), 1080, 1920, duration=seconds)


def credentials(fake: FakeTelegram, chat_id: int, token: str) -> Credentials:
    chat = fake.chats[chat_id]
    return Credentials(
        str(chat_id),
        f"@{chat.username}" if chat.username else "",
        {"bot_token": token},
        options={"chat_id": chat_id, "chat_type": chat.type, "username": chat.username},
    )


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with one bot, administrator of one public channel, and an adapter
    wired to it; `content_ok` is a photo with a caption and a link."""
    with FakeTelegram() as fake, TemporaryDirectory() as folder:
        token = fake.add_bot("acme_bot")
        chat_id = fake.add_channel("acmebakery", "Acme Bakery", admins={token})
        adapter = TelegramAdapter(fake.adapter_config(**config), build_session(timeout))
        case = ContractCase(
            adapter,
            credentials(fake, chat_id, token),
            fake,
            Content(""),
            list(ERRORS),
            chat_id=chat_id,
            token=token,
            folder=Path(folder),
        )
        case.content_ok = Content(
            "Cardamom buns are back, warm from 7.",
            media=(case.image(),),
            link="https://acme.example/buns",
        )
        yield case
