"""The fake Pinterest's endpoints (platforms.md §8): the user account, boards and
their Pins, Pin creation, video media, and the S3 upload host (OAuth is in
pinterest_oauth.py).
FakePinterest.handle (pinterest.py) calls `route` or `upload` for each request.

Errors are raised as Refusal (pinterest_errors.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from tests.fakes import pinterest_analytics as analytics
from tests.fakes import pinterest_oauth as oauth
from tests.fakes.pinterest_errors import NOT_ENOUGH_SCOPE, Refusal, s3_error
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.pinterest import FakePinterest

# The pinterest_oauth2 scopes each operation lists in the description.
SCOPES_NEEDED = {
    "POST /v5/pins": {"boards:read", "boards:write", "pins:read", "pins:write"},
    "GET /v5/boards": {"boards:read"},
    "GET /v5/boards/:id/pins": {"boards:read", "pins:read"},
    "POST /v5/media": {"pins:read", "pins:write"},
    "GET /v5/media/:id": {"pins:read"},
    "GET /v5/user_account": {"user_accounts:read"},
    "GET /v5/pins/:id/analytics": {"boards:read", "pins:read"},
}
ID_IN_PATH = re.compile(r"/\d+(?=/|$)")
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


def route_name(request: Recorded) -> str:
    return f"{request.method} {ID_IN_PATH.sub('/:id', request.path)}"


def token_user(fake: FakePinterest, request: Recorded) -> str | None:
    kind, _, token = request.headers.get("authorization", "").partition(" ")
    grant = fake.tokens.get(token) if kind.lower() == "bearer" else None
    if grant is None or grant["expires"] <= fake.now():
        return None
    return str(grant["user"])


def route(fake: FakePinterest, request: Recorded, name: str) -> Reply:
    if name == "GET /oauth/":
        return oauth.authorize(fake, request.query)
    if name == "POST /v5/oauth/token":
        return oauth.token(fake, request)
    user = token_user(fake, request)
    if user is None:
        raise Refusal(401)
    grant = fake.tokens[request.headers["authorization"].split(" ", 1)[1]]
    if not SCOPES_NEEDED.get(name, set()) <= set(grant["scopes"]):
        raise Refusal(403, 3, NOT_ENOUGH_SCOPE)
    body = request.body if isinstance(request.body, dict) else {}
    parts = request.path.split("/")
    if name == "GET /v5/user_account":
        return Reply(200, _account(fake, user))
    if name == "GET /v5/boards":
        mine = [b for b in fake.boards.values() if b["owner"] == user]
        return Reply(200, _page([_board_json(fake, b) for b in mine], request.query))
    if name == "GET /v5/boards/:id/pins":
        board = _own_board(fake, user, parts[3])
        newest_first = [p for p in reversed(fake.pins) if p["board_id"] == board["id"]]
        return Reply(200, _page([pin_json(fake, p) for p in newest_first], request.query))
    if name == "POST /v5/pins":
        return _create_pin(fake, user, body)
    if name == "POST /v5/media":
        return _register_media(fake, user)
    if name == "GET /v5/media/:id":
        return _media_status(fake, user, parts[3])
    if name == "GET /v5/pins/:id/analytics":
        return analytics.pin_analytics(fake, user, parts[3], request)
    raise Refusal(404, 404, "Not found.")


# --- Boards and Pins ---


def _own_board(fake: FakePinterest, user: str, board_id: str) -> dict[str, Any]:
    board = fake.boards.get(board_id)
    if board is None:
        raise Refusal(404, 40, "Board not found.")
    if board["owner"] != user:
        raise Refusal(403, 7, "Not authorized to access board or Pin.")
    return board


def _create_pin(fake: FakePinterest, user: str, body: dict[str, Any]) -> Reply:
    if not body.get("board_id"):
        raise Refusal(400, 1, "Invalid request: 'board_id' is a required property")
    _own_board(fake, user, str(body["board_id"]))
    source = body.get("media_source")
    if not isinstance(source, dict):
        raise Refusal(400, 1, "Invalid request: 'media_source' is a required property")
    _check_source(fake, user, source)
    pin = pin_record(fake, str(body["board_id"]), body)
    fake.pins.append(pin)
    return Reply(201, pin_json(fake, pin))


def _check_source(fake: FakePinterest, user: str, source: dict[str, Any]) -> None:
    kind = source.get("source_type")
    if kind == "image_base64":
        _check_image(source.get("content_type"), source.get("data"))
    elif kind == "multiple_image_base64":
        for item in source.get("items") or []:
            _check_image(item.get("content_type"), item.get("data"))
    elif kind == "video_id":
        media = fake.media.get(str(source.get("media_id")))
        if media is None or media["owner"] != user or media["status"] != "succeeded":
            raise Refusal(400, 1, "Invalid request: the media is not ready or not yours.")
        if not any(
            k in source
            for k in ("cover_image_url", "cover_image_key_frame_time", "cover_image_data")
        ):
            raise Refusal(400, 1, "Invalid request: a video Pin needs a cover image.")
        if "cover_image_data" in source:
            _check_image(source.get("cover_image_content_type"), source.get("cover_image_data"))
    elif kind not in ("image_url", "multiple_image_urls"):
        raise Refusal(400, 1, f"Invalid request: source_type {kind!r} is not supported here.")


def _check_image(content_type: Any, data: Any) -> None:
    try:
        raw = base64.b64decode(str(data), validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(400, 1, "Invalid request: the image data is not base64.") from None
    if not raw.startswith(MAGIC.get(str(content_type), b"\0\0\0\0")):
        raise Refusal(400, 1, f"Invalid request: the image is not {content_type}.")


def pin_record(fake: FakePinterest, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A Pin as the fake stores it."""
    source = body.get("media_source") or {}
    kind = source.get("source_type")
    items = source.get("items") or []
    return {
        "id": fake.next_id(),
        "board_id": board_id,
        "owner": fake.boards[board_id]["owner"],
        "created_at": fake.timestamp(),
        "title": body.get("title"),
        "description": body.get("description"),
        "link": body.get("link"),
        "alt_text": body.get("alt_text"),
        "source_type": kind,
        "media_type": "video"
        if kind == "video_id"
        else "multiple_images"
        if kind in ("multiple_image_base64", "multiple_image_urls")
        else "image",
        "items": len(items),
        "media_id": source.get("media_id"),
        "cover": next(
            (
                k
                for k in ("cover_image_data", "cover_image_url", "cover_image_key_frame_time")
                if k in source
            ),
            None,
        ),
        "body": body,
    }


def pin_json(fake: FakePinterest, pin: dict[str, Any]) -> dict[str, Any]:
    """A stored Pin as the API shows it (the description's Pin schema)."""
    images = _images(pin["id"])
    if pin["media_type"] == "video":
        media: dict[str, Any] = {
            "media_type": "video",
            "cover_image_url": images["600x"]["url"],
            "video_url": None,
            "duration": None,
            "height": None,
            "width": None,
            "images": images,
        }
    elif pin["media_type"] == "multiple_images":
        item = {
            "item_type": "image",
            "images": images,
            "title": None,
            "description": None,
            "link": pin["link"],
        }
        media = {"media_type": "multiple_images", "items": [item] * pin["items"]}
    else:
        media = {"media_type": "image", "images": images}
    owner = fake.users.get(pin["owner"], {})
    return {
        "id": pin["id"],
        "created_at": pin["created_at"],
        "link": pin["link"],
        "title": pin["title"],
        "description": pin["description"],
        "alt_text": pin["alt_text"],
        "dominant_color": "#6E7874",
        "board_id": pin["board_id"],
        "board_section_id": None,
        "board_owner": {"username": owner.get("username", "")},
        "parent_pin_id": None,
        "is_owner": True,
        "is_standard": True,
        "has_been_promoted": False,
        "creative_type": {"video": "VIDEO", "multiple_images": "CAROUSEL"}.get(
            pin["media_type"], "REGULAR"
        ),
        "media": media,
        "pin_metrics": None,
    }


def _images(pin_id: str) -> dict[str, Any]:
    url = f"https://i.pinimg.com/{{size}}/{pin_id[-2:]}/{pin_id[-4:-2]}/{pin_id}.jpg"
    sizes = {
        "150x150": (150, 150),
        "400x300": (400, 300),
        "600x": (600, 900),
        "1200x": (1200, 1800),
    }
    return {k: {"width": w, "height": h, "url": url.format(size=k)} for k, (w, h) in sizes.items()}


def _board_json(fake: FakePinterest, board: dict[str, Any]) -> dict[str, Any]:
    owner = fake.users.get(board["owner"], {})
    pins = sum(1 for p in fake.pins if p["board_id"] == board["id"])
    return {
        "id": board["id"],
        "name": board["name"],
        "description": "",
        "owner": {"username": owner.get("username", "")},
        "privacy": board["privacy"],
        "created_at": board["created_at"],
        "pin_count": pins,
        "follower_count": 0,
        "collaborator_count": 0,
        "is_ads_only": False,
    }


def _account(fake: FakePinterest, user: str) -> dict[str, Any]:
    record = fake.users[user]
    return {
        "account_type": "BUSINESS" if record["business_name"] else "PINNER",
        "id": record["id"],
        "username": record["username"],
        "profile_image": record["profile_image"],
        "website_url": "https://acme.example",
        "business_name": record["business_name"],
        "board_count": sum(1 for b in fake.boards.values() if b["owner"] == user),
        "pin_count": sum(1 for p in fake.pins if p["owner"] == user),
        "follower_count": record.get("followers", 12),
        "following_count": 3,
        "monthly_views": 140,
    }


def _page(items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """One page of a list, with Pinterest's opaque `bookmark` to the next (§8)."""
    size = int(query.get("page_size") or 25)
    start = 0
    if query.get("bookmark"):
        try:
            start = int(
                base64.urlsafe_b64decode(query["bookmark"]).decode().removeprefix("offset:")
            )
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise Refusal(400, 1, "Invalid request: the bookmark is not valid.") from None
    end = start + size
    bookmark = (
        base64.urlsafe_b64encode(f"offset:{end}".encode()).decode() if end < len(items) else None
    )
    return {"items": items[start:end], "bookmark": bookmark}


# --- Video media and the upload host ---


def _register_media(fake: FakePinterest, user: str) -> Reply:
    media_id = fake.next_id()[-10:]
    key = f"uploads/{media_id[-2:]}/{media_id}/video.mp4"
    expires = fake.now() + fake.policy_seconds
    policy = base64.b64encode(json.dumps({"expiration": expires, "key": key}).encode()).decode()
    parameters = {
        "x-amz-date": "20261125T140000Z",
        "x-amz-signature": secrets.token_hex(32),
        "x-amz-security-token": secrets.token_urlsafe(48),
        "x-amz-algorithm": "AWS4-HMAC-SHA256",
        "key": key,
        "policy": policy,
        "x-amz-credential": "ASIAFAKE/20261125/us-east-1/s3/aws4_request",
        "Content-Type": "multipart/form-data",
    }
    fake.media[media_id] = {
        "id": media_id,
        "owner": user,
        "status": "registered",
        "parameters": parameters,
        "expires": expires,
        "checks_left": fake.processing_checks,
        "data": None,
    }
    body = {
        "media_id": media_id,
        "media_type": "video",
        "upload_url": fake.upload_url,
        "upload_parameters": parameters,
    }
    return Reply(201, body)


def _media_status(fake: FakePinterest, user: str, media_id: str) -> Reply:
    media = fake.media.get(media_id)
    if media is None or media["owner"] != user:
        raise Refusal(404, 404, "Media upload not found.")
    if media["status"] == "processing":
        media["checks_left"] -= 1
        if media["checks_left"] <= 0:
            media["status"] = "failed" if fake.processing_fails else "succeeded"
    return Reply(200, {"media_id": media_id, "media_type": "video", "status": media["status"]})


def upload(fake: FakePinterest, request: Recorded) -> Reply:
    """S3's form POST: every signed field exactly as issued, the file last (§8)."""
    if request.method != "POST" or request.path != "/":
        return s3_error(405, "MethodNotAllowed", "The specified method is not allowed.")
    if "authorization" in request.headers:
        return s3_error(400, "InvalidArgument", "Only one auth mechanism allowed.")
    form = request.body if isinstance(request.body, dict) else {}
    media = next(
        (m for m in fake.media.values() if m["parameters"]["key"] == form.get("key")), None
    )
    if media is None:
        return s3_error(
            403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: key"
        )
    for name, value in media["parameters"].items():
        if form.get(name) != value:
            return s3_error(
                403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {name}"
            )
    if list(form)[-1:] != ["file"] or not isinstance(form["file"], bytes):
        return s3_error(
            400, "InvalidArgument", "POST requires exactly one file upload per request."
        )
    if fake.now() > media["expires"]:
        return s3_error(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    if len(form["file"]) > fake.upload_cap:
        return s3_error(
            400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size."
        )
    media["data"] = form["file"]
    media["status"] = "processing" if fake.processing_checks > 0 else "succeeded"
    return Reply(204, None, checked=False)
