"""Google Business Profile's case for the shared contract suite
(tests/channels/adapters/test_contract.py): the adapter wired to a running
FakeBusinessProfile, with the errors it must map."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from channels.adapters.gbp import GoogleBusinessAdapter
from channels.adapters.session import build_session
from tests.fakes.gbp import CLIENT_SECRET, FakeBusinessProfile, google_error, invalid

ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
ERRORS: list[ErrorCase] = [
    (401, None, None, AuthExpired),
    (429, None, None, RateLimited),
    (429, google_error(429), {"Retry-After": "30"}, RateLimited),
    (400, invalid("local_post.summary", "Summary is too long.").body, None, Permanent),
    (403, None, None, Permanent),
    (404, None, None, Permanent),
    # localPosts.create takes no idempotency key: a server error may hide a made post.
    (500, None, None, Unknown),
    (503, None, None, Unknown),
]
PHOTO = MediaItem(
    "/media/buns.jpg",
    "image/jpeg",
    "image",
    300_000,
    1200,
    900,
    url="https://smo.example/m/7/buns.jpg?sig=abc",
)


@dataclass
class ContractCase:
    adapter: GoogleBusinessAdapter
    creds: Credentials
    fake: FakeBusinessProfile
    content_ok: Content
    errors: list[ErrorCase]
    parent: str
    publish_path: str = ""
    secrets: tuple[str, ...] = (CLIENT_SECRET,)


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """A fake with one location, an adapter wired to it and an update with a photo."""
    with FakeBusinessProfile() as fake:
        parent = fake.add_location("Acme Bakery")
        secrets_ = {"access_token": fake.issue_token(), "refresh_token": fake.issue_refresh_token()}
        creds = Credentials(
            parent,
            "Acme Bakery",
            secrets_,
            expires_at=datetime.now(UTC) + timedelta(hours=1),
            options={"maps_url": "https://maps.google.com/maps?cid=1"},
        )
        adapter = GoogleBusinessAdapter(fake.adapter_config(**config), build_session(timeout))
        content = Content(
            "Cardamom buns are back, warm from 7.",
            media=(PHOTO,),
            link="https://acme.example/buns",
        )
        yield ContractCase(
            adapter,
            creds,
            fake,
            content,
            list(ERRORS),
            parent,
            publish_path=f"/v4/{parent}/localPosts",
        )
