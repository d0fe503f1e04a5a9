"""The fake Threads API's inbox endpoints (reply management, mentions, deleting):
GET /{media-id}/conversation and /{media-id}/replies (newest first unless
reverse=false, cursor paging of at most `fake.page_size`), GET /{user-id}/mentions
(`since`/`until` as Unix times), POST /{reply-id}/manage_reply and
DELETE /{media-id}.

Error codes for refusals Threads documents no code for are assumptions, marked
where they are made. threads_routes.route calls these.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tests.fakes.graph_wire import Recorded, fault

if TYPE_CHECKING:
    from tests.fakes.threads import FakeThreads

# Graph's answer for a missing (or unreachable) object, subcode 33.
NO_OBJECT = (
    "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded "
    "due to missing permissions, or does not support this operation"
)


def find(fake: FakeThreads, media_id: str) -> dict[str, Any] | None:
    return next((t for t in fake.threads if t["id"] == media_id), None)


def root_of(fake: FakeThreads, media_id: str) -> str:
    """The root post of the thread `media_id` is in (itself when it is one)."""
    item = find(fake, media_id)
    if item is None or not item.get("root_post"):
        return media_id
    return str(item["root_post"]["id"])


def conversation(fake: FakeThreads, r: Recorded, media_id: str, *, top_only: bool) -> Any:
    post = _existing(fake, media_id, "get")
    items = [
        t
        for t in fake.threads
        if (t.get("root_post") or {}).get("id") == post["id"]
        and (not top_only or t["replied_to"]["id"] == post["id"])
    ]
    return fake.listing(r, _ordered(items, r), "id", most=fake.page_size)


def mentions(fake: FakeThreads, r: Recorded, user_id: str) -> Any:
    if not fake.mentions_allowed:
        raise fault(400, 10, "(#10) Application does not have permission for this action")
    handle = "@" + fake.users[user_id]["username"]
    since = _unix(r.query.get("since"), 0)
    until = _unix(r.query.get("until"), 2**40)
    if r.query.get("since") and since < 1688540400:
        # The documented floor (Threads' launch); the code is assumed.
        raise fault(400, 100, "(#100) Param since must be greater than or equal to 1688540400")
    items = [
        t
        for t in fake.threads
        if t["user_id"] != user_id
        and handle in t["text"]
        and since <= t["published_at"].timestamp() <= until
    ]
    return fake.listing(r, _ordered(items, r), "id", most=fake.page_size)


def manage_reply(fake: FakeThreads, r: Recorded, user_id: str, reply_id: str) -> Any:
    reply = _existing(fake, reply_id, "post")
    root = find(fake, root_of(fake, reply_id))
    if root is None or root["user_id"] != user_id:
        raise fault(400, 10, "(#10) Application does not have permission for this action")
    if reply["replied_to"]["id"] != root["id"]:
        # "Replies nested deeper than the top-level reply cannot be targeted" (assumed code).
        raise fault(400, 100, "(#100) Only top-level replies can be hidden or unhidden")
    hide = r.params.get("hide")
    if hide not in ("true", "false"):
        raise fault(400, 100, "(#100) Param hide must be a boolean")
    reply["hide_status"] = "HIDDEN" if hide == "true" else "UNHUSHED"
    return {"success": True}


def delete(fake: FakeThreads, user_id: str, media_id: str) -> Any:
    item = _existing(fake, media_id, "delete")
    if item["user_id"] != user_id:
        raise fault(400, 10, "(#10) Application does not have permission for this action")
    fake.threads.remove(item)
    fake.deleted.append(media_id)
    return {"success": True, "deleted_id": media_id}


def _existing(fake: FakeThreads, media_id: str, verb: str) -> dict[str, Any]:
    item = find(fake, media_id)
    if item is None:
        raise fault(400, 100, NO_OBJECT.format(verb=verb, id=media_id), subcode=33)
    return item


def _ordered(items: list[dict[str, Any]], r: Recorded) -> list[dict[str, Any]]:
    """Newest first (reverse=true is the default), oldest first with reverse=false."""
    chronological = sorted(items, key=lambda t: (t["published_at"], int(t["id"])))
    return chronological if r.query.get("reverse") == "false" else chronological[::-1]


def _unix(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        raise fault(400, 100, "(#100) Param since/until must be a Unix time") from None


def seeded(
    fake: FakeThreads,
    username: str,
    text: str,
    at: datetime,
    *,
    reply_to: str = "",
) -> dict[str, Any]:
    """A post or reply by someone else, as Threads lists it."""
    media_id = fake.next_id()
    item: dict[str, Any] = {
        "id": media_id,
        "user_id": f"other:{username}",
        "username": username,
        "text": text,
        "media_type": "TEXT_POST",
        "is_reply": bool(reply_to),
        "hide_status": "NOT_HUSHED",
        "permalink": f"https://www.threads.net/@{username}/post/{media_id}",
        "timestamp": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "published_at": at,
    }
    if reply_to:
        item["replied_to"] = {"id": reply_to}
        item["root_post"] = {"id": root_of(fake, reply_to)}
    return item
