"""Finding a Threads post whose publish answer was lost (platforms.md §4).

Threads takes no idempotency key. What it does offer: the container a post was
made from says PUBLISHED once threads_publish went through, and the account's
recent posts (GET /{user-id}/threads) and replies (GET /{user-id}/replies) list
their text. A container that is FINISHED or EXPIRED was certainly not
published, so "not there" can be said for certain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from channels.adapters.base import Published, RateLimited, Transient
from channels.adapters.graph import graph_time, same_text
from channels.adapters.threads_api import ThreadsAPI

LIST_FIELDS = "id,text,timestamp,permalink"
REPLY_FIELDS = "id,text,timestamp,permalink,replied_to"
PROFILE_URL = "https://www.threads.net/@%s"


def find_post(
    api: ThreadsAPI,
    user_id: str,
    text: str,
    *,
    reply_to: str = "",
    not_before: datetime | None,
    max_pages: int = 2,
) -> dict[str, Any] | None:
    """Return the newest of the account's posts (or its replies to `reply_to`) with
    this text, made no earlier than `not_before`; None when there is none."""
    edge, fields = ("replies", REPLY_FIELDS) if reply_to else ("threads", LIST_FIELDS)
    for item in api.paged(f"{user_id}/{edge}", max_pages=max_pages, fields=fields, limit=25):
        made = graph_time(item.get("timestamp"))
        if not_before is not None and made is not None and made < not_before:
            return None  # newest first: the rest is older still
        replied_to = str((item.get("replied_to") or {}).get("id") or "")
        if reply_to and replied_to and replied_to != reply_to:
            continue
        if same_text(str(item.get("text") or ""), text):
            return item
    return None


def published(
    api: ThreadsAPI, media_id: str, handle: str, known: dict[str, Any] | None = None
) -> Published:
    """The public URL and time of a post that exists (GET /{media-id}?fields=permalink).

    A failed read here must not hold up a post that is already out: a
    temporary failure gives the profile's URL and the current time.
    """
    found = known or {}
    if not found.get("permalink"):
        try:
            found = api.get(media_id, fields="permalink,timestamp")
        except (Transient, RateLimited):
            found = {}
    url = str(found.get("permalink") or "") or PROFILE_URL % handle
    return Published(media_id, url, graph_time(found.get("timestamp")) or api.now())
