"""The TikTok case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeTikTok, with the errors it must map."""

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
from channels.adapters.session import build_session
from channels.adapters.tiktok import TikTokAdapter
from tests.fakes.tiktok import FakeTikTok
from tests.fakes.tiktok_wire import envelope

OPEN_ID = "-000AcmeBakeryOpenId"
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
MP4 = b"\0\0\0\x18ftypmp42" + bytes(range(256)) * 40
INIT = "/v2/post/publish/video/init/"


@dataclass
class ContractCase:
    adapter: TikTokAdapter
    creds: Credentials
    fake: FakeTikTok
    content_ok: Content
    errors: list[ErrorCase]
    sleeps: list[float] = field(default_factory=list)
    publish_path: str = INIT
    secrets: tuple[str, ...] = ()


def contract_errors() -> list[ErrorCase]:
    """Each documented error (§7), on the publish's first call: creator_info, a read."""

    def error(status: int, code: str, message: str, cls: type[AdapterError]) -> ErrorCase:
        return (status, envelope(code, message), None, cls)

    return [
        error(401, "access_token_invalid", "The access token is invalid.", AuthExpired),
        error(401, "scope_not_authorized", "The user did not authorize the scope.", AuthExpired),
        error(429, "rate_limit_exceeded", "API rate limit exceeded.", RateLimited),
        error(403, "spam_risk_too_many_posts", "The daily post cap is reached.", RateLimited),
        error(403, "reached_active_user_cap", "The daily user quota is reached.", RateLimited),
        error(403, "spam_risk_user_banned_from_posting", "The user is banned.", Permanent),
        error(
            403,
            "unaudited_client_can_only_post_to_private_accounts",
            "Unaudited clients can only post to a private account.",
            Permanent,
        ),
        error(403, "url_ownership_unverified", "Verify the URL.", Permanent),
        error(403, "privacy_level_option_mismatch", "privacy_level mismatch.", Permanent),
        error(400, "invalid_params", "The title is too long.", Permanent),
        error(400, "invalid_file_upload", "The chunk rules were broken.", Permanent),
        error(500, "internal_error", "Something went wrong.", Transient),
    ]


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """A fake with one public account, and an adapter that has TikTok pull a video
    from a verified URL: the path whose lost answer may leave a post made."""
    with FakeTikTok() as fake, TemporaryDirectory() as folder:
        fake.add_creator(OPEN_ID, "acmebakery", "Acme Bakery")
        fake.processing_fetches = 0
        path = Path(folder, "buns.mp4")
        path.write_bytes(MP4)
        url = fake.add_file("buns.mp4", MP4, "video/mp4")
        clip = MediaItem(
            str(path), "video/mp4", "video", len(MP4), 1080, 1920, url=url, duration=12.0
        )
        secrets_ = {
            "access_token": fake.issue_token(OPEN_ID),
            "refresh_token": fake.issue_refresh_token(OPEN_ID),
        }
        creds = Credentials(OPEN_ID, "acmebakery", secrets_)
        sleeps: list[float] = []
        config = {"sleep": sleeps.append, "pull_from_url": True, **config}
        adapter = TikTokAdapter(fake.adapter_config(**config), build_session(timeout))
        content = Content(
            "Cardamom buns, fresh at 7 #bakery",
            media=(clip,),
            options={"privacy_level": "PUBLIC_TO_EVERYONE"},
        )
        yield ContractCase(
            adapter, creds, fake, content, contract_errors(), sleeps, secrets=(fake.client_secret,)
        )
