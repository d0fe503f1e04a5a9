"""The fake Pinterest's OAuth: the authorize page (www.pinterest.com/oauth/ in real
life, approving at once as `approving_user`) and POST /v5/oauth/token with
HTTP Basic app credentials, code exchange and continuous refresh (platforms.md §8).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from tests.fakes.pinterest_errors import Refusal
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.pinterest import FakePinterest

ACCESS_SECONDS = 30 * 86400  # about 30 days (§8)
REFRESH_SECONDS = 60 * 86400  # continuous refresh tokens: 60 days, renewed on use
CODE_SECONDS = 600
SCOPES = frozenset({"boards:read", "boards:write", "pins:read", "pins:write", "user_accounts:read"})


def authorize(fake: FakePinterest, query: dict[str, str]) -> Reply:
    scopes = [s for s in query.get("scope", "").split(",") if s]
    if (
        query.get("client_id") != fake.app_id
        or query.get("response_type") != "code"
        or not query.get("redirect_uri")
        or not scopes
        or not set(scopes) <= SCOPES
        or fake.approving_user is None
    ):
        return Reply(
            400,
            "Something went wrong: unknown app, scope or response_type.",
            content_type="text/plain",
            checked=False,
        )
    code = secrets.token_urlsafe(24)
    fake.codes[code] = {
        "user": fake.approving_user,
        "redirect_uri": query["redirect_uri"],
        "scopes": tuple(scopes),
        "issued": fake.now(),
    }
    target = query["redirect_uri"]
    params = {"code": code, **({"state": query["state"]} if "state" in query else {})}
    location = f"{target}{'&' if '?' in target else '?'}{urlencode(params)}"
    return Reply(302, None, {"Location": location}, checked=False)


def token(fake: FakePinterest, request: Recorded) -> Reply:
    kind, _, value = request.headers.get("authorization", "").partition(" ")
    try:
        client = base64.b64decode(value).decode() if kind.lower() == "basic" else ""
    except (binascii.Error, UnicodeDecodeError):
        client = ""
    if client != f"{fake.app_id}:{fake.app_secret}":
        raise Refusal(401, 2, "Authentication failed.")
    form = request.body if isinstance(request.body, dict) else {}
    if form.get("grant_type") == "authorization_code":
        code = fake.codes.pop(form.get("code", ""), None)  # single use, even when refused
        if code is None or fake.now() - code["issued"] > CODE_SECONDS:
            raise Refusal(400, 1, "Invalid authorization code.")
        if form.get("redirect_uri") != code["redirect_uri"]:
            raise Refusal(400, 1, "The redirect_uri does not match the authorization request.")
        return _grant(fake, code["user"], code["scopes"], "authorization_code")
    if form.get("grant_type") == "refresh_token":
        # Continuous refresh: the refresh token is spent and a new one issued.
        grant = fake.refresh_tokens.pop(form.get("refresh_token", ""), None)
        if grant is None:
            raise Refusal(400, 1, "Invalid refresh token.")
        return _grant(fake, grant["user"], grant["scopes"], "refresh_token")
    raise Refusal(400, 1, "Unsupported grant_type.")


def _grant(fake: FakePinterest, user: str, scopes: tuple[str, ...], kind: str) -> Reply:
    body = {
        "response_type": kind,
        "access_token": fake.issue_token(user, ACCESS_SECONDS, scopes),
        "token_type": "bearer",
        "expires_in": ACCESS_SECONDS,
        "scope": ",".join(scopes),
        "refresh_token": fake.issue_refresh_token(user, scopes),
        "refresh_token_expires_in": REFRESH_SECONDS,
        "refresh_token_expires_at": int(fake.now()) + REFRESH_SECONDS,
    }
    return Reply(200, body)
