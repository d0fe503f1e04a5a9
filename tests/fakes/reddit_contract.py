"""Reddit's case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeReddit, with the errors it must map."""

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
    Permanent,
    RateLimited,
    Unknown,
)
from channels.adapters.reddit import RedditAdapter
from channels.adapters.session import build_session
from tests.fakes.reddit import FakeReddit, errors, ratelimited

INVALID_TOKEN = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
NO_SCOPE = {"www-authenticate": 'Bearer realm="reddit", error="insufficient_scope"'}
RESET = {"x-ratelimit-used": "100", "x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "120"}

# (status, body, headers, the error class publish must raise) for each documented error
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
ERRORS: list[ErrorCase] = [
    (200, ratelimited("9 minutes"), None, RateLimited),
    (429, None, RESET, RateLimited),
    (401, None, INVALID_TOKEN, AuthExpired),
    (403, None, NO_SCOPE, AuthExpired),
    (403, None, None, Permanent),
    (404, None, None, Permanent),
    (200, errors(("ALREADY_SUB", "that link has already been submitted", "url")), None, Permanent),
    (200, errors(("SUBREDDIT_NOEXIST", "that community doesn't exist", "sr")), None, Permanent),
    (200, errors(("NO_TEXT", "we need something here", "title")), None, Permanent),
    (200, errors(("TOO_LONG", "this is too long (max: 300)", "title")), None, Permanent),
    (200, errors(("SOMETHING_NEW", "a rule we have not met", "sr")), None, Permanent),
    # /api/submit takes no idempotency key: a server error may hide a made post.
    (500, None, None, Unknown),
    (503, None, None, Unknown),
]


@dataclass
class ContractCase:
    adapter: RedditAdapter
    creds: Credentials
    fake: FakeReddit
    content_ok: Content
    errors: list[ErrorCase]
    publish_path: str = "/api/submit/"
    secrets: tuple[str, ...] = ()
    user: str = ""


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with one account and r/Baking, and an adapter wired to it;
    `content_ok` is a text post there."""
    with FakeReddit() as fake:
        user = fake.add_user("acmebakery")
        fake.add_subreddit("Baking", flairs=["Recipe", "Question"])
        secrets_ = {
            "access_token": fake.issue_token(user),
            "refresh_token": fake.issue_refresh_token(user),
        }
        creds = Credentials(
            user, "acmebakery", secrets_, expires_at=datetime.now(UTC) + timedelta(hours=1)
        )
        adapter = RedditAdapter(fake.adapter_config(**config), build_session(timeout))
        content = Content(
            "Cardamom buns are back, warm from 7.",
            options={"subreddit": "r/Baking", "title": "Cardamom buns, the recipe"},
        )
        yield ContractCase(
            adapter, creds, fake, content, list(ERRORS), secrets=(fake.client_secret,), user=user
        )
