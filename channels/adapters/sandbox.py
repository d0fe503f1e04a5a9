"""The built-in sandbox network: publishes to a local feed, needs no API keys.

Per-account options make it behave like a flaky network, so people and tests can
watch retries and reconciliation happen:
- `latency_ms`: wait this long before answering;
- `failure_rate` (0 to 1): the share of calls that fail;
- `failure_kind`: how they fail: "transient" (nothing written), "rate_limited"
  (retry after `retry_after_seconds`), "permanent", "auth_expired", or
  "unknown" (the post *is* written, then the answer is lost, as a timeout).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from typing_extensions import override

from channels.adapters.base import (
    Adapter,
    AuthExpired,
    Content,
    Credentials,
    Limits,
    Permanent,
    Progress,
    Published,
    RateLimited,
    Transient,
    Unknown,
)
from channels.words import words

FAILURE_KINDS = ("transient", "rate_limited", "permanent", "auth_expired", "unknown")


@dataclass(frozen=True)
class FeedEntry:
    id: str
    created_at: datetime


class SandboxFeed(Protocol):
    """Where sandbox posts go; the app stores them in a table, tests in a list."""

    def append(self, account_ref: str, text: str, media: list[str], key: str) -> FeedEntry: ...

    def find(self, account_ref: str, key: str) -> FeedEntry | None: ...


class SandboxAdapter(Adapter):
    network: ClassVar[str] = "sandbox"
    renews_with: ClassVar[str | None] = ""
    display_name: ClassVar[str] = "Sandbox"
    limits: ClassVar[Limits] = Limits(max_text=500, max_images=4, max_videos=1)
    supports_lookup: ClassVar[bool] = True
    connects_by: ClassVar[str] = "builtin"  # made by `smo_setup`, one per workspace

    @property
    def feed(self) -> SandboxFeed:
        feed: SandboxFeed = self.config["feed"]
        return feed

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        options = creds.options
        if not creds.secrets.get("token"):
            raise AuthExpired(words("The sandbox account has no token; reconnect it."), status=401)
        latency = float(options.get("latency_ms", 0)) / 1000
        if latency > 0:
            time.sleep(latency)  # a simulated network round trip, asked for by the account
        failure = self._draw_failure(options)
        if failure == "transient":
            raise Transient(
                words("Sandbox: simulated temporary error (nothing was posted)."), status=503
            )
        if failure == "rate_limited":
            wait = timedelta(seconds=float(options.get("retry_after_seconds", 60)))
            raise RateLimited(
                words("Sandbox: simulated rate limit."), datetime.now(UTC) + wait, status=429
            )
        if failure == "permanent":
            raise Permanent(words("Sandbox: simulated refusal of this post."), status=422)
        if failure == "auth_expired":
            raise AuthExpired(words("Sandbox: simulated expired token."), status=401)
        entry = self.feed.append(
            creds.external_id, content.text, [m.url or m.path for m in content.media], key
        )
        if failure == "unknown":
            raise Unknown(words("Sandbox: simulated timeout after the post was written."))
        return self._published(entry)

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        entry = self.feed.find(creds.external_id, key)
        return self._published(entry) if entry else None

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        return creds

    def _draw_failure(self, options: Any) -> str | None:
        rate = float(options.get("failure_rate", 0))
        rng: random.Random = self.config.get("rng") or random.Random()  # noqa: S311 - a simulation
        if rate <= 0 or rng.random() >= rate:
            return None
        kind = str(options.get("failure_kind", "transient"))
        return kind if kind in FAILURE_KINDS else "transient"

    def _published(self, entry: FeedEntry) -> Published:
        base = str(self.config.get("public_url", "")).rstrip("/")
        return Published(entry.id, f"{base}/sandbox/posts/{entry.id}/", entry.created_at)
