"""FakeMastodon's endpoints, each answering as platforms.md §10 describes."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from channels.text import mastodon_length
from tests.fakes import mastodon_metrics as metrics
from tests.fakes import mastodon_notifications as inbox
from tests.fakes import mastodon_wire as wire
from tests.fakes.x import Reply

if TYPE_CHECKING:
    from tests.fakes.mastodon import FakeMastodon, Request

IDEMPOTENCY_SECONDS = 3600  # Mastodon keeps an Idempotency-Key for 1 hour
INVALID_TOKEN = "The access token is invalid"


class Refusal(Exception):
    def __init__(self, status: int, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.reply = Reply(status, {"error": error, **extra})


def route(fake: FakeMastodon, request: Request) -> Reply:
    method, path = request.method, request.path.rstrip("/") or "/"
    if (method, path) == ("POST", "/api/v1/apps"):
        return register_app(fake, request)
    if (method, path) == ("GET", "/oauth/authorize"):
        return authorize(fake, request)
    if (method, path) == ("POST", "/oauth/token"):
        return token(fake, request)
    if (method, path) in {("GET", "/api/v1/instance"), ("GET", "/api/v2/instance")}:
        if fake.no_instance_v2 and path == "/api/v2/instance":
            raise Refusal(404, "Record not found")
        build = wire.instance_v2 if path.endswith("v2/instance") else wire.instance_v1
        return Reply(200, build(fake.domain, fake.version, fake.limits))
    account = signed_in(fake, request)
    if (method, path) == ("GET", "/api/v1/accounts/verify_credentials"):
        return Reply(200, wire.account_json(account, fake.domain, source=True))
    if (method, path) == ("POST", "/api/v2/media"):
        return upload(fake, request, account)
    if method == "GET" and (found := re.fullmatch(r"/api/v1/media/(\w+)", path)):
        return media_status(fake, found.group(1), account)
    if (method, path) == ("GET", "/api/v1/statuses"):
        return metrics.batch(fake, request)
    if (method, path) == ("POST", "/api/v1/statuses"):
        return post_status(fake, request, account)
    if method == "GET" and (found := re.fullmatch(r"/api/v1/statuses/(\w+)", path)):
        return Reply(200, fake.status_json(find_status(fake, found.group(1))))
    if method == "GET" and (found := re.fullmatch(r"/api/v1/accounts/(\w+)/statuses", path)):
        return account_statuses(fake, request, found.group(1))
    if (method, path) == ("GET", "/api/v1/notifications"):
        return inbox.notifications(fake, request, account)
    if method == "GET" and (found := re.fullmatch(r"/api/v1/statuses/(\w+)/context", path)):
        return inbox.context(fake, find_status(fake, found.group(1))["id"])
    if method == "DELETE" and (found := re.fullmatch(r"/api/v1/statuses/(\w+)", path)):
        return inbox.delete(fake, found.group(1), account)
    raise Refusal(404, "Record not found")


def signed_in(fake: FakeMastodon, request: Request) -> dict[str, Any]:
    header = request.headers.get("authorization", "")
    account_id = fake.tokens.get(header.removeprefix("Bearer ").strip())
    if not header.startswith("Bearer ") or account_id is None:
        raise Refusal(401, INVALID_TOKEN)
    return fake.accounts[account_id]


# --- Apps and OAuth ---


def register_app(fake: FakeMastodon, request: Request) -> Reply:
    form = request.form
    if not form.get("client_name"):
        raise Refusal(422, "Validation failed: Application name can't be blank")
    uris = str(form.get("redirect_uris") or "")
    if not uris:
        raise Refusal(422, "Validation failed: Redirect URI can't be blank")
    client_id, client_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    app = {
        "id": fake.next_id(),
        "name": form["client_name"],
        "website": form.get("website") or None,
        "redirect_uris": uris.split(),
        "scopes": str(form.get("scopes") or "read").split(),
        "client_id": client_id,
        "client_secret": client_secret,
    }
    fake.apps[client_id] = app
    return Reply(
        200,
        {
            "id": app["id"],
            "name": app["name"],
            "website": app["website"],
            "scopes": app["scopes"],
            "redirect_uri": uris,
            "redirect_uris": app["redirect_uris"],
            "client_id": client_id,
            "client_secret": client_secret,
            "client_secret_expires_at": 0,
        },
    )


def authorize(fake: FakeMastodon, request: Request) -> Reply:
    """The sign-in page: the approving account says yes at once (302 back)."""
    query = request.query
    app = fake.apps.get(query.get("client_id", ""))
    uri = query.get("redirect_uri", "")
    if app is None or uri not in app["redirect_uris"] or query.get("response_type") != "code":
        return Reply(400, b"<p>The redirect uri included is not valid.</p>", {}, "text/html")
    asked = set(query.get("scope", "read").split())
    if not asked <= set(app["scopes"]):
        return Reply(400, b"<p>The requested scope is invalid.</p>", {}, "text/html")
    code = secrets.token_urlsafe(24)
    fake.codes[code] = {"account": fake.approving, "client_id": app["client_id"], "uri": uri}
    back = {"code": code} | ({"state": query["state"]} if "state" in query else {})
    return Reply(302, None, {"Location": f"{uri}?{urlencode(back)}"})


def token(fake: FakeMastodon, request: Request) -> Reply:
    form = request.form
    app = fake.apps.get(str(form.get("client_id") or ""))
    if app is None or app["client_secret"] != form.get("client_secret"):
        return Reply(
            401,
            {
                "error": "invalid_client",
                "error_description": (
                    "Client authentication failed due to unknown client, no client authentication "
                    "included, or unsupported authentication method."
                ),
            },
        )
    grant = fake.codes.pop(str(form.get("code") or ""), None)
    if (
        form.get("grant_type") != "authorization_code"
        or grant is None
        or grant["client_id"] != app["client_id"]
        or grant["uri"] != form.get("redirect_uri")
    ):
        return Reply(
            400,
            {
                "error": "invalid_grant",
                "error_description": (
                    "The provided authorization grant is invalid, expired, revoked, does not match "
                    "the redirection URI used in the authorization request, or was issued to "
                    "another client."
                ),
            },
        )
    access = fake.issue_token(grant["account"])
    return Reply(
        200,
        {
            "access_token": access,
            "token_type": "Bearer",
            "scope": " ".join(app["scopes"]),
            "created_at": int(fake.now()),
        },
    )


# --- Media ---


def upload(fake: FakeMastodon, request: Request, account: dict[str, Any]) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    data = body.get("file")
    if not isinstance(data, bytes):
        raise Refusal(422, "Validation failed: File can't be blank")
    mime = request.file_types.get("file", "application/octet-stream")
    if mime not in fake.limits.get("supported_mime_types", []):
        raise Refusal(422, f"Validation failed: File content type is invalid ({mime})")
    kind = "video" if mime.startswith("video/") else "image"
    cap = fake.limits["video_size_limit" if kind == "video" else "image_size_limit"]
    if len(data) > cap:
        raise Refusal(422, f"Validation failed: File file size must be less than {cap} Bytes")
    media = {
        "id": fake.next_id(),
        "account": account["id"],
        "type": "gifv" if mime == "image/gif" else kind,
        "ext": mime.split("/")[1],
        "description": body.get("description") or None,
        "checks_left": fake.processing_checks if kind == "video" or fake.process_images else 0,
        "fails": fake.processing_fails,
        "bytes": data,
        "status": None,
    }
    fake.media[media["id"]] = media
    ready = media["checks_left"] <= 0 and not media["fails"]
    return Reply(200 if ready else 202, wire.media_json(media, fake.public))


def media_status(fake: FakeMastodon, media_id: str, account: dict[str, Any]) -> Reply:
    media = fake.media.get(media_id)
    if media is None or media["account"] != account["id"]:
        raise Refusal(404, "Record not found")
    if media["fails"]:
        raise Refusal(422, "Error processing thumbnail for uploaded media")
    media["checks_left"] -= 1
    status = 200 if media["checks_left"] <= 0 else 206
    return Reply(status, wire.media_json(media, fake.public))


# --- Statuses ---


def post_status(fake: FakeMastodon, request: Request, account: dict[str, Any]) -> Reply:
    key = request.headers.get("idempotency-key")
    if key:
        kept = fake.idempotency.get((account["id"], key))
        if kept is not None and fake.now() - kept[1] < IDEMPOTENCY_SECONDS:
            return Reply(200, fake.status_json(fake.statuses[kept[0]]))
    params = request.params()
    text = str(params.get("status") or "")
    spoiler = str(params.get("spoiler_text") or "")
    media_ids = [str(m) for m in params.get("media_ids") or []]
    poll = params.get("poll") if isinstance(params.get("poll"), dict) else None
    limits = fake.limits
    if not text.strip() and not media_ids:
        raise Refusal(422, "Validation failed: Text can't be blank")
    most = limits["max_characters"]
    if mastodon_length(spoiler + text, limits["characters_reserved_per_url"]) > most:
        raise Refusal(422, f"Validation failed: Text character limit of {most} exceeded")
    if len(media_ids) > limits["max_media_attachments"]:
        raise Refusal(422, "Validation failed: Media attachments too many")
    if poll and media_ids:
        raise Refusal(422, "Validation failed: Media attachments cannot be attached to a poll")
    for media_id in media_ids:
        media = fake.media.get(media_id)
        if media is None or media["account"] != account["id"] or media["status"]:
            raise Refusal(422, "Validation failed: Media attachments are invalid")
        if media["checks_left"] > 0:
            raise Refusal(
                422, "Cannot attach files that have not finished processing. Try again in a moment!"
            )
    visibility = str(params.get("visibility") or "public")
    if visibility not in {"public", "unlisted", "private", "direct"}:
        raise Refusal(422, "Validation failed: Visibility is not included in the list")
    reply_to = str(params.get("in_reply_to_id") or "") or None
    if reply_to is not None and reply_to not in fake.statuses:
        raise Refusal(404, "Record not found")
    if poll is not None:
        poll = make_poll(fake, poll)
    status = fake.add_status(
        account["id"],
        text,
        spoiler_text=spoiler,
        visibility=visibility,
        language=params.get("language") or None,
        in_reply_to_id=reply_to,
        media_ids=media_ids,
        poll=poll,
        sensitive=str(params.get("sensitive")).lower() in {"true", "1"} or bool(spoiler),
    )
    if key:
        fake.idempotency[(account["id"], key)] = (status["id"], fake.now())
    return Reply(200, fake.status_json(status))


def make_poll(fake: FakeMastodon, poll: dict[str, Any]) -> dict[str, Any]:
    limits = fake.limits
    options = [str(o) for o in poll.get("options") or []]
    if not 2 <= len(options) <= limits["max_options"]:
        raise Refusal(422, "Validation failed: Poll must have at least 2 options")
    if any(len(o) > limits["max_characters_per_option"] for o in options):
        raise Refusal(422, "Validation failed: Poll options are too long")
    seconds = int(poll.get("expires_in") or 0)
    if not limits["min_expiration"] <= seconds <= limits["max_expiration"]:
        raise Refusal(422, "Validation failed: Poll expiration is out of range")
    multiple = poll.get("multiple") in (True, "true", "1")
    return {
        "id": fake.next_id(),
        "options": options,
        "multiple": multiple,
        "expires": fake.now() + seconds,
    }


def find_status(fake: FakeMastodon, status_id: str) -> dict[str, Any]:
    if status_id not in fake.statuses:
        raise Refusal(404, "Record not found")
    return fake.statuses[status_id]


def account_statuses(fake: FakeMastodon, request: Request, account_id: str) -> Reply:
    """Newest first, `limit` (at most 40) a page, older pages by `max_id` and a Link header."""
    if account_id not in fake.accounts:
        raise Refusal(404, "Record not found")
    query = request.query
    limit = min(int(query.get("limit") or 20), 40, fake.page_cap or 40)
    max_id = query.get("max_id")
    mine = [
        s
        for s in reversed(fake.statuses.values())
        if s["account"] == account_id and (max_id is None or int(s["id"]) < int(max_id))
    ]
    page = mine[:limit]
    headers: dict[str, str | None] = {}
    if len(mine) > limit:
        older = {**query, "max_id": page[-1]["id"]}
        path = urlsplit(request.path).path
        headers["Link"] = f'<{fake.url}{path}?{urlencode(older)}>; rel="next"'
    return Reply(200, [fake.status_json(s) for s in page], headers)


def form_params(raw: bytes) -> dict[str, Any]:
    """A form body as Mastodon reads it: `media_ids[]` and `poll[options][]` as lists."""
    found: dict[str, Any] = {}
    for key, values in parse_qs(raw.decode(), keep_blank_values=True).items():
        if key.startswith("poll[") and key.endswith("[]"):
            found.setdefault("poll", {})[key[5:-3]] = values
        elif key.startswith("poll["):
            found.setdefault("poll", {})[key[5:-1]] = values[-1]
        elif key.endswith("[]"):
            found[key[:-2]] = values
        else:
            found[key] = values[-1]
    return found
