"""Bluesky's case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeBluesky, with the errors it must map."""

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
)
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.bluesky_auth import session_credentials
from channels.adapters.session import build_session
from tests.fakes.bluesky import APP_PASSWORD, FakeBluesky
from tests.fakes.bluesky_routes import xrpc_error
from tests.fakes.graph_wire import jpeg

ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
RESET = "1795660000"  # ratelimit-reset: unix seconds (§11)
ERRORS: list[ErrorCase] = [
    (
        429,
        xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded").body,
        {
            "ratelimit-reset": RESET,
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "0",
            "ratelimit-policy": "5000;w=3600",
        },
        RateLimited,
    ),
    (429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, None, RateLimited),
    (
        401,
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
        None,
        AuthExpired,
    ),
    (400, {"error": "InvalidToken", "message": "Invalid token type"}, None, AuthExpired),
    (
        400,
        {
            "error": "InvalidRequest",
            "message": "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text",
        },
        None,
        Permanent,
    ),
    # The rkey makes a retried create safe, so a server error is only temporary.
    (500, None, None, Transient),
    (502, {"error": "UpstreamFailure", "message": "Upstream Failure"}, None, Transient),
    (503, None, None, Transient),
]


@dataclass
class ContractCase:
    adapter: BlueskyAdapter
    creds: Credentials
    fake: FakeBluesky
    content_ok: Content
    errors: list[ErrorCase]
    did: str = ""
    publish_path: str = "/xrpc/com.atproto.repo.createRecord"
    secrets: tuple[str, ...] = ()
    folder: Path = field(default_factory=Path)

    def image(
        self, name: str = "buns.jpg", width: int = 800, height: int = 600, alt_text: str = ""
    ) -> MediaItem:
        data = jpeg(width, height)
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "image/jpeg", "image", len(data), width, height, alt_text)


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake PDS with one account signed in, and an adapter wired to it;
    `content_ok` is a post with an image and a link."""
    with FakeBluesky() as fake, TemporaryDirectory() as folder:
        did = fake.add_account("acmebakery.test", display_name="Acme Bakery")
        creds = session_credentials(fake.session(did), APP_PASSWORD, fake.url)
        adapter = BlueskyAdapter(fake.adapter_config(**config), build_session(timeout))
        case = ContractCase(
            adapter, creds, fake, Content(""), list(ERRORS), did=did, folder=Path(folder)
        )
        case.content_ok = Content(
            "Cardamom buns are back, warm from 7.",
            media=(case.image(alt_text="A tray of buns"),),
            link="https://acme.example/buns",
        )
        yield case
