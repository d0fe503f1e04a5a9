"""Slack's case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeSlack, with the errors it must map."""

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
from channels.adapters.slack import SlackAdapter
from tests.fakes.slack import CLIENT_SECRET, FakeSlack

# (status, body, headers, the error class publish must raise) for each documented error
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
ERRORS: list[ErrorCase] = [
    (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}, RateLimited),
    (429, None, None, RateLimited),
    (200, {"ok": False, "error": "ratelimited"}, None, RateLimited),
    (200, {"ok": False, "error": "invalid_auth"}, None, AuthExpired),
    (200, {"ok": False, "error": "token_revoked"}, None, AuthExpired),
    (200, {"ok": False, "error": "account_inactive"}, None, AuthExpired),
    (200, {"ok": False, "error": "not_authed"}, None, AuthExpired),
    (200, {"ok": False, "error": "channel_not_found"}, None, Permanent),
    # not_in_channel is no error in a public channel: the adapter joins it
    # (tests/channels/adapters/test_slack_publish.py); in a private one it is Permanent.
    (200, {"ok": False, "error": "is_archived"}, None, Permanent),
    (200, {"ok": False, "error": "msg_too_long"}, None, Permanent),
    (200, {"ok": False, "error": "missing_scope", "needed": "chat:write"}, None, Permanent),
    # chat.postMessage takes no idempotency key: a server error may hide a message.
    (200, {"ok": False, "error": "internal_error"}, None, Unknown),
    (200, {"ok": False, "error": "fatal_error"}, None, Unknown),
    (500, None, None, Unknown),
    (503, None, None, Unknown),
]
# The same failures on a read (conversations.history) leave no doubt: nothing was made.
READ_ERRORS: list[ErrorCase] = [
    (200, {"ok": False, "error": "internal_error"}, None, Transient),
    (503, None, None, Transient),
]


@dataclass
class ContractCase:
    adapter: SlackAdapter
    creds: Credentials
    fake: FakeSlack
    content_ok: Content
    errors: list[ErrorCase]
    publish_path: str = "/api/chat.postMessage"
    secrets: tuple[str, ...] = ()
    channel: str = ""
    folder: Path = field(default_factory=Path)

    def image(self, name: str = "buns.png", size: int = 2048, alt_text: str = "") -> MediaItem:
        data = b"\x89PNG\r\n\x1a\n" + bytes(size)
        path = self.folder / name
        path.write_bytes(data)
        return MediaItem(str(path), "image/png", "image", len(data), 800, 600, alt_text)


def credentials(fake: FakeSlack, channel: str, token: str) -> Credentials:
    team = fake.team["id"]
    options = {"team_id": team, "channel_id": channel, "is_private": False}
    return Credentials(f"{team}:{channel}", "#general", {"access_token": token}, options=options)


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with one public channel and an adapter wired to it; `content_ok`
    is a text message with a link."""
    with FakeSlack() as fake, TemporaryDirectory() as folder:
        fake.per_second = 1000  # the suite posts quickly; rate limits are tested apart
        channel = fake.add_channel("general", member=True)
        creds = credentials(fake, channel, fake.issue_token())
        adapter = SlackAdapter(fake.adapter_config(**config), build_session(timeout))
        content = Content("Cardamom buns are back, warm from 7.", link="https://acme.example/buns")
        yield ContractCase(
            adapter,
            creds,
            fake,
            content,
            list(ERRORS),
            secrets=(CLIENT_SECRET,),
            channel=channel,
            folder=Path(folder),
        )
