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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from typing_extensions import override

from channels.adapters import engagement as e
from channels.adapters import metrics as m
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
from channels.adapters.engagement import Engagement, EngagementSupport, PostRef
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.words import words

FAILURE_KINDS = ("transient", "rate_limited", "permanent", "auth_expired", "unknown")


@dataclass(frozen=True)
class FeedEntry:
    id: str
    created_at: datetime


@dataclass(frozen=True)
class FeedComment:
    """A comment under a sandbox post, an answer to one, or a private message
    (no `post_id`; `thread` names the visitor's conversation)."""

    id: str
    post_id: str
    in_reply_to: str
    author: str
    text: str
    own: bool
    hidden: bool
    created_at: datetime
    thread: str = ""


class SandboxFeed(Protocol):
    """Where sandbox posts go; the app stores them in a table, tests in a list."""

    def append(self, account_ref: str, text: str, media: list[str], key: str) -> FeedEntry: ...

    def find(self, account_ref: str, key: str) -> FeedEntry | None: ...

    def comments(self, account_ref: str, since: datetime) -> list[FeedComment]: ...

    def add_comment(self, account_ref: str, comment: FeedComment, key: str) -> FeedComment: ...

    def find_comment(self, account_ref: str, key: str) -> FeedComment | None: ...

    def change_comment(self, account_ref: str, comment_id: str, action: str) -> None: ...

    def figures(self, account_ref: str, post_ids: list[str]) -> list[PostMetrics]: ...

    def followers(self, account_ref: str) -> int: ...


class SandboxAdapter(Adapter):
    network: ClassVar[str] = "sandbox"
    renews_with: ClassVar[str | None] = ""
    display_name: ClassVar[str] = "Sandbox"
    limits: ClassVar[Limits] = Limits(max_text=500, max_images=4, max_videos=1)
    supports_lookup: ClassVar[bool] = True
    connects_by: ClassVar[str] = "builtin"  # made by `smo_setup`, one per workspace
    # Visitors comment and write from the sandbox's own pages; a short interval
    # so someone trying SMO sees them arrive in the inbox within the minute.
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        fetches=frozenset({e.COMMENT, e.REPLY, e.MESSAGE}),
        replies_to=frozenset({e.COMMENT, e.REPLY, e.MESSAGE}),
        hides=frozenset({e.COMMENT, e.REPLY}),
        deletes=frozenset({e.COMMENT, e.REPLY}),
        interval=timedelta(seconds=30),
    )
    # Visitors view, like, share and follow on the sandbox's pages; figures are
    # read often so someone trying SMO sees the reports move.
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        figures=frozenset({m.IMPRESSIONS, m.LIKES, m.COMMENTS, m.SHARES}),
        followers=True,
        interval=timedelta(minutes=1),
    )

    @property
    def feed(self) -> SandboxFeed:
        feed: SandboxFeed = self.config["feed"]
        return feed

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        options = creds.options
        self._check_token(creds)
        latency = float(options.get("latency_ms", 0)) / 1000
        if latency > 0:
            time.sleep(latency)  # a simulated network round trip, asked for by the account
        failure = self._draw_failure(options)
        if failure not in (None, "unknown"):
            self._raise(failure, options)
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

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        self._check_token(creds)
        for comment in self.feed.comments(creds.external_id, since):
            yield self._item(comment)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        self._check_token(creds)
        failure = self._draw_failure(creds.options)
        if failure not in (None, "unknown"):
            self._raise(failure, creds.options)
        answer = self.feed.add_comment(
            creds.external_id,
            FeedComment(
                id="",
                post_id=target.parent_post_id,
                in_reply_to=target.external_id,
                author=creds.handle,
                text=text,
                own=True,
                hidden=False,
                created_at=datetime.now(UTC),
                thread=target.thread_id,
            ),
            key,
        )
        if failure == "unknown":
            raise Unknown(words("Sandbox: simulated timeout after the answer was written."))
        return self._answered(answer)

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        found = self.feed.find_comment(creds.external_id, key)
        return self._answered(found) if found else None

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        self._check_token(creds)
        self.feed.change_comment(creds.external_id, target.external_id, action)

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        self._check_token(creds)
        yield from self.feed.figures(creds.external_id, list(external_ids))

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        self._check_token(creds)
        return self.feed.followers(creds.external_id)

    def _item(self, comment: FeedComment) -> Engagement:
        if not comment.post_id:
            kind = e.MESSAGE
        elif comment.in_reply_to:
            kind = e.REPLY
        else:
            kind = e.COMMENT
        return Engagement(
            external_id=comment.id,
            kind=kind,
            text=comment.text,
            created_at=comment.created_at,
            author_name=comment.author,
            author_handle=comment.author,
            author_id=comment.author,
            parent_post_id=comment.post_id,
            in_reply_to_id=comment.in_reply_to,
            thread_id=comment.thread,
            url=self._url(comment),
            own=comment.own,
            hidden=comment.hidden,
        )

    def _url(self, comment: FeedComment) -> str:
        base = str(self.config.get("public_url", "")).rstrip("/")
        if not comment.post_id:
            return f"{base}/sandbox/"
        return f"{base}/sandbox/posts/{comment.post_id}/#comment-{comment.id}"

    def _answered(self, comment: FeedComment) -> Published:
        return Published(comment.id, self._url(comment), comment.created_at)

    def _check_token(self, creds: Credentials) -> None:
        if not creds.secrets.get("token"):
            raise AuthExpired(words("The sandbox account has no token; reconnect it."), status=401)

    def _raise(self, failure: str, options: Any) -> None:
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
        raise AuthExpired(words("Sandbox: simulated expired token."), status=401)

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
