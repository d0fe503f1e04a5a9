"""The fake LinkedIn's Comments API (community-management/shares/comments-api):
GET, POST and DELETE under /rest/socialActions/{urn}/comments, for a post's
comments and a comment's replies (one level deep), with `start`/`count` paging
of at most `fake.comment_page_size` and `paging.links`.

Reading needs r_organization_social and an admin role for a Page's posts, and
r_member_social for a member's (which few apps get): 403 otherwise.
Assumed where LinkedIn documents nothing: a reply to a reply is refused 422,
and a create answers 201 with the comment as its body and its id in
`x-restli-id`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from tests.fakes import linkedin_wire as wire
from tests.fakes.linkedin_wire import Refusal
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.linkedin import FakeLinkedIn

PATH = re.compile(r"^/rest/socialActions/(?P<on>[^/]+)/comments(?:/(?P<id>[^/]+))?$")
PERSON = "urn:li:person:"
ORGANIZATION = "urn:li:organization:"


def matches(path: str) -> bool:
    return PATH.match(path) is not None


def route(fake: FakeLinkedIn, grant: dict[str, Any], request: Recorded) -> Reply:
    found = PATH.match(request.path)
    assert found is not None
    on, comment_id = found.group("on"), found.group("id")
    if request.method == "GET" and comment_id is None:
        return _list(fake, grant, on, request.query)
    if request.method == "POST" and comment_id is None:
        body = request.body if isinstance(request.body, dict) else {}
        return _create(fake, grant, on, body)
    if request.method == "DELETE" and comment_id is not None:
        return _delete(fake, grant, on, comment_id, request.query.get("actor", ""))
    raise Refusal(405, {"status": 405, "message": f"Method {request.method} is not allowed"})


def activity_of(post_urn: str) -> str:
    return "urn:li:activity:" + post_urn.rsplit(":", 1)[-1]


def new_comment(
    fake: FakeLinkedIn, post_urn: str, actor: str, text: str, parent: str, made_ms: int
) -> dict[str, Any]:
    """A comment as LinkedIn lists it, plus the fake's own `post` key."""
    activity = activity_of(post_urn)
    comment_id = str(fake.next_id())
    element: dict[str, Any] = {
        "id": comment_id,
        "commentUrn": f"urn:li:comment:({activity},{comment_id})",
        "actor": actor,
        "object": activity,
        "message": {"text": text, "attributes": []},
        "created": {"actor": actor, "time": made_ms},
        "lastModified": {"actor": actor, "time": made_ms},
        "likesSummary": {"totalLikes": 0, "likedByCurrentUser": False},
        "post": post_urn,
    }
    if parent:
        element["parentComment"] = parent
    fake.comments.append(element)
    return element


def shown(fake: FakeLinkedIn, element: dict[str, Any]) -> dict[str, Any]:
    """The element without the fake's bookkeeping, with its replies counted."""
    replies = [c for c in fake.comments if c.get("parentComment") == element["commentUrn"]]
    summary = {"totalFirstLevelComments": len(replies), "aggregatedTotalComments": len(replies)}
    return {
        **{k: v for k, v in element.items() if k != "post"},
        "$URN": element["commentUrn"],
        "commentsSummary": summary,
    }


def _post_of(fake: FakeLinkedIn, on: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The post `on` names, or the post of the comment it names (and that comment)."""
    comment = None
    if on.startswith("urn:li:comment:"):
        comment = next((c for c in fake.comments if c["commentUrn"] == on), None)
        if comment is None:
            raise Refusal(404, wire.not_found(f"/socialActions/{on}/comments"))
        on = comment["post"]
    post = next((p for p in fake.posts if p["id"] == on), None)
    if post is None:
        raise Refusal(404, wire.not_found(f"/socialActions/{on}/comments"))
    return post, comment


def _may_read(fake: FakeLinkedIn, grant: dict[str, Any], author: str) -> None:
    if author.startswith(PERSON):
        if "r_member_social" not in grant["scopes"]:
            raise Refusal(403, wire.forbidden("/socialActions"))
        return
    org = fake.organizations.get(author.removeprefix(ORGANIZATION))
    if (
        org is None
        or grant["member"] not in org["admins"]
        or "r_organization_social" not in grant["scopes"]
    ):
        raise Refusal(403, wire.forbidden("/socialActions"))


def _list(fake: FakeLinkedIn, grant: dict[str, Any], on: str, query: dict[str, str]) -> Reply:
    post, comment = _post_of(fake, on)
    _may_read(fake, grant, post["author"])
    parent = comment["commentUrn"] if comment else None
    listed = [
        c for c in fake.comments if c["post"] == post["id"] and c.get("parentComment") == parent
    ]
    start = int(query.get("start") or 0)
    count = min(int(query.get("count") or 10), fake.comment_page_size)
    page = listed[start : start + count]
    links = []
    base = f"/rest/socialActions/{quote(on, safe='')}/comments"
    if start + count < len(listed):
        links.append(_link("next", base, start + count, count))
    if start > 0:
        links.append(_link("prev", base, max(start - count, 0), count))
    paging = {"start": start, "count": count, "total": len(listed), "links": links}
    return Reply(200, {"paging": paging, "elements": [shown(fake, c) for c in page]})


def _link(rel: str, base: str, start: int, count: int) -> dict[str, str]:
    return {
        "type": "application/json",
        "rel": rel,
        "href": f"{base}?{urlencode({'start': start, 'count': count})}",
    }


def _create(fake: FakeLinkedIn, grant: dict[str, Any], on: str, body: dict[str, Any]) -> Reply:
    from tests.fakes.linkedin_routes import may_act_as

    missing = [f for f in ("actor", "object", "message") if not body.get(f)]
    if missing:
        raise Refusal(422, wire.missing_fields(missing))
    text = str((body.get("message") or {}).get("text") or "")
    if not text:
        raise Refusal(422, wire.missing_fields(["message/text"]))
    actor = str(body["actor"])
    may_act_as(fake, grant, actor)
    post, comment = _post_of(fake, on)
    if str(body["object"]) not in (post["id"], activity_of(post["id"])):
        raise Refusal(422, wire.invalid_field("object", "does not match the commented entity"))
    parent = str(body.get("parentComment") or "")
    if comment is not None and parent != comment["commentUrn"]:
        raise Refusal(422, wire.invalid_field("parentComment", "must be the comment in the path"))
    if comment is None and parent:
        raise Refusal(422, wire.invalid_field("parentComment", "is only for comment paths"))
    if comment is not None and comment.get("parentComment"):
        raise Refusal(422, wire.invalid_field("parentComment", "nested too deep"))  # assumed
    made = new_comment(fake, post["id"], actor, text, parent, int(fake.now() * 1000))
    return Reply(201, shown(fake, made), {"x-restli-id": made["id"]})


def _delete(
    fake: FakeLinkedIn, grant: dict[str, Any], on: str, comment_id: str, actor: str
) -> Reply:
    from tests.fakes.linkedin_routes import may_act_as

    if not actor:
        raise Refusal(400, {"status": 400, "message": "Missing required query parameter actor"})
    may_act_as(fake, grant, actor)
    post, comment = _post_of(fake, on)
    target = next(
        (
            c
            for c in fake.comments
            if c["id"] == comment_id
            and c["post"] == post["id"]
            and c.get("parentComment") == (comment["commentUrn"] if comment else None)
        ),
        None,
    )
    if target is None:
        raise Refusal(404, wire.not_found(f"/socialActions/{on}/comments/{comment_id}"))
    if target["actor"] != actor:
        raise Refusal(403, wire.forbidden("/socialActions"))
    fake.comments = [c for c in fake.comments if c is not target]
    fake.deleted_comments.append(target["commentUrn"])
    return Reply(204, None)
