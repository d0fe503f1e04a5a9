"""Mastodon's case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeMastodon, with the errors it must map."""

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
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.session import build_session
from tests.fakes.graph_wire import jpeg
from tests.fakes.mastodon import FakeMastodon

ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
ERRORS: list[ErrorCase] = [
    (401, {"error": "The access token is invalid"}, None, AuthExpired),
    (
        429,
        {"error": "Too many requests"},
        {"X-RateLimit-Reset": "2099-01-01T00:00:00.000Z"},
        RateLimited,
    ),
    (429, {"error": "Too many requests"}, None, RateLimited),
    (422, {"error": "Validation failed: Text character limit of 500 exceeded"}, None, Permanent),
    (404, {"error": "Record not found"}, None, Permanent),
    (403, {"error": "This action is not allowed"}, None, Permanent),
    # The Idempotency-Key makes a retry after a server error safe (platforms.md §10).
    (500, None, None, Transient),
    (503, None, None, Transient),
    # A proxy that gave up waiting: the post may still be in the making.
    (504, None, None, Unknown),
]


@dataclass
class ContractCase:
    adapter: MastodonAdapter
    creds: Credentials
    fake: FakeMastodon
    content_ok: Content
    errors: list[ErrorCase]
    sleeps: list[float] = field(default_factory=list)
    publish_path: str = "/api/v1/statuses"
    secrets: tuple[str, ...] = ()
    account: str = ""
    folder: Path = field(default_factory=Path)

    def image(
        self, name: str = "buns.jpg", alt_text: str = "", width: int = 800, height: int = 600
    ) -> MediaItem:
        data = jpeg(width, height)
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "image/jpeg", "image", len(data), width, height, alt_text)

    def video(self, name: str = "clip.mp4") -> MediaItem:
        data = b"\0\0\0\x18ftypmp42" + b"\0" * 4000
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "video/mp4", "video", len(data), 1080, 1920, duration=8.0)

    def publish(self, content: Content, key: str = "delivery-key", progress: Any = None) -> Any:
        from channels.adapters.base import Progress

        return self.adapter.publish(self.creds, content, key, progress or Progress())


def adapter_for(
    fake: FakeMastodon, creds: Credentials, timeout: float = 1.0, **config: Any
) -> MastodonAdapter:
    """The adapter as registry.adapter_for makes it: with the account's own limits."""
    adapter = MastodonAdapter(config, build_session(timeout))
    adapter.limits = adapter.account_limits(creds.options)  # type: ignore[misc]
    return adapter


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with one account and an adapter wired to it (`config` adds keys)."""
    with FakeMastodon() as fake, TemporaryDirectory() as folder:
        account = fake.add_account("acmebakery", "Acme Bakery")
        creds = fake.credentials(account, fake.issue_token(account))
        sleeps: list[float] = []
        adapter = adapter_for(fake, creds, timeout, **{"sleep": sleeps.append, **config})
        yield ContractCase(
            adapter,
            creds,
            fake,
            Content("Cardamom buns are back, warm from 7. https://acme.example/buns"),
            list(ERRORS),
            sleeps,
            account=account,
            folder=Path(folder),
        )
