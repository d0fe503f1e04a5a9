"""The fake LinkedIn's endpoints (platforms.md §5): userinfo, organisation ACLs and
names, Images and Videos (init, upload host, finalize, status), Posts, and the
Comments API (linkedin_comments.py)."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from tests.fakes import linkedin_comments as comments
from tests.fakes import linkedin_metrics as metrics
from tests.fakes import linkedin_oauth as oauth
from tests.fakes import linkedin_wire as wire
from tests.fakes.linkedin_wire import Refusal
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.linkedin import FakeLinkedIn

REQUIRED = ("author", "commentary", "visibility", "distribution", "lifecycleState")
RESERVED = set("|{}@[]()<>#*_~\\")
HASHTAG = re.compile(r"#([^\W_]+)")
PERSON = "urn:li:person:"
ORGANIZATION = "urn:li:organization:"


def route(fake: FakeLinkedIn, request: Recorded) -> Reply:
    method, path = request.method, request.path
    if (method, path) == ("GET", "/oauth/v2/authorization"):
        return oauth.authorize(fake, request.query)
    if (method, path) == ("POST", "/oauth/v2/accessToken"):
        return oauth.token(fake, request)
    if path.startswith("/rest/"):
        version = request.headers.get("linkedin-version")
        if not version:
            raise Refusal(400, wire.NO_VERSION)
        if version not in fake.active_versions:
            raise Refusal(426, wire.version_inactive(version))
    grant = _grant(fake, request)
    body = request.body if isinstance(request.body, dict) else {}
    action = request.query.get("action")
    if (method, path) == ("GET", "/v2/userinfo"):
        _need(grant, "openid", "profile")
        member = fake.members[grant["member"]]
        return Reply(
            200, {**member, "email_verified": True, "locale": {"country": "US", "language": "en"}}
        )
    if (method, path) == ("GET", "/rest/organizationAcls"):
        return _acls(fake, grant, request.query)
    if method == "GET" and path.startswith("/rest/organizations/"):
        return _organization(fake, grant, path.rsplit("/", 1)[1])
    if (method, path, action) == ("POST", "/rest/images", "initializeUpload"):
        return _init_image(fake, grant, body)
    if method == "GET" and path.startswith("/rest/images/"):
        return _asset(fake.images, path.removeprefix("/rest/images/"))
    if (method, path, action) == ("POST", "/rest/videos", "initializeUpload"):
        return _init_video(fake, grant, body)
    if (method, path, action) == ("POST", "/rest/videos", "finalizeUpload"):
        return _finalize_video(fake, body)
    if method == "GET" and path.startswith("/rest/videos/"):
        return _video_status(fake, path.removeprefix("/rest/videos/"))
    if (method, path) == ("POST", "/rest/posts"):
        return _create_post(fake, grant, body)
    if (method, path) == ("GET", "/rest/posts") and request.query.get("q") == "author":
        return _posts_by_author(fake, grant, request.query)
    if comments.matches(path):
        return comments.route(fake, grant, request)
    if metrics.matches(method, path):
        return metrics.route(fake, grant, request)
    raise Refusal(404, wire.not_found(path))


def _grant(fake: FakeLinkedIn, request: Recorded) -> dict[str, Any]:
    kind, _, token = request.headers.get("authorization", "").partition(" ")
    grant = fake.tokens.get(token) if kind.lower() == "bearer" else None
    if grant is None:
        raise Refusal(401, wire.INVALID)
    if grant["revoked"]:
        raise Refusal(401, wire.REVOKED)
    if grant["expires"] <= fake.now():
        raise Refusal(401, wire.EXPIRED)
    return grant


def _need(grant: dict[str, Any], *scopes: str) -> None:
    if not set(scopes) <= set(grant["scopes"]):
        raise Refusal(403, wire.forbidden())


def _may_act_as(fake: FakeLinkedIn, grant: dict[str, Any], owner: str) -> None:
    """Members act as themselves (w_member_social) and as Pages they administer
    (w_organization_social); anything else is 403."""
    if owner == f"{PERSON}{grant['member']}":
        _need(grant, "w_member_social")
        return
    org = (
        fake.organizations.get(owner.removeprefix(ORGANIZATION))
        if owner.startswith(ORGANIZATION)
        else None
    )
    if org is None or grant["member"] not in org["admins"]:
        raise Refusal(403, wire.forbidden(owner))
    _need(grant, "w_organization_social")


may_act_as = _may_act_as  # the comments routes act as members and Pages too


def _acls(fake: FakeLinkedIn, grant: dict[str, Any], query: dict[str, str]) -> Reply:
    if query.get("q") != "roleAssignee":
        raise Refusal(400, {"status": 400, "message": "Invalid query parameters passed to request"})
    if not {"rw_organization_admin", "r_organization_admin"} & set(grant["scopes"]):
        raise Refusal(403, wire.forbidden("/organizationAcls"))
    role, state = query.get("role", "ADMINISTRATOR"), query.get("state", "APPROVED")
    person = f"{PERSON}{grant['member']}"
    elements = [
        {
            "roleAssignee": person,
            "state": "APPROVED",
            "role": "ADMINISTRATOR",
            "organization": f"{ORGANIZATION}{org_id}",
        }
        for org_id, org in fake.organizations.items()
        if grant["member"] in org["admins"] and role == "ADMINISTRATOR" and state == "APPROVED"
    ]
    return Reply(
        200, {"paging": {"start": 0, "count": len(elements), "links": []}, "elements": elements}
    )


def _organization(fake: FakeLinkedIn, grant: dict[str, Any], org_id: str) -> Reply:
    org = fake.organizations.get(org_id)
    if org is None:
        raise Refusal(404, wire.not_found(f"/organizations/{org_id}"))
    return Reply(200, {k: v for k, v in org.items() if k != "admins"})


def _init_image(fake: FakeLinkedIn, grant: dict[str, Any], body: dict[str, Any]) -> Reply:
    owner = str((body.get("initializeUploadRequest") or {}).get("owner") or "")
    if not owner:
        raise Refusal(422, wire.missing_fields(["initializeUploadRequest/owner"]))
    _may_act_as(fake, grant, owner)
    urn = f"urn:li:image:C4E10AQ{secrets.token_urlsafe(9)}"
    token = secrets.token_urlsafe(12)
    fake.images[urn] = {"id": urn, "owner": owner, "status": "WAITING_UPLOAD", "token": token}
    value = {
        "uploadUrlExpiresAt": int((fake.now() + 86400) * 1000),
        "uploadUrl": f"{fake.upload_url}/dms-uploads/image/{token}",
        "image": urn,
    }
    return Reply(200, {"value": value})


def _asset(assets: dict[str, dict[str, Any]], urn: str) -> Reply:
    asset = assets.get(urn)
    if asset is None:
        raise Refusal(404, wire.not_found(urn))
    return Reply(200, {"id": urn, "owner": asset["owner"], "status": asset["status"]})


def _init_video(fake: FakeLinkedIn, grant: dict[str, Any], body: dict[str, Any]) -> Reply:
    ask = body.get("initializeUploadRequest") or {}
    owner, size = str(ask.get("owner") or ""), int(ask.get("fileSizeBytes") or 0)
    if not owner or size <= 0:
        raise Refusal(422, wire.missing_fields(["initializeUploadRequest/fileSizeBytes"]))
    _may_act_as(fake, grant, owner)
    urn = f"urn:li:video:C5F10AQ{secrets.token_urlsafe(9)}"
    token = secrets.token_urlsafe(12)
    parts = []
    for index, first in enumerate(range(0, size, fake.part_size)):
        last = min(first + fake.part_size, size) - 1
        url = f"{fake.upload_url}/dms-uploads/video/{token}/{index}"
        parts.append({"uploadUrl": url, "firstByte": first, "lastByte": last})
    fake.videos[urn] = {
        "id": urn,
        "owner": owner,
        "size": size,
        "status": "WAITING_UPLOAD",
        "token": token,
        "parts": parts,
        "etags": {},
        "checks": 0,
    }
    value = {
        "uploadUrlsExpireAt": int((fake.now() + 86400) * 1000),
        "video": urn,
        "uploadInstructions": parts,
        "uploadToken": "",
    }
    return Reply(200, {"value": value})


def _finalize_video(fake: FakeLinkedIn, body: dict[str, Any]) -> Reply:
    ask = body.get("finalizeUploadRequest") or {}
    video = fake.videos.get(str(ask.get("video") or ""))
    if video is None:
        raise Refusal(404, wire.not_found(str(ask.get("video"))))
    expected = [video["etags"].get(i) for i in range(len(video["parts"]))]
    if None in expected or list(ask.get("uploadedPartIds") or []) != expected:
        raise Refusal(400, {"status": 400, "message": "Uploaded part ids do not match the upload"})
    video["status"] = "PROCESSING"
    return Reply(200, None)


def _video_status(fake: FakeLinkedIn, urn: str) -> Reply:
    video = fake.videos.get(urn)
    if video is None:
        raise Refusal(404, wire.not_found(urn))
    if video["status"] == "PROCESSING":
        video["checks"] += 1
        if video["checks"] > fake.processing_checks:
            video["status"] = "PROCESSING_FAILED" if fake.video_fails else "AVAILABLE"
    return Reply(200, {"id": urn, "owner": video["owner"], "status": video["status"]})


def upload(fake: FakeLinkedIn, request: Recorded) -> Reply:
    """The upload host: an image PUT takes the bearer token and answers 201; a
    video part PUT is pre-signed and answers 200 with an ETag."""
    if request.method != "PUT":
        return Reply(405, None)
    parts = request.path.strip("/").split("/")
    data = request.body if isinstance(request.body, bytes) else b""
    if parts[:2] == ["dms-uploads", "image"] and len(parts) == 3:
        image = next((i for i in fake.images.values() if i["token"] == parts[2]), None)
        if image is None:
            return Reply(404, None)
        kind, _, token = request.headers.get("authorization", "").partition(" ")
        if kind.lower() != "bearer" or token not in fake.tokens:
            return Reply(401, None)
        image.update(status="AVAILABLE", size=len(data))
        return Reply(201, None)
    if parts[:2] == ["dms-uploads", "video"] and len(parts) == 4:
        video = next((v for v in fake.videos.values() if v["token"] == parts[2]), None)
        index = int(parts[3])
        if video is None or index >= len(video["parts"]):
            return Reply(404, None)
        part = video["parts"][index]
        if len(data) != part["lastByte"] - part["firstByte"] + 1:
            return Reply(400, None)
        etag = f'"{secrets.token_hex(8)}"'
        video["etags"][index] = etag
        return Reply(200, None, {"ETag": etag})
    return Reply(404, None)


def little_text(sent: str) -> str:
    """What LinkedIn keeps of a little-text commentary, as it reads it back: cut at the
    first unescaped reserved character that is not a hashtag (§5), hashtags
    written as {hashtag|\\#|tag}."""
    out, i = [], 0
    while i < len(sent):
        c = sent[i]
        if c == "\\" and i + 1 < len(sent):
            out.append(sent[i : i + 2])
            i += 2
            continue
        if c == "#":
            tag = HASHTAG.match(sent, i)
            before = sent[i - 1] if i else " "
            if tag and not (before.isalnum() or before in "_#&"):
                out.append("{hashtag|\\#|" + tag.group(1) + "}")
                i = tag.end()
                continue
        if c in RESERVED:
            break  # silently truncated (§5)
        out.append(c)
        i += 1
    return "".join(out)


def post_record(fake: FakeLinkedIn, body: dict[str, Any], commentary: str) -> dict[str, Any]:
    made = int(fake.now() * 1000)
    urn = f"urn:li:share:{fake.next_id()}"
    return {
        "id": urn,
        "author": body["author"],
        "commentary": commentary,
        "visibility": body["visibility"],
        "distribution": body.get("distribution") or {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": bool(body.get("isReshareDisabledByAuthor")),
        "content": body.get("content"),
        "createdAt": made,
        "publishedAt": made,
        "lastModifiedAt": made,
    }


def _create_post(fake: FakeLinkedIn, grant: dict[str, Any], body: dict[str, Any]) -> Reply:
    missing = [f for f in REQUIRED if f not in body]
    if missing:
        raise Refusal(422, wire.missing_fields(missing))
    author = str(body["author"])
    _may_act_as(fake, grant, author)
    if body["visibility"] not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN"):
        raise Refusal(
            422, wire.invalid_field("visibility", f"{body['visibility']!r} is not an enum symbol")
        )
    if author.startswith(ORGANIZATION) and body["visibility"] != "PUBLIC":
        raise Refusal(422, wire.invalid_field("visibility", "Organization posts must be PUBLIC"))
    if len(str(body["commentary"])) > 3000:
        raise Refusal(
            400,
            {
                "message": "com.linkedin.content.common.exception.BadRequestResponseException: "
                f"ShareCommentary text length ({len(body['commentary'])} characters) exceeded "
                "the maximum allowed (3000 characters)",
                "status": 400,
            },
        )
    _check_content(fake, author, body.get("content"))
    commentary = little_text(str(body["commentary"]))
    for post in fake.posts:
        if (
            post["author"] == author
            and post["commentary"] == commentary
            and post["content"] == body.get("content")
        ):
            raise Refusal(422, wire.duplicate(post["id"]))
    post = post_record(fake, body, commentary)
    fake.posts.append(post)
    return Reply(201, None, {"x-restli-id": post["id"]})


def _check_content(fake: FakeLinkedIn, author: str, content: Any) -> None:
    if content is None:
        return
    if not isinstance(content, dict) or len(content) != 1:
        raise Refusal(422, wire.invalid_field("content", "exactly one content type is allowed"))
    kind, value = next(iter(content.items()))
    if kind == "media":
        _check_asset(fake, author, str(value.get("id") or ""))
    elif kind == "multiImage":
        images = value.get("images") or []
        if not 2 <= len(images) <= 20:
            raise Refusal(
                422, wire.invalid_field("content/multiImage/images", "must hold 2 to 20 images")
            )
        for image in images:
            _check_asset(fake, author, str(image.get("id") or ""))
    elif kind == "article":
        if not value.get("source") or not value.get("title"):
            raise Refusal(
                422, wire.missing_fields(["content/article/source", "content/article/title"])
            )
    else:
        raise Refusal(422, wire.invalid_field("content", f"unknown content type {kind}"))


def _check_asset(fake: FakeLinkedIn, author: str, urn: str) -> None:
    asset = fake.images.get(urn) or fake.videos.get(urn)
    if asset is None or asset["owner"] != author:
        raise Refusal(
            422,
            wire.invalid_field(
                "content/media/id", f"{urn} is not found or not owned by the author"
            ),
        )
    if asset["status"] != "AVAILABLE":
        raise Refusal(422, wire.invalid_field("content/media/id", f"{urn} is not AVAILABLE"))


def _posts_by_author(fake: FakeLinkedIn, grant: dict[str, Any], query: dict[str, str]) -> Reply:
    author = query.get("author", "")
    if author.startswith(PERSON):
        # A member's own posts need r_member_social, which few apps get.
        if author != f"{PERSON}{grant['member']}" or "r_member_social" not in grant["scopes"]:
            raise Refusal(403, wire.forbidden("/posts"))
    else:
        org = fake.organizations.get(author.removeprefix(ORGANIZATION))
        if (
            org is None
            or grant["member"] not in org["admins"]
            or "r_organization_social" not in grant["scopes"]
        ):
            raise Refusal(403, wire.forbidden("/posts"))
    start, count = int(query.get("start") or 0), int(query.get("count") or 10)
    mine = sorted(
        (p for p in fake.posts if p["author"] == author),
        key=lambda p: (p["createdAt"], p["id"]),
        reverse=True,
    )
    page = mine[start : start + count]
    return Reply(
        200,
        {
            "paging": {"start": start, "count": count, "total": len(mine), "links": []},
            "elements": page,
        },
    )
