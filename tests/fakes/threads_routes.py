"""The fake Threads API's endpoints (platforms.md §4); FakeThreads._answer calls `route`.

Error bodies use the Graph envelope, which platforms.md assumes for Threads;
the codes chosen for Threads-only refusals (a refresh too early, a container
that is not ready) are assumptions too, marked where they are made.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from channels import text as text_rules
from tests.fakes import threads_inbox as inbox
from tests.fakes import threads_metrics
from tests.fakes.graph_wire import Recorded, Redirect, b64, fault, select

if TYPE_CHECKING:
    from tests.fakes.threads import FakeThreads, Token

MEDIA_TYPES = {"TEXT", "IMAGE", "VIDEO", "CAROUSEL"}
PUBLISHED_TYPES = {"TEXT": "TEXT_POST", "CAROUSEL": "CAROUSEL_ALBUM"}
DOWNLOAD_FAILED = "FAILED_DOWNLOADING_MEDIA"


def route(fake: FakeThreads, r: Recorded) -> tuple[int, Any]:
    parts = [p for p in r.path.split("/") if p]
    unversioned = {
        ("GET", "oauth/authorize"): _authorize,
        ("POST", "oauth/access_token"): _code_exchange,
        ("GET", "access_token"): _long_lived,
        ("GET", "refresh_access_token"): _refresh,
    }
    if not r.version and (r.method, "/".join(parts)) in unversioned:
        return unversioned[(r.method, "/".join(parts))](fake, r)
    user_id = _authenticate(fake, r)
    if parts and parts[0] == "me":
        parts[0] = user_id
    if len(parts) == 1 and r.method == "GET":
        return 200, _read_object(fake, r, parts[0])
    if len(parts) == 1 and r.method == "DELETE":
        return 200, inbox.delete(fake, user_id, parts[0])
    if len(parts) == 2 and parts[0] != user_id:
        return _media_edge(fake, r, user_id, parts[0], parts[1])
    edge = EDGES.get((r.method, parts[1])) if len(parts) == 2 else None
    if edge is None or parts[0] != user_id:
        raise fault(400, 100, "Unsupported request - method type: " + r.method.lower())
    return edge(fake, r, user_id)


def _media_edge(
    fake: FakeThreads, r: Recorded, user_id: str, media_id: str, edge: str
) -> tuple[int, Any]:
    """The edges of a post or reply: its replies, its conversation, hiding it."""
    if (r.method, edge) == ("GET", "conversation"):
        return 200, inbox.conversation(fake, r, media_id, top_only=False)
    if (r.method, edge) == ("GET", "replies"):
        return 200, inbox.conversation(fake, r, media_id, top_only=True)
    if (r.method, edge) == ("POST", "manage_reply"):
        return 200, inbox.manage_reply(fake, r, user_id, media_id)
    if (r.method, edge) == ("GET", "insights"):
        return 200, threads_metrics.media_insights(fake, r, user_id, media_id)
    raise fault(400, 100, "Unsupported request - method type: " + r.method.lower())


# --- OAuth ---------------------------------------------------------------------------


def _authorize(fake: FakeThreads, r: Recorded) -> tuple[int, Any]:
    """The person approves at once; Threads redirects with a code and the state."""
    if r.query.get("client_id") != fake.app_id or not r.query.get("redirect_uri"):
        raise fault(400, 100, "Invalid platform app")
    fake.granted_scopes = r.query.get("scope", "").split(",")
    code = "code-" + secrets.token_hex(8)
    fake.codes[code] = (fake.login_user, r.query["redirect_uri"])
    query = urlencode({"code": code, "state": r.query.get("state", "")})
    return 302, Redirect(f"{r.query['redirect_uri']}?{query}")


def _code_exchange(fake: FakeThreads, r: Recorded) -> tuple[int, Any]:
    form = r.form
    if form.get("client_id") != fake.app_id or form.get("client_secret") != fake.app_secret:
        raise fault(400, 101, "Error validating client secret.", type="OAuthException")
    found = fake.codes.pop(form.get("code", ""), None)
    if found is None or found[1] != form.get("redirect_uri"):
        raise fault(400, 100, "Invalid verification code format.", subcode=36008)
    token = fake.issue_token(found[0], "short")
    return 200, {"access_token": token, "user_id": int(found[0])}


def _long_lived(fake: FakeThreads, r: Recorded) -> tuple[int, Any]:
    if r.query.get("grant_type") != "th_exchange_token":
        raise fault(400, 100, "Unsupported grant_type")
    if r.query.get("client_secret") != fake.app_secret:
        raise fault(400, 101, "Error validating client secret.")
    held = _token(fake, r.token)
    if held.kind != "short":
        raise fault(400, 100, "Only a short-lived token can be exchanged")  # assumed wording
    token = fake.issue_token(held.user_id, "long")
    return 200, _token_answer(token)


def _refresh(fake: FakeThreads, r: Recorded) -> tuple[int, Any]:
    if r.query.get("grant_type") != "th_refresh_token":
        raise fault(400, 100, "Unsupported grant_type")
    held = _token(fake, r.token)
    # Long-lived, at least 24 hours old, unexpired (§4); the code is assumed.
    if held.kind != "long" or fake.now() - held.issued_at < timedelta(hours=24):
        raise fault(400, 100, "The access token cannot be refreshed yet")
    token = fake.issue_token(held.user_id, "long")
    return 200, _token_answer(token)


def _token_answer(token: str) -> dict[str, Any]:
    from tests.fakes.threads import LONG_LIVED_SECONDS

    return {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}


def _token(fake: FakeThreads, token: str) -> Token:
    held = fake.tokens.get(token)
    if held is None:
        raise fault(400, 190, "Invalid OAuth access token - Cannot parse access token")
    if held.expires_at <= fake.now():
        raise fault(
            400,
            190,
            "Error validating access token: Session has expired.",
            subcode=463,
        )
    return held


def _authenticate(fake: FakeThreads, r: Recorded) -> str:
    return _token(fake, r.token).user_id


# --- Containers and posts ------------------------------------------------------------


def _create(fake: FakeThreads, r: Recorded, user_id: str) -> tuple[int, Any]:
    p = r.params
    carousel_item = p.get("is_carousel_item") == "true"
    kind = p.get("media_type", "")
    if kind not in MEDIA_TYPES or (carousel_item and kind not in {"IMAGE", "VIDEO"}):
        raise fault(400, 100, "(#100) The parameter media_type is required and must be valid")
    text = p.get("text", "")
    if text_rules.count(text, text_rules.THREADS) > 500:
        raise fault(400, 100, "(#100) The text is too long; the limit is 500 characters")
    if kind == "TEXT" and not text:
        raise fault(400, 100, "(#100) The parameter text is required")
    reply_to = p.get("reply_to_id", "")
    if reply_to and not any(t["id"] == reply_to for t in fake.threads):
        raise fault(400, 100, "(#100) The parameter reply_to_id is invalid")
    container: dict[str, Any] = {
        "id": fake.next_id(),
        "user_id": user_id,
        "media_type": kind,
        "text": text,
        "is_carousel_item": carousel_item,
        "reply_to_id": reply_to,
        "children": [],
        "status": "FINISHED",
        "error_message": "",
        "polls_left": 0 if kind == "TEXT" else fake.container_polls,
        "created_at": fake.now(),
    }
    if kind in {"IMAGE", "VIDEO"}:
        url = p.get(f"{kind.lower()}_url", "")
        if not url:
            raise fault(400, 100, f"(#100) The parameter {kind.lower()}_url is required")
        fetched = container["fetch"] = fake.fetch(url)
        if fetched.status != 200:
            container.update(status="ERROR", error_message=DOWNLOAD_FAILED, polls_left=0)
    if kind == "CAROUSEL":
        container["children"] = _children(fake, user_id, p.get("children", ""))
    fake.containers[container["id"]] = container
    return 200, {"id": container["id"]}


def _children(fake: FakeThreads, user_id: str, children: str) -> list[str]:
    ids = [c for c in children.split(",") if c]
    if not 2 <= len(ids) <= 20:
        raise fault(400, 100, "(#100) A carousel takes 2 to 20 children")
    for child_id in ids:
        child = fake.containers.get(child_id)
        if (
            child is None
            or child["user_id"] != user_id
            or not child["is_carousel_item"]
            or child["status"] != "FINISHED"
            or child["polls_left"]
        ):
            raise fault(400, 100, f"(#100) Carousel child {child_id} is not a finished item")
    return ids


def _container_view(container: dict[str, Any], fields: str) -> dict[str, Any]:
    """Each look at an unfinished container uses up one of its polls."""
    view = {"id": container["id"], "status": container["status"]}
    if container["error_message"]:
        view["error_message"] = container["error_message"]
    if container["status"] == "FINISHED" and container["polls_left"] > 0:
        container["polls_left"] -= 1
        view["status"] = "IN_PROGRESS"
    return select(view, fields)


def _publish(fake: FakeThreads, r: Recorded, user_id: str) -> tuple[int, Any]:
    container = fake.containers.get(r.params.get("creation_id", ""))
    if container is None or container["user_id"] != user_id or container["is_carousel_item"]:
        raise fault(400, 100, "(#100) Param creation_id must be a container of this account")
    state = container["status"]
    if state in {"EXPIRED", "ERROR", "PUBLISHED"}:
        # Assumed: Threads documents no codes for these.
        raise fault(400, 100, f"(#100) The container is {state.lower()} and cannot be published")
    if container["polls_left"] > 0:
        raise fault(400, 9007, "Media ID is not available", subcode=2207027)  # assumed
    reply = bool(container["reply_to_id"])
    total = fake.reply_quota_total if reply else fake.quota_total
    if fake.quota_usage(user_id, replies=reply) >= total:
        raise fault(400, 4, "(#4) Application request limit reached")  # assumed
    post = _new_post(fake, container)
    container.update(status="PUBLISHED")
    return 200, {"id": post["id"]}


def _new_post(fake: FakeThreads, container: dict[str, Any]) -> dict[str, Any]:
    user = fake.users[container["user_id"]]
    post_id = fake.next_id()
    post: dict[str, Any] = {
        "id": post_id,
        "user_id": user["id"],
        "username": user["username"],
        "text": container["text"],
        "media_type": PUBLISHED_TYPES.get(container["media_type"], container["media_type"]),
        "children": container["children"],
        "container_id": container["id"],
        "is_reply": bool(container["reply_to_id"]),
        "permalink": f"https://www.threads.net/@{user['username']}/post/{b64(post_id)[:11]}",
        "timestamp": fake.timestamp(),
        "published_at": fake.now(),
    }
    if container["reply_to_id"]:
        post["replied_to"] = {"id": container["reply_to_id"]}
        post["root_post"] = {"id": inbox.root_of(fake, container["reply_to_id"])}
        post["hide_status"] = "NOT_HUSHED"
    fake.threads.append(post)
    return post


def _publishing_limit(fake: FakeThreads, r: Recorded, user_id: str) -> tuple[int, Any]:
    usage = {
        "quota_usage": fake.quota_usage(user_id),
        "config": {"quota_total": fake.quota_total, "quota_duration": 86400},
        "reply_quota_usage": fake.quota_usage(user_id, replies=True),
        "reply_config": {"quota_total": fake.reply_quota_total, "quota_duration": 86400},
    }
    return 200, {"data": [select(usage, r.query.get("fields") or "quota_usage")]}


def _list(replies: bool) -> Callable[[FakeThreads, Recorded, str], tuple[int, Any]]:
    def listing(fake: FakeThreads, r: Recorded, user_id: str) -> tuple[int, Any]:
        made = [
            t
            for t in reversed(fake.threads)
            if t["user_id"] == user_id and t["is_reply"] == replies
        ]
        return 200, fake.listing(r, made, "id")

    return listing


def _read_object(fake: FakeThreads, r: Recorded, object_id: str) -> dict[str, Any]:
    fields = r.query.get("fields", "")
    if object_id in fake.containers:
        return _container_view(fake.containers[object_id], fields or "id")
    for post in fake.threads:
        if post["id"] == object_id:
            return select(post, fields or "id")
    if object_id in fake.users:
        return select(fake.users[object_id], fields or "id")
    raise fault(400, 100, f"Unsupported get request. Object with ID '{object_id}' does not exist")


EDGES: dict[tuple[str, str], Callable[[FakeThreads, Recorded, str], tuple[int, Any]]] = {
    ("POST", "threads"): _create,
    ("GET", "threads"): _list(replies=False),
    ("GET", "replies"): _list(replies=True),
    ("GET", "mentions"): lambda fake, r, user_id: (200, inbox.mentions(fake, r, user_id)),
    ("POST", "threads_publish"): _publish,
    ("GET", "threads_publishing_limit"): _publishing_limit,
    ("GET", "threads_insights"): threads_metrics.user_insights,
}
