"""The fake Graph API's inbox endpoints: comments and replies on Page posts and
Instagram media, hiding and deleting them, and Messenger conversations
(Pages API "Comments" and "Conversations" guides, Send API, IG Comment
reference). graph_routes.route sends these edges and single-object POST and
DELETE calls here.

Comments are dicts in `fake.comments`; Facebook ones carry `message`, `from`,
`created_time`, `is_hidden`, `permalink_url` and, for replies, `parent`;
Instagram ones `text`, `username`, `timestamp`, `from` and `hidden`. Both keep
`parent_id` (what they were made on), `post_id` (the post or media they sit
under) and `at` (a datetime, for `since`). Conversations are dicts in
`fake.conversations`, each with its `messages`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tests.fakes.graph_wire import (
    GRAPH_ORIGIN,
    TIME_FORMAT,
    GraphFault,
    Page,
    Recorded,
    b64,
    fault,
    select,
    unsupported,
)

if TYPE_CHECKING:
    from tests.fakes.graph import FakeGraph
    from tests.fakes.graph_routes import Actor

# Send API: RESPONSE messages are allowed for 24 hours after the person's last message.
WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = (
    "(#10) This message is sent outside of allowed window. Learn more about the new policy "
    "here: https://developers.facebook.com/docs/messenger-platform/policy-overview"
)


def commented(fake: FakeGraph, object_id: str) -> tuple[Page, str] | None:
    """The Page (and "facebook" or "instagram") that owns a post, video, media or comment."""
    comment = find_comment(fake, object_id)
    if comment is not None:
        object_id = comment["post_id"]
    post = next((p for p in fake.posts if p["id"] == object_id), None)
    page_id = post["page_id"] if post else (fake.videos.get(object_id) or {}).get("page_id")
    if page_id:
        return fake.pages[page_id], "facebook"
    media = next((m for m in fake.media if m["id"] == object_id), None)
    if media:
        page = next(
            p for p in fake.pages.values() if p.instagram and p.instagram[0] == media["ig_user_id"]
        )
        return page, "instagram"
    return None


def find_comment(fake: FakeGraph, comment_id: str) -> dict[str, Any] | None:
    return next((c for c in fake.comments if c["id"] == comment_id), None)


def new_comment(
    fake: FakeGraph,
    on: str,
    text: str,
    author: tuple[str, str],
    at: datetime,
) -> dict[str, Any]:
    """A comment on a post or media, or a reply on a comment; `author` is (id, name)."""
    owner = commented(fake, on)
    if owner is None:
        raise unsupported("POST", on)
    parent = find_comment(fake, on)
    post_id = parent["post_id"] if parent else on
    stamp = at.strftime(TIME_FORMAT)
    comment: dict[str, Any] = {
        "parent_id": on,
        "post_id": post_id,
        "network": owner[1],
        "message": text,
        "at": at,
    }
    if owner[1] == "facebook":
        number = fake.next_id()
        comment.update(
            id=f"{post_id.split('_')[-1]}_{number}",
            created_time=stamp,
            is_hidden=False,
            permalink_url=f"https://www.facebook.com/{post_id}?comment_id={number}",
            **{"from": {"id": author[0], "name": author[1]}},
        )
        if parent:
            comment["parent"] = {"id": parent["id"]}
    else:
        comment.update(
            id=fake.next_id(),
            text=text,
            username=author[1],
            timestamp=stamp,
            hidden=False,
            **{"from": {"id": author[0], "username": author[1]}},
        )
    fake.comments.append(comment)
    return comment


def _acting_page(fake: FakeGraph, actor: Actor, object_id: str, method: str) -> tuple[Page, str]:
    owner = commented(fake, object_id)
    if owner is None:
        raise unsupported(method, object_id)
    if actor.page is not owner[0]:
        raise fault(403, 200, "(#200) Permissions error")
    return owner


def _author(page: Page, network: str) -> tuple[str, str]:
    if network == "instagram":
        assert page.instagram is not None
        return page.instagram
    return page.id, page.name


def post_comment(fake: FakeGraph, r: Recorded, object_id: str, actor: Actor) -> tuple[int, Any]:
    page, network = _acting_page(fake, actor, object_id, "POST")
    parent = find_comment(fake, object_id)
    if parent is not None and (network != "facebook" or "parent" in parent):
        # Facebook threads two levels deep; a reply takes no replies (unconfirmed
        # wording, the refusal is what Graph's can_comment=false says).
        raise fault(400, 100, "(#100) Cannot comment on this comment")
    message = r.params.get("message", "")
    if not message:
        raise fault(400, 100, "(#100) Missing message")
    comment = new_comment(fake, object_id, message, _author(page, network), fake.now())
    return 200, {"id": comment["id"]}


def post_reply(fake: FakeGraph, r: Recorded, comment_id: str, actor: Actor) -> tuple[int, Any]:
    """POST /{ig-comment-id}/replies: Instagram answers top-level comments only."""
    page, network = _acting_page(fake, actor, comment_id, "POST")
    parent = find_comment(fake, comment_id)
    if parent is None or network != "instagram" or parent["parent_id"] != parent["post_id"]:
        raise unsupported("POST", comment_id)
    message = r.params.get("message", "")
    if not message:
        raise fault(400, 100, "(#100) The parameter message is required")
    comment = new_comment(fake, comment_id, message, _author(page, network), fake.now())
    return 200, {"id": comment["id"]}


def list_comments(fake: FakeGraph, r: Recorded, object_id: str, actor: Actor) -> tuple[int, Any]:
    """A post's comments (filter=toplevel, or filter=stream for replies too), a
    comment's replies; oldest first, `since` a unix time (Facebook only)."""
    owner = commented(fake, object_id)
    if owner is None:
        raise unsupported("GET", object_id)
    stream = r.query.get("filter") == "stream" and owner[1] == "facebook"
    found = [
        c
        for c in fake.comments
        if c["parent_id"] == object_id or (stream and c["post_id"] == object_id)
    ]
    since = r.query.get("since")
    if since and owner[1] == "facebook":
        found = [c for c in found if c["at"].timestamp() >= int(since)]
    page = fake.listing(r, found, "id,message,created_time", fake.inbox_page_size)
    if owner[1] == "instagram" and "replies{" in r.query.get("fields", ""):
        for shown in page["data"]:
            shown["replies"] = _nested_replies(fake, r, shown["id"])
    return 200, page


def list_replies(fake: FakeGraph, r: Recorded, comment_id: str, actor: Actor) -> tuple[int, Any]:
    if commented(fake, comment_id) is None or find_comment(fake, comment_id) is None:
        raise unsupported("GET", comment_id)
    found = [c for c in fake.comments if c["parent_id"] == comment_id]
    return 200, fake.listing(r, found, "id,text,timestamp", fake.inbox_page_size)


def _nested_replies(fake: FakeGraph, r: Recorded, comment_id: str) -> dict[str, Any]:
    """`replies{...}` inside a comment: the first page, with paging when there is more."""
    fields = r.query["fields"].split("replies{", 1)[1].split("}", 1)[0]
    found = [c for c in fake.comments if c["parent_id"] == comment_id]
    size = fake.inbox_page_size
    nested: dict[str, Any] = {"data": [select(c, fields) for c in found[:size]]}
    if len(found) > size:
        after = b64(str(size))
        query = f"fields={fields}&limit={size}&after={after}"
        nested["paging"] = {
            "cursors": {"before": b64("0"), "after": after},
            "next": f"{GRAPH_ORIGIN}/{r.version}/{comment_id}/replies?{query}",
        }
    return nested


def update_object(fake: FakeGraph, r: Recorded, object_id: str, actor: Actor) -> tuple[int, Any]:
    """POST /{comment-id}: is_hidden=true|false (Facebook) or hide=true|false (Instagram)."""
    comment = find_comment(fake, object_id)
    if comment is None:
        raise unsupported("POST", object_id)
    _, network = _acting_page(fake, actor, object_id, "POST")
    name, key = ("is_hidden", "is_hidden") if network == "facebook" else ("hide", "hidden")
    value = r.params.get(name)
    if value not in ("true", "false"):
        raise fault(400, 100, f"(#100) The parameter {name} is required")
    comment[key] = value == "true"
    return 200, {"success": True}


def delete_object(fake: FakeGraph, r: Recorded, object_id: str, actor: Actor) -> tuple[int, Any]:
    """DELETE /{comment-id}; its replies go with it. Gone already: 100/33."""
    if find_comment(fake, object_id) is None:
        raise unsupported("DELETE", object_id)
    _acting_page(fake, actor, object_id, "DELETE")
    fake.comments[:] = [c for c in fake.comments if object_id not in (c["id"], c["parent_id"])]
    return 200, {"success": True}


# Messenger --------------------------------------------------------------------------------


def new_message(
    fake: FakeGraph, page: Page, psid: str, name: str, text: str, at: datetime, from_page: bool
) -> dict[str, Any]:
    """Add a message to the Page's conversation with `psid` (made on first use)."""
    conversation = next(
        (c for c in fake.conversations if c["page_id"] == page.id and c["psid"] == psid), None
    )
    if conversation is None:
        conversation = {
            "id": f"t_{fake.next_id()}",
            "page_id": page.id,
            "psid": psid,
            "name": name,
            "messages": [],
        }
        fake.conversations.append(conversation)
    sender = {"id": page.id, "name": page.name} if from_page else {"id": psid, "name": name}
    message = {
        "id": f"m_{b64(fake.next_id())}",
        "message": text,
        "from": sender,
        "created_time": at.strftime(TIME_FORMAT),
        "at": at,
        "from_page": from_page,
    }
    conversation["messages"].append(message)
    conversation["updated_time"] = message["created_time"]
    conversation["at"] = at
    return message


def list_conversations(fake: FakeGraph, r: Recorded, page_id: str, actor: Actor) -> tuple[int, Any]:
    page = fake.pages.get(page_id)
    if page is None:
        raise unsupported("GET", page_id)
    if actor.page is not page:
        raise fault(403, 200, "(#200) Requires pages_messaging permission to manage the object")
    if r.query.get("platform", "messenger") != "messenger":
        return 200, {"data": []}  # Instagram conversations need their own app review
    found = sorted(
        (c for c in fake.conversations if c["page_id"] == page_id),
        key=lambda c: c["at"],
        reverse=True,
    )
    shown = [
        {
            **c,
            "participants": {
                "data": [
                    {"name": c["name"], "email": f"{c['psid']}@facebook.com", "id": c["psid"]},
                    {"name": page.name, "email": f"{page.id}@facebook.com", "id": page.id},
                ]
            },
        }
        for c in found
    ]
    return 200, fake.listing(r, shown, "id,updated_time", fake.inbox_page_size)


def list_messages(
    fake: FakeGraph, r: Recorded, conversation_id: str, actor: Actor
) -> tuple[int, Any]:
    conversation = next((c for c in fake.conversations if c["id"] == conversation_id), None)
    if conversation is None:
        raise unsupported("GET", conversation_id)
    if actor.page is not fake.pages[conversation["page_id"]]:
        raise fault(403, 200, "(#200) Requires pages_messaging permission to manage the object")
    newest_first = list(reversed(conversation["messages"]))
    return 200, fake.listing(r, newest_first, "id,created_time", fake.inbox_page_size)


def send_message(fake: FakeGraph, r: Recorded, page_id: str, actor: Actor) -> tuple[int, Any]:
    """The Send API: recipient={"id": PSID}, message={"text": ...}, messaging_type."""
    page = fake.pages.get(page_id)
    if page is None or actor.page is not page:
        raise fault(403, 200, "(#200) Requires pages_messaging permission to manage the object")
    try:
        psid = str(json.loads(r.params.get("recipient", "")).get("id") or "")
        text = str(json.loads(r.params.get("message", "")).get("text") or "")
    except (ValueError, AttributeError):
        raise _param("recipient and message must be JSON objects") from None
    if r.params.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        raise _param("messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG")
    if not text:
        raise _param("message must have text or an attachment")
    conversation = next(
        (c for c in fake.conversations if c["page_id"] == page_id and c["psid"] == psid), None
    )
    if conversation is None:
        raise fault(400, 100, "(#100) No matching user found", subcode=2018001)
    theirs = [m["at"] for m in conversation["messages"] if not m["from_page"]]
    if not theirs or fake.now() - max(theirs) > WINDOW:
        raise fault(400, 10, OUTSIDE_WINDOW, subcode=2018278)
    message = new_message(fake, page, psid, conversation["name"], text, fake.now(), True)
    return 200, {"recipient_id": psid, "message_id": message["id"]}


def _param(message: str) -> GraphFault:
    return fault(400, 100, f"(#100) {message}")
