"""The Threads inbox: replies under the account's posts, mentions, and what SMO may
do with them (developers.facebook.com/docs/threads/reply-management,
/threads-mentions, /posts/delete-posts).

- Replies: GET /{media-id}/conversation lists a post's whole reply tree,
  flattened, newest first (`reverse`, the default). `replied_to` says which
  item each answers: the post itself (a comment) or another reply.
- Mentions: GET /{user-id}/mentions (threads_manage_mentions) lists public
  posts that tag the account, with `since` as a Unix time. A token without
  that permission gets replies only.
- The account's own replies: GET /{user-id}/replies, read so that an answer
  to a mention (which sits under someone else's post) comes back too.
- Hiding: POST /{reply-id}/manage_reply hide=true|false, for top-level replies
  only ("replies nested deeper than the top-level reply cannot be targeted").
- Deleting: DELETE /{media-id}, for the account's own posts and replies only
  (threads_delete, 100 a day).

Answering is publishing: a container with `reply_to_id`, then threads_publish
(threads.py reuses the publishing code for it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from channels.adapters.base import Credentials, Permanent
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    HIDE,
    MENTION,
    REPLY,
    UNHIDE,
    Engagement,
    PostRef,
)
from channels.adapters.graph import Call, graph_time
from channels.adapters.threads_api import ThreadsAPI
from channels.words import words

FIELDS = "id,text,username,timestamp,permalink,replied_to,root_post,is_reply,hide_status"
PAGE_SIZE = 50
# A guard against a cursor that never ends; 100 pages of 50 is far past any post's replies.
MAX_PAGES = 100
# "Unsupported delete request. Object with ID ... does not exist": already gone.
GONE = "100/33"
LAUNCH = 1688540400  # 2023-07-05, the earliest `since` the mentions edge takes
ARGS: dict[str, Any] = {"max_pages": MAX_PAGES, "fields": FIELDS, "limit": PAGE_SIZE}


def fetch(
    api: ThreadsAPI,
    creds: Credentials,
    since: datetime,
    posts: Sequence[PostRef],
) -> Iterator[Engagement]:
    """Yield replies under `posts`, then mentions, then the account's own answers
    elsewhere, each list read newest first and only as far back as `since`."""
    ours = {post.external_id for post in posts}
    for post in posts:
        for item in _newer(api.paged(f"{post.external_id}/conversation", **ARGS), since):
            yield engagement(item, creds, post.external_id)
    # Threads refuses a `since` before its launch (the mentions reference).
    after = max(int(since.timestamp()), LAUNCH)
    mentions = api.paged(f"{creds.external_id}/mentions", **ARGS, since=after)
    for item in _newer(_unless_refused(mentions), since):
        if _root(item) not in ours:  # a reply under one of `posts` came with its conversation
            yield engagement(item, creds, "")
    for item in _newer(api.paged(f"{creds.external_id}/replies", **ARGS), since):
        if _root(item) not in ours:
            yield engagement(item, creds, "")


def engagement(item: dict[str, Any], creds: Credentials, post_id: str) -> Engagement:
    """One Threads media object as an inbox item; `post_id` is the account's post
    it sits under ("" for a mention, or the account's answer to one)."""
    username = str(item.get("username") or "")
    own = bool(username) and username.lower() == creds.handle.lstrip("@").lower()
    answered = str((item.get("replied_to") or {}).get("id") or "")
    if not post_id:
        kind = REPLY if own else MENTION
    else:
        kind = COMMENT if answered in ("", post_id) else REPLY
    return Engagement(
        external_id=str(item["id"]),
        kind=kind,
        text=str(item.get("text") or ""),
        created_at=graph_time(item.get("timestamp")) or datetime.fromtimestamp(0, UTC),
        author_name=username,
        author_handle=username,
        parent_post_id=post_id,
        in_reply_to_id="" if answered == post_id else answered,
        url=str(item.get("permalink") or ""),
        own=own,
        hidden=str(item.get("hide_status") or "") == "HIDDEN",
    )


def moderate(api: ThreadsAPI, target: Engagement, action: str) -> None:
    """Hide or unhide a top-level reply, or delete one of the account's own items."""
    if action in (HIDE, UNHIDE):
        if target.kind != COMMENT or target.own:
            raise Permanent(
                words("Threads hides only other people's replies to the post itself."),
                code="unsupported",
            )
        # Hiding what is hidden succeeds: manage_reply sets a state, it does not toggle.
        api.post(f"{target.external_id}/manage_reply", Call.READ, hide=action == HIDE)
        return
    if action == DELETE:
        if not target.own:
            raise Permanent(
                words("Threads lets SMO delete only the account's own replies."),
                code="unsupported",
            )
        try:
            api.delete(target.external_id)
        except Permanent as refused:
            if refused.code != GONE:
                raise
        return
    raise Permanent(words("Threads cannot do this to a reply."), code="unsupported")


def _newer(items: Iterator[dict[str, Any]], since: datetime) -> Iterator[dict[str, Any]]:
    """The items of a newest-first list made at or after `since`; stop at the first
    older one, so the pages past it are never fetched."""
    for item in items:
        made = graph_time(item.get("timestamp"))
        if made is not None and made < since:
            return
        yield item


def _unless_refused(items: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The mentions, or none when the token lacks threads_manage_mentions (accounts
    connected before SMO asked for it): replies still arrive, mentions wait for
    a reconnect."""
    try:
        yield from items
    except Permanent as refused:
        code = refused.code.split("/")[0]
        if not (code == "10" or (code.isdigit() and 200 <= int(code) <= 299)):
            raise


def _root(item: dict[str, Any]) -> str:
    return str((item.get("root_post") or {}).get("id") or "")
