"""The fake LinkedIn's OAuth: the authorize page (approving at once as
`approving_member`) and POST /oauth/v2/accessToken with the app's id and secret in
the form: code exchange, and refresh for apps granted refresh tokens (platforms.md §5).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tests.fakes.linkedin_wire import oauth_error
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.linkedin import FakeLinkedIn

ACCESS_SECONDS = 60 * 86400  # 60 days (§5)
REFRESH_SECONDS = 365 * 86400  # 365 days from the first grant; refresh does not restart it
CODE_SECONDS = 1800  # an authorization code lives 30 minutes


def authorize(fake: FakeLinkedIn, query: dict[str, str]) -> Reply:
    scopes = query.get("scope", "").split()
    if (
        query.get("client_id") != fake.client_id
        or query.get("response_type") != "code"
        or not query.get("redirect_uri")
        or not scopes
        or not set(scopes) <= fake.app_scopes
        or fake.approving_member is None
    ):
        return Reply(
            400, "unauthorized_scope_error or bad request", content_type="text/plain", checked=False
        )
    code = secrets.token_urlsafe(24)
    fake.codes[code] = {
        "member": fake.approving_member,
        "redirect_uri": query["redirect_uri"],
        "scopes": tuple(scopes),
        "issued": fake.now(),
    }
    target = query["redirect_uri"]
    params = {"code": code, **({"state": query["state"]} if "state" in query else {})}
    location = f"{target}{'&' if '?' in target else '?'}{urlencode(params)}"
    return Reply(302, None, {"Location": location}, checked=False)


def token(fake: FakeLinkedIn, request: Recorded) -> Reply:
    form = request.body if isinstance(request.body, dict) else {}
    if form.get("client_id") != fake.client_id or form.get("client_secret") != fake.client_secret:
        return oauth_error(401, "invalid_client", "Client authentication failed")
    if form.get("grant_type") == "authorization_code":
        code = fake.codes.pop(form.get("code", ""), None)  # single use
        if code is None or fake.now() - code["issued"] > CODE_SECONDS:
            return oauth_error(
                400,
                "invalid_request",
                "Unable to retrieve access token: appid/redirect uri/code verifier does not "
                "match authorization code. Or authorization code expired.",
            )
        if form.get("redirect_uri") != code["redirect_uri"]:
            return oauth_error(400, "invalid_redirect_uri", "Redirect URI does not match")
        refresh_ends = fake.now() + REFRESH_SECONDS
        return _grant(fake, code["member"], code["scopes"], refresh_ends)
    if form.get("grant_type") == "refresh_token":
        grant = fake.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant["expires"] <= fake.now():
            return oauth_error(
                400,
                "invalid_request",
                "The provided authorization grant is invalid, expired or revoked",
            )
        return _grant(
            fake, grant["member"], grant["scopes"], grant["expires"], form["refresh_token"]
        )
    return oauth_error(400, "unsupported_grant_type", "Unsupported grant type")


def _grant(
    fake: FakeLinkedIn,
    member: str,
    scopes: tuple[str, ...],
    refresh_ends: float,
    refresh_token: str = "",
) -> Reply:
    body: dict[str, Any] = {
        "access_token": fake.issue_token(member, ACCESS_SECONDS, scopes),
        "expires_in": ACCESS_SECONDS,
        "scope": ",".join(scopes),
    }
    if fake.grants_refresh_tokens:
        # The same refresh token comes back, with the time it has left (§5).
        refresh_token = refresh_token or fake.issue_refresh_token(member, scopes, refresh_ends)
        body["refresh_token"] = refresh_token
        body["refresh_token_expires_in"] = int(refresh_ends - fake.now())
    return Reply(200, body)
