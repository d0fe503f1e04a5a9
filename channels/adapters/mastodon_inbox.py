"""The Mastodon inbox: mentions from the notifications feed, the account's own
answers from its statuses, and replies with an Idempotency-Key (platforms.md §10).

Everything anyone says to the account reaches it as a `mention` notification
(GET /api/v1/notifications?types[]=mention, newest first, older pages by the
Link header's max_id): a reply under one of its posts mentions it too, since
clients add the mention. What the account itself wrote never notifies it, so
its own answers are read from GET /api/v1/accounts/:id/statuses.

A status names only the status it answers (`in_reply_to_id`), not its thread's
root. `Threads` remembers the root of every status it has seen and asks
GET /api/v1/statuses/:id/context (ancestors, oldest first) only for a status
whose parent it has not met yet: one call places the whole chain above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from mastodon import Mastodon
from mastodon.errors import MastodonNotFoundError

from channels.adapters import mastodon_lookup as lookup
from channels.adapters.engagement import COMMENT, MENTION, MESSAGE, REPLY, Engagement
from channels.words import words

PAGE = 40  # notifications allow 80 a page, statuses 40; one size for both
VISIBILITIES = ("public", "unlisted", "private", "direct")
ANSWER = words("the answer")


class Threads:
    """The thread root of each status met, and which roots are the account's own posts."""

    def __init__(self, api: Mastodon, account_id: str, posts: Iterable[str]) -> None:
        self.api = api
        self.account_id = account_id
        self.own_roots = {str(p) for p in posts}
        self.root = {p: p for p in self.own_roots}  # status id -> its thread's first status

    def meet(self, status: Mapping[str, Any]) -> None:
        """Remember what a listed status tells without a call."""
        status_id, parent = str(status["id"]), str(status.get("in_reply_to_id") or "")
        if not parent:
            self.root[status_id] = status_id
            if author_id(status) == self.account_id:
                self.own_roots.add(status_id)
        elif parent in self.root:
            self.root[status_id] = self.root[parent]

    def root_of(self, status: Mapping[str, Any]) -> str:
        """The id of the first status of `status`'s thread (a call when not yet known)."""
        self.meet(status)
        status_id = str(status["id"])
        if status_id not in self.root:
            try:
                ancestors = self.api.status_context(status_id).get("ancestors") or []
            except MastodonNotFoundError:
                ancestors = []  # deleted meanwhile: no reason to lose the rest of the page
            first = ancestors[0] if ancestors else status
            for ancestor in [*ancestors, status]:
                self.meet(ancestor)  # the first one is a root: the rest follow it
            # An ancestor the account cannot see breaks the chain: the first it
            # sees stands in as root, so the item is at least kept together.
            self.root.setdefault(status_id, str(first["id"]))
        return self.root[status_id]

    def item(self, status: Mapping[str, Any]) -> Engagement:
        """The Engagement a status is, seen by the account `self.account_id`."""
        status_id = str(status["id"])
        parent = str(status.get("in_reply_to_id") or "")
        root = self.root_of(status) if parent else status_id
        under = root if root in self.own_roots and root != status_id else ""
        visibility = str(status.get("visibility") or "public")
        if visibility == "direct":
            kind = MESSAGE
        elif under:
            kind = COMMENT if parent == under else REPLY
        else:
            kind = MENTION
        account = status.get("account") or {}
        return Engagement(
            external_id=status_id,
            kind=kind,
            text=lookup.plain(str(status.get("content") or "")).strip(),
            created_at=lookup.created(status) or datetime.now(UTC),
            author_name=str(account.get("display_name") or account.get("username") or ""),
            author_handle=f"@{account.get('acct') or account.get('username') or ''}",
            author_id=author_id(status),
            parent_post_id=under if kind != MESSAGE else "",
            in_reply_to_id="" if kind == COMMENT else parent,
            thread_id=root if kind == MESSAGE else "",
            url=str(status.get("url") or status.get("uri") or ""),
            own=author_id(status) == self.account_id,
            extra={"visibility": visibility},
        )


def author_id(status: Mapping[str, Any]) -> str:
    return str((status.get("account") or {}).get("id") or "")


def pages(first: Any, api: Mastodon, since: datetime) -> Iterator[list[Any]]:
    """Each page of a newest-first listing, following its Link header, until an
    entry older than `since` (that page is the last)."""
    page = first
    while page:
        yield list(page)
        oldest = lookup.created(page[-1])
        if oldest is not None and oldest < since:
            return
        page = api.fetch_next(page)


def engagement(
    api: Mastodon,
    account_id: str,
    since: datetime,
    posts: Iterable[str],
    calling: Callable[[Any], Any],
) -> Iterator[Engagement]:
    """Mentions, then the account's own replies, made since `since`, yielded page by
    page. `calling(what)` is the adapter's error mapping around each call."""
    threads = Threads(api, account_id, posts)
    with calling(words("the account's mentions")):
        first = api.notifications(types=["mention"], limit=PAGE)
    notifications = pages(first, api, since)
    while True:
        with calling(words("the account's mentions")):
            page = next(notifications, None)
            if page is None:
                break
            items = [
                threads.item(n["status"])
                for n in page
                if n.get("type") == "mention" and n.get("status") and newer(n["status"], since)
            ]
        yield from items
    with calling(words("the account's posts")):
        first = api.account_statuses(account_id, limit=PAGE, exclude_reblogs=True)
    statuses = pages(first, api, since)
    while True:
        with calling(words("the account's posts")):
            page = next(statuses, None)
            if page is None:
                break
            for status in page:
                threads.meet(status)
            items = [threads.item(s) for s in page if answers_someone(s, account_id, since)]
        yield from items


def newer(status: Mapping[str, Any], since: datetime) -> bool:
    made = lookup.created(status)
    return made is None or made >= since


def answers_someone(status: Mapping[str, Any], account_id: str, since: datetime) -> bool:
    """An own status that answers someone else: the inbox's own replies. Answers to
    the account itself are a thread's later parts, not conversation."""
    replied_to = str(status.get("in_reply_to_account_id") or "")
    return bool(status.get("in_reply_to_id")) and replied_to != account_id and newer(status, since)


def answer_text(target: Engagement, text: str) -> str:
    """The answer's text, naming the author first as Mastodon's apps do: without
    the mention they are not told, and a direct answer would reach no one."""
    handle = target.author_handle if target.author_handle.strip("@") else ""
    if handle and handle.lower() not in text.lower():
        return f"{handle} {text.strip()}"
    return text.strip()


def answer_visibility(target: Engagement) -> str:
    """Direct for a message; otherwise as open as the item answered, at most public
    (Mastodon's apps do the same)."""
    if target.kind == MESSAGE:
        return "direct"
    seen = str(target.extra.get("visibility") or "public")
    return seen if seen in VISIBILITIES else "public"
