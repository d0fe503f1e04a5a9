"""Discord's case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeDiscord, with the errors it must map."""

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
    Unknown,
)
from channels.adapters.discord import DiscordAdapter
from channels.adapters.session import build_session
from tests.fakes.discord import (
    EMPTY,
    INVALID_TOKEN,
    NEEDS_THREAD,
    RATE_LIMITED,
    UNKNOWN_WEBHOOK,
    FakeDiscord,
    Webhook,
    invalid_form,
)
from tests.fakes.graph_wire import jpeg

# (status, body, headers, the error class publish must raise) for each documented error
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
ERRORS: list[ErrorCase] = [
    (429, RATE_LIMITED, {"Retry-After": "2", "X-RateLimit-Scope": "user"}, RateLimited),
    (429, RATE_LIMITED, {}, RateLimited),  # the body's retry_after alone
    (429, {"message": "You are being rate limited.", "retry_after": 1500}, {}, RateLimited),
    (404, UNKNOWN_WEBHOOK, None, AuthExpired),
    (401, INVALID_TOKEN, None, AuthExpired),
    (400, EMPTY, None, Permanent),
    (
        400,
        invalid_form(["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."),
        None,
        Permanent,
    ),
    (400, NEEDS_THREAD, None, Permanent),
    (403, {"message": "Missing Permissions", "code": 50013}, None, Permanent),
    (413, None, None, Permanent),
    # Execute Webhook has no idempotency key: a server error may hide a message.
    (500, None, None, Unknown),
    (502, None, None, Unknown),
]


@dataclass
class ContractCase:
    adapter: DiscordAdapter
    creds: Credentials
    fake: FakeDiscord
    content_ok: Content
    errors: list[ErrorCase]
    hook: Webhook
    publish_path: str = ""
    secrets: tuple[str, ...] = ()
    folder: Path = field(default_factory=Path)

    def image(
        self, name: str = "buns.jpg", width: int = 800, height: int = 600, alt_text: str = ""
    ) -> MediaItem:
        data = jpeg(width, height)
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "image/jpeg", "image", len(data), width, height, alt_text)

    def video(self, name: str = "clip.mp4", size: int = 4000) -> MediaItem:
        data = b"\0\0\0\x18ftypmp42" + b"\0" * size
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "video/mp4", "video", len(data), 1080, 1920, duration=6.0)


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with one webhook, and an adapter connected to it."""
    with FakeDiscord() as fake, TemporaryDirectory() as folder:
        hook = fake.add_webhook("Acme news", guild_id="81384788765712384")
        adapter = DiscordAdapter(fake.adapter_config(**config), build_session(timeout))
        creds = adapter.connect_webhook(hook.url).credentials
        yield ContractCase(
            adapter,
            creds,
            fake,
            Content("Cardamom buns are back, warm from 7.", link="https://acme.example/buns"),
            list(ERRORS),
            hook,
            publish_path=hook.path,
            secrets=(hook.token, hook.url),
            folder=Path(folder),
        )
