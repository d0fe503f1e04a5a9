"""A fake Threads API on 127.0.0.1 (platforms.md §4).

    with FakeThreads() as fake:
        user = fake.add_user("acmebakery", "Acme Bakery")
        token = fake.issue_token(user)
        adapter = ThreadsAdapter(fake.adapter_config(), build_session(2.0))

Threads is a Graph API of its own, so this is FakeGraph (graph.py) with other
endpoints: the same request records, error envelope, fail_next /
timeout_after_receive / error_rate knobs, media files (`add_file`) that
containers fetch over HTTP as Threads does, and list paging. Its endpoints
(threads_routes.py) are the OAuth authorize page (approved at once) and token
endpoints (short-lived code exchange, long-lived swap, refresh only for a
long-lived token at least 24 hours old and unexpired), /me, containers for
text, images, videos and carousels (2 to 20 items) and replies (reply_to_id),
container status, threads_publish, permalinks, the account's posts and replies,
and threads_publishing_limit (250 posts and 1,000 replies per rolling 24 hours).

fail_next(path=) and timeout_after_receive(path=) match the end of a path here
("/threads_publish", "/threads"), not any part of it as FakeGraph does.
Inbox: replies under posts (/{media-id}/replies and /conversation, paged
by `page_size`), mentions, manage_reply (hide/unhide top-level replies) and
DELETE of the account's own posts and replies (threads_inbox.py); seed
others' replies and mentions with add_reply() and add_mention().

Insights: views, likes, replies, reposts, quotes and shares per post, and the
profile's followers_count (threads_metrics.py); seed with set_metrics() and
set_followers().

Extra knobs: container_polls (IN_PROGRESS looks before a media container is
FINISHED), set_status(), use_quota(), expire_token(), advance() (the fake's clock),
insights_allowed.
Records: containers, threads (published posts and replies), fetches, tokens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes import threads_inbox
from tests.fakes.graph import FakeGraph
from tests.fakes.graph_wire import GraphFault, Recorded, default_error
from tests.fakes.loopback import LoopbackHandler

VERSION = "v1.0"
LONG_LIVED_SECONDS = 5_183_944  # "expires_in" of a long-lived token (§4)
SHORT_LIVED_SECONDS = 3600


@dataclass
class Token:
    user_id: str
    kind: str  # "short" or "long"
    issued_at: datetime
    expires_at: datetime


class FakeThreads(FakeGraph):
    """The fake server and its state. Use as a context manager."""

    def __init__(
        self,
        *,
        app_id: str = "737373",
        app_secret: str = "fake-threads-app-secret-9d1f",  # noqa: S107 - a fake
    ) -> None:
        self.offset = timedelta()
        super().__init__(app_id=app_id, app_secret=app_secret, now=self._clock)
        self.quota_total = 250  # posts per rolling 24 hours (§4)
        self.reply_quota_total = 1000
        self.users: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, Token] = {}
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (user id, redirect_uri)
        self.threads: list[dict[str, Any]] = []  # published posts and replies, oldest first
        self.login_user = ""  # who approves on the authorize page
        self.page_size = 25  # the most items a page of replies or mentions holds
        self.deleted: list[str] = []  # media ids DELETEd
        self.mentions_allowed = True  # False: the token lacks threads_manage_mentions
        self.insights_allowed = True  # False: the token lacks threads_manage_insights
        # Threads takes DELETE /{media-id}; FakeGraph's handler answers GET and POST only.
        self._server.RequestHandlerClass.do_DELETE = LoopbackHandler.do_POST  # type: ignore[attr-defined]

    def _clock(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move the fake's clock (token ages, the 24-hour quota window)."""
        self.offset += delta

    # --- Wiring ---------------------------------------------------------------

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/oauth/authorize"

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        """The adapter config (SMO_NETWORKS["threads"]) pointing at this fake."""
        return {
            "app_id": self.app_id,
            "app_secret": self.app_secret,
            "api_url": self.url,
            "authorize_url": self.authorize_url,
            "sleep": lambda seconds: None,
            **extra,
        }

    # --- Seeding ----------------------------------------------------------------

    def add_user(self, username: str, name: str = "") -> str:
        """Add a Threads profile; it is the one that approves on the authorize page."""
        with self._lock:
            user_id = str(25_000_000_000_000_000 + len(self.users) + 1)
            self.users[user_id] = {
                "id": user_id,
                "username": username,
                "name": name or username,
                "threads_profile_picture_url": f"https://scontent.example/{username}.jpg",
            }
            self.login_user = user_id
        return user_id

    def issue_token(self, user_id: str, kind: str = "long", *, age: timedelta = timedelta()) -> str:
        """A token for `user_id`, issued `age` ago."""
        lifetime = LONG_LIVED_SECONDS if kind == "long" else SHORT_LIVED_SECONDS
        issued = self.now() - age
        token = f"TH{kind[0].upper()}{secrets.token_hex(20)}"
        with self._lock:
            self.tokens[token] = Token(user_id, kind, issued, issued + timedelta(seconds=lifetime))
        return token

    def add_reply(self, to: str, username: str, text: str, *, ago: timedelta = timedelta()) -> str:
        """Someone's reply to the post or reply `to`, made `ago` before now; its id."""
        with self._lock:
            item = threads_inbox.seeded(self, username, text, self.now() - ago, reply_to=to)
            self.threads.append(item)
        return str(item["id"])

    def add_mention(self, username: str, text: str, *, ago: timedelta = timedelta()) -> str:
        """Someone's post elsewhere; it mentions the account when `text` holds @its-name."""
        with self._lock:
            item = threads_inbox.seeded(self, username, text, self.now() - ago)
            self.threads.append(item)
        return str(item["id"])

    def item(self, media_id: str) -> dict[str, Any]:
        """A post or reply as the fake holds it."""
        found = threads_inbox.find(self, media_id)
        assert found is not None, media_id
        return found

    # --- Knobs --------------------------------------------------------------------

    def set_status(self, container_id: str, status: str, error_message: str = "") -> None:
        """Move a container to FINISHED, IN_PROGRESS, ERROR, EXPIRED or PUBLISHED."""
        with self._lock:
            container = self.containers[container_id]
            container.update(status=status, error_message=error_message, polls_left=0)
            if status == "IN_PROGRESS":
                container["polls_left"] = 10**6

    def use_quota(self, user_id: str, posts: int, *, replies: bool = False) -> None:  # type: ignore[override]
        """Count `posts` (or replies) as published by `user_id` in the last 24 hours."""
        key = f"{user_id}:replies" if replies else user_id
        with self._lock:
            self._quota_used[key] = self._quota_used.get(key, 0) + posts

    def expire_token(self, token: str) -> None:  # type: ignore[override]
        with self._lock:
            self.tokens[token].expires_at = self.now() - timedelta(seconds=1)

    # --- What the routes use ---------------------------------------------------------

    def quota_usage(self, user_id: str, replies: bool = False) -> int:  # type: ignore[override]
        since = self.now() - timedelta(hours=24)
        made = [
            t
            for t in self.threads
            if t["user_id"] == user_id and t["is_reply"] == replies and t["published_at"] >= since
        ]
        key = f"{user_id}:replies" if replies else user_id
        return len(made) + self._quota_used.get(key, 0)

    # fail_next(path=) and timeout_after_receive(path=) name the end of a path
    # here: "/threads_publish" is not "/threads_publishing_limit", nor
    # "/threads" "/threads_publish".
    def _matches(self, wanted: str, name: str) -> bool:
        return name.endswith(wanted)

    def _answer(self, record: Recorded) -> tuple[int, Any, dict[str, str]]:
        from tests.fakes.threads_routes import route

        planned = self._take_fault(record.path)
        if planned is not None:
            body = default_error(planned.status) if planned.body is None else planned.body
            return planned.status, body, dict(planned.headers)
        if self.error_rate and self.rng.random() < self.error_rate:
            return 500, default_error(500), {}
        try:
            status, body = route(self, record)
        except GraphFault as error:
            status, body = error.status, error.body
        return status, body, {}
