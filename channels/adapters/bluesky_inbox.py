"""The Bluesky inbox: replies, mentions and quotes from the notifications feed,
the account's own replies from its repository, and hiding replies with a
threadgate (platforms.md §11).

app.bsky.notification.listNotifications is an AppView method: the PDS passes
it on (atproto-proxy) to the AppView it is configured with, so it answers only
where there is one (bsky.social's is; a bare PDS has none). What the account
itself wrote never notifies it, so its own replies come from its repository
(com.atproto.repo.listRecords, newest first), which the PDS serves itself.

A post's `reply` names its thread's root and its parent as strong refs (uri
and cid); an answer must carry both, so they are kept in `extra`. A reply is
under one of the account's posts when that root is in the account's repository:
then `parent_post_id` is the root's at:// URI, as `publish` returns it.

Direct messages (chat.bsky.*) are served by a separate chat service that app
passwords reach only with DM access: not read here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from atproto_client import models

from channels.adapters import bluesky_records as records
from channels.adapters.base import Permanent
from channels.adapters.bluesky_xrpc import Pds
from channels.adapters.engagement import COMMENT, DELETE, HIDE, MENTION, REPLY, UNHIDE, Engagement
from channels.words import Words, words

PAGE = 50  # listNotifications and listRecords take up to 100
REASONS = ("reply", "mention", "quote")
THREADGATE = "app.bsky.feed.threadgate"
MAX_HIDDEN = 300  # app.bsky.feed.threadgate hiddenReplies maxLength
NOTIFICATIONS = words("the account's notifications")
OWN_POSTS = words("the account's posts")
GATE = words("the thread's hidden replies")

Query = Callable[[str, Any, Any], dict[str, Any]]  # (nsid, what, params) -> answer


def when(value: Any) -> datetime | None:
    try:
        found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def own_post(uri: str, did: str) -> bool:
    return uri.startswith(f"at://{did}/{records.COLLECTION}/")


def item(
    did: str,
    uri: str,
    cid: str,
    record: Mapping[str, Any],
    author: Mapping[str, Any],
    seen: datetime | None,
) -> Engagement:
    """The Engagement a post is for the account `did`."""
    reply = record.get("reply") if isinstance(record.get("reply"), Mapping) else {}
    root = dict(reply.get("root") or {})
    parent = str((reply.get("parent") or {}).get("uri") or "")
    root_uri = str(root.get("uri") or "")
    under = root_uri if own_post(root_uri, did) else ""
    if under:
        kind = COMMENT if parent == under else REPLY
    else:
        kind = MENTION
    handle = str(author.get("handle") or author.get("did") or "")
    return Engagement(
        external_id=uri,
        kind=kind,
        text=str(record.get("text") or ""),
        created_at=when(record.get("createdAt")) or seen or datetime.now(UTC),
        author_name=str(author.get("displayName") or handle),
        author_handle=f"@{handle}" if handle else "",
        author_id=str(author.get("did") or ""),
        parent_post_id=under,
        in_reply_to_id="" if kind == COMMENT else parent,
        url=records.post_url(handle, records.rkey_of(uri)),
        own=author.get("did") == did,
        # What an answer's `reply` needs: this post's cid, and its thread's root.
        extra={
            "cid": cid,
            "root": {"uri": root_uri, "cid": str(root.get("cid") or "")}
            if root_uri
            else {"uri": uri, "cid": cid},
        },
    )


def notified(query: Query, did: str, since: datetime) -> Iterator[list[Engagement]]:
    """Replies, mentions and quotes since `since`, a page at a time (cursor paging)."""
    cursor = None
    while True:
        params = models.AppBskyNotificationListNotifications.Params(
            limit=PAGE, cursor=cursor, reasons=list(REASONS)
        )
        page = appview(query, "app.bsky.notification.listNotifications", params)
        listed = page.get("notifications") or []
        items = []
        for n in listed:
            seen = when(n.get("indexedAt"))
            # An AppView that ignores `reasons` sends likes and follows too.
            if n.get("reason") in REASONS and (seen is None or seen >= since):
                author = n.get("author") or {}
                items.append(item(did, n["uri"], n["cid"], n.get("record") or {}, author, seen))
        yield items
        cursor = page.get("cursor")
        oldest = when(listed[-1].get("indexedAt")) if listed else None
        if not listed or not cursor or (oldest is not None and oldest < since):
            return


NO_APPVIEW = words(
    "This Bluesky server passes notifications to no AppView, so SMO cannot "
    "read the account's replies and mentions there."
)


def appview(
    query: Query,
    nsid: str,
    params: Any,
    what: Words = NOTIFICATIONS,
    missing: Words = NO_APPVIEW,
) -> dict[str, Any]:
    """Call an AppView method through the PDS. A PDS with no AppView configured
    answers 400 InvalidRequest "No service configured for <nsid>" (seen on
    @atproto/pds 0.4.217): said plainly (`missing`), as nothing SMO can retry
    its way out of."""
    try:
        return query(nsid, what, params)
    except Permanent as error:
        if error.code == "InvalidRequest" and "No service configured" in error.detail:
            raise Permanent(missing, status=error.status, code="no_appview") from None
        raise


def own_replies(query: Query, did: str, handle: str, since: datetime) -> Iterator[list[Engagement]]:
    """The account's replies to others since `since`, from its repository. Its
    replies to itself are a thread's later parts, not conversation."""
    cursor = None
    me = {"did": did, "handle": handle}
    while True:
        params = models.ComAtprotoRepoListRecords.Params(
            repo=did, collection=records.COLLECTION, limit=PAGE, cursor=cursor
        )
        page = query("com.atproto.repo.listRecords", OWN_POSTS, params)
        listed = page.get("records") or []
        items = []
        for r in listed:
            value = r.get("value") or {}
            parent = str(((value.get("reply") or {}).get("parent") or {}).get("uri") or "")
            made = when(value.get("createdAt"))
            if parent and not own_post(parent, did) and (made is None or made >= since):
                items.append(item(did, r["uri"], str(r.get("cid") or ""), value, me, made))
        yield items
        cursor = page.get("cursor")
        oldest = when((listed[-1].get("value") or {}).get("createdAt")) if listed else None
        if not listed or not cursor or (oldest is not None and oldest < since):
            return


def reply_refs(target: Engagement) -> dict[str, Any]:
    """The answer's `reply`: the target's thread root and the target itself."""
    cid = str(target.extra.get("cid") or "")
    root = target.extra.get("root") or {}
    if not cid or not root.get("uri") or not root.get("cid"):
        raise Permanent(
            words(
                "SMO no longer knows which Bluesky thread this belongs to; answer it in the app."
            ),
            code="no-cid",
        )
    return records.reply_refs(root, {"uri": target.external_id, "cid": cid})


def gate_rkey(target: Engagement, did: str) -> str:
    """The threadgate's record key: its post's, which must be the account's."""
    if not target.parent_post_id or not own_post(target.parent_post_id, did):
        raise Permanent(
            words("Bluesky hides only replies under the account's own posts."),
            code="unsupported",
        )
    return records.rkey_of(target.parent_post_id)


def gated(
    found: Mapping[str, Any] | None, target: Engagement, action: str, now: datetime
) -> dict[str, Any] | None:
    """The threadgate with `target` hidden (or shown again), or None when it already is.

    An existing gate keeps its reply rules (`allow`): leaving `allow` out of a
    new one keeps replies open to everyone."""
    value = dict(found["value"]) if found else {}
    hidden = [str(u) for u in value.get("hiddenReplies") or []]
    wanted = target.external_id
    if (wanted in hidden) == (action == HIDE):
        return None
    if action == HIDE:
        if len(hidden) >= MAX_HIDDEN:
            raise Permanent(
                words("Bluesky hides at most %(count)s replies in a thread.", count=MAX_HIDDEN),
                code="too_many",
            )
        hidden.append(wanted)
    else:
        hidden.remove(wanted)
    stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        **value,
        "$type": THREADGATE,
        "post": target.parent_post_id,
        "createdAt": value.get("createdAt") or stamp,
        "hiddenReplies": hidden,
    }


def moderate(pds: Pds, did: str, target: Engagement, action: str, now: datetime) -> None:
    """Delete the account's own post, or hide/unhide a reply under its post in the
    thread's threadgate (a read, then a compare-and-swap write)."""
    if action == DELETE and target.own and own_post(target.external_id, did):
        data = models.ComAtprotoRepoDeleteRecord.Data(
            repo=did, collection=records.COLLECTION, rkey=records.rkey_of(target.external_id)
        )
        pds.procedure("com.atproto.repo.deleteRecord", words("the post"), data)  # gone: fine
        return
    if action not in (HIDE, UNHIDE):
        raise Permanent(
            words("Bluesky lets SMO delete only the account's own posts."), code="unsupported"
        )
    rkey = gate_rkey(target, did)
    found = get_record(pds.query, did, THREADGATE, rkey)
    value = gated(found, target, action, now)
    if value is None:
        return  # hidden (or shown) already
    data = models.ComAtprotoRepoPutRecord.Data(
        repo=did,
        collection=THREADGATE,
        rkey=rkey,
        record=value,
        swap_record=found["cid"] if found else None,
    )
    pds.procedure("com.atproto.repo.putRecord", GATE, data)


def get_record(query: Query, did: str, collection: str, rkey: str) -> dict[str, Any] | None:
    params = models.ComAtprotoRepoGetRecord.Params(repo=did, collection=collection, rkey=rkey)
    try:
        return query("com.atproto.repo.getRecord", GATE, params)
    except Permanent as error:
        if error.code == "RecordNotFound":
            return None
        raise


class Gates:
    """Which replies the account has hidden, read from each of its threads'
    threadgate once per fetch (the notifications do not say)."""

    def __init__(self, query: Query, did: str) -> None:
        self.query, self.did = query, did
        self.hidden: dict[str, set[str]] = {}  # root post uri -> hidden reply uris

    def mark(self, items: list[Engagement]) -> list[Engagement]:
        return [replace(i, hidden=True) if self.is_hidden(i) else i for i in items]

    def is_hidden(self, item: Engagement) -> bool:
        root = item.parent_post_id
        if not root or item.own:
            return False
        if root not in self.hidden:
            found = get_record(self.query, self.did, THREADGATE, records.rkey_of(root))
            value = found["value"] if found else {}
            self.hidden[root] = {str(u) for u in value.get("hiddenReplies") or []}
        return item.external_id in self.hidden[root]
