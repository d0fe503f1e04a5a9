"""LinkedIn's case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeLinkedIn, posting as a Page (whose recent posts
SMO may read, so a lost answer can be looked up), with the errors it must map."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from channels.adapters.linkedin import LinkedInAdapter
from channels.adapters.linkedin_http import DuplicatePost
from channels.adapters.session import build_session
from tests.fakes import linkedin_wire as wire
from tests.fakes.graph_wire import jpeg
from tests.fakes.linkedin import FakeLinkedIn

MP4 = b"\0\0\0\x18ftypmp42" + b"\0" * (80 * 1024)

# (status, body, headers, the error class publish must raise) for each documented error
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
ERRORS: list[ErrorCase] = [
    (401, wire.EXPIRED, None, AuthExpired),
    (401, wire.INVALID, None, AuthExpired),
    (401, wire.REVOKED, None, AuthExpired),
    (429, wire.THROTTLED, None, RateLimited),
    (429, {"status": 429, "message": "Too many requests"}, None, RateLimited),
    (422, wire.duplicate("urn:li:share:7295588489876647936"), None, DuplicatePost),
    (422, wire.missing_fields(["author"]), None, Permanent),
    (400, wire.BAD_BODY, None, Permanent),
    (400, wire.NO_VERSION, None, Permanent),
    (403, wire.forbidden(), None, Permanent),
    (426, wire.version_inactive("202001"), None, Permanent),
    # POST /rest/posts has no idempotency key: a server error may hide a made post.
    (500, wire.SERVER_ERROR, None, Unknown),
    (503, wire.UNAVAILABLE, None, Unknown),
]


@dataclass
class ContractCase:
    adapter: LinkedInAdapter
    creds: Credentials
    fake: FakeLinkedIn
    content_ok: Content
    errors: list[ErrorCase]
    sleeps: list[float] = field(default_factory=list)  # what the adapter asked to sleep
    publish_path: str = "/rest/posts"
    secrets: tuple[str, ...] = ()
    member: str = ""
    page: str = ""
    folder: Path = field(default_factory=Path)

    def person(self, scopes: tuple[str, ...] | None = None) -> Credentials:
        """The member's own credentials (posting as themselves)."""
        token = self.fake.issue_token(self.member, **({"scopes": scopes} if scopes else {}))
        return Credentials(f"urn:li:person:{self.member}", "", {"access_token": token})

    def image(
        self, name: str = "buns.jpg", alt_text: str = "", width: int = 1200, height: int = 800
    ) -> MediaItem:
        data = jpeg(width, height)
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "image/jpeg", "image", len(data), width, height, alt_text)

    def video(self, name: str = "clip.mp4", seconds: float = 12.0) -> MediaItem:
        data = MP4 + name.encode()
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "video/mp4", "video", len(data), 1080, 1920, duration=seconds)


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with a member who administers one Page, and an adapter posting as
    the Page (`config` adds keys); `content_ok` is a text post."""
    with FakeLinkedIn() as fake, TemporaryDirectory() as folder:
        member = fake.add_member("Ada Baker")
        page = fake.add_organization("Acme Bakery", "acme-bakery", admins=(member,))
        creds = Credentials(
            page,
            "acme-bakery",
            {"access_token": fake.issue_token(member)},
            expires_at=datetime.now(UTC) + timedelta(days=60),
        )
        sleeps: list[float] = []
        adapter = LinkedInAdapter(
            fake.adapter_config(**{"sleep": sleeps.append, **config}), build_session(timeout)
        )
        yield ContractCase(
            adapter,
            creds,
            fake,
            Content("Cardamom buns are back (warm from 7) #bakery"),
            list(ERRORS),
            sleeps,
            secrets=(fake.client_secret,),
            member=member,
            page=page,
            folder=Path(folder),
        )
