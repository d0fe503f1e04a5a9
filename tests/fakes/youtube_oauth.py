"""Google's OAuth 2 endpoints as FakeYouTube serves them: an authorize page that
approves at once, and the token endpoint (code exchange with PKCE, refresh,
invalid_grant). Answers follow Google's "Using OAuth 2.0 for Web Server
Applications" and RFC 6749 §5; each token answer is checked against the RFC's
shape. `self` is the FakeYouTube.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jsonschema import Draft7Validator

from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.youtube import FakeYouTube

JSON = "application/json; charset=UTF-8"
KNOWN_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/youtube",
        "https://www.googleapis.com/auth/youtube.upload",
        "https://www.googleapis.com/auth/youtube.readonly",
        "https://www.googleapis.com/auth/youtube.force-ssl",
    }
)
CODE_SECONDS = 600
# RFC 6749 §5.1 and §5.2, with the fields Google sends.
TOKEN_ANSWER = Draft7Validator(
    {
        "type": "object",
        "required": ["access_token", "expires_in", "token_type"],
        "additionalProperties": False,
        "properties": {
            "access_token": {"type": "string", "minLength": 1},
            "expires_in": {"type": "integer", "minimum": 1},
            "refresh_token": {"type": "string", "minLength": 1},
            "refresh_token_expires_in": {"type": "integer"},
            "scope": {"type": "string"},
            "token_type": {"const": "Bearer"},
            "id_token": {"type": "string"},
        },
    }
)
TOKEN_ERROR = Draft7Validator(
    {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "enum": [
                    "invalid_request",
                    "invalid_client",
                    "invalid_grant",
                    "unauthorized_client",
                    "unsupported_grant_type",
                    "invalid_scope",
                    "redirect_uri_mismatch",
                ]
            },
            "error_description": {"type": "string"},
        },
    }
)


def oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description}, content_type=JSON)


class OAuthRoutes:
    def route_oauth(self: FakeYouTube, request: Recorded) -> Reply:
        if request.path == "/o/oauth2/v2/auth" and request.method == "GET":
            return self._authorize(request.query)
        if request.path == "/token" and request.method == "POST":
            reply = self._token(request)
            checker = TOKEN_ANSWER if reply.status == 200 else TOKEN_ERROR
            for error in checker.iter_errors(reply.body):
                self.contract_violations.append(f"the fake's token answer: {error.message}")
            return reply
        return Reply(405, "Method Not Allowed", content_type="text/plain")

    def issue_token(
        self: FakeYouTube,
        user: str,
        scopes: tuple[str, ...] = (
            "https://www.googleapis.com/auth/youtube.upload",
            "https://www.googleapis.com/auth/youtube.readonly",
            "https://www.googleapis.com/auth/youtube.force-ssl",
        ),
        expires_in: int = 3599,
    ) -> str:
        token = f"ya29.fake-{secrets.token_urlsafe(32)}"
        self.tokens[token] = {
            "user": user,
            "scopes": tuple(scopes),
            "expires": self.now() + expires_in,
        }
        return token

    def issue_refresh_token(
        self: FakeYouTube, user: str, scopes: tuple[str, ...] | None = None
    ) -> str:
        token = f"1//fake-{secrets.token_urlsafe(32)}"
        granted = scopes or (
            "https://www.googleapis.com/auth/youtube.upload",
            "https://www.googleapis.com/auth/youtube.readonly",
            "https://www.googleapis.com/auth/youtube.force-ssl",
        )
        self.refresh_tokens[token] = {"user": user, "scopes": tuple(granted)}
        return token

    def revoke(self: FakeYouTube, token: str) -> None:
        """Revoke a refresh or access token, as when a person removes the app's access."""
        self.refresh_tokens.pop(token, None)
        self.tokens.pop(token, None)

    def expire_token(self: FakeYouTube, token: str) -> None:
        self.tokens[token]["expires"] = self.now() - 1

    def _authorize(self: FakeYouTube, query: dict[str, str]) -> Reply:
        problems = []
        if query.get("client_id") != self.client_id:
            problems.append("unknown client_id")
        if query.get("response_type") != "code":
            problems.append("response_type must be code")
        scopes = query.get("scope", "").split()
        if not scopes or not set(scopes) <= KNOWN_SCOPES:
            problems.append("unknown scope")
        if not query.get("redirect_uri") or not query.get("state"):
            problems.append("redirect_uri and state are required")
        if not query.get("code_challenge") or query.get("code_challenge_method") != "S256":
            problems.append("an S256 code_challenge is required")
        if self.approving_user is None:
            problems.append("nobody to sign in")
        if problems:
            self.contract_violations.extend(f"GET /o/oauth2/v2/auth: {p}" for p in problems)
            return Reply(
                400, f"Error 400: invalid_request ({problems[0]})", content_type="text/html"
            )
        granted = tuple(self.granted_scopes if self.granted_scopes is not None else scopes)
        code = f"4/fake-{secrets.token_urlsafe(24)}"
        self.codes[code] = {
            "user": self.approving_user,
            "redirect_uri": query["redirect_uri"],
            "challenge": query["code_challenge"],
            "scopes": granted,
            "offline": query.get("access_type") == "offline",
            "issued": self.now(),
        }
        answer = {"state": query["state"], "code": code, "scope": " ".join(granted)}
        target = query["redirect_uri"]
        location = f"{target}{'&' if '?' in target else '?'}{urlencode(answer)}"
        return Reply(302, None, {"Location": location}, checked=False)

    def _token(self: FakeYouTube, request: Recorded) -> Reply:
        form = request.body if isinstance(request.body, dict) else {}
        client = (form.get("client_id"), form.get("client_secret"))
        kind, _, value = request.headers.get("authorization", "").partition(" ")
        if kind.lower() == "basic":
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
            client = (client_id, secret)
        if client != (self.client_id, self.client_secret):
            return oauth_error(401, "invalid_client", "The OAuth client was not found.")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange(form)
        if grant_type == "refresh_token":
            grant = self.refresh_tokens.get(form.get("refresh_token", ""))
            if grant is None:
                return oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            body = self._tokens(grant["user"], grant["scopes"])
            if self.refresh_rotates:
                self.refresh_tokens.pop(form["refresh_token"])
                body["refresh_token"] = self.issue_refresh_token(grant["user"], grant["scopes"])
            return Reply(200, body, content_type=JSON)
        return oauth_error(400, "unsupported_grant_type", "Invalid grant_type.")

    def _exchange(self: FakeYouTube, form: dict[str, str]) -> Reply:
        code = self.codes.pop(form.get("code", ""), None)  # single use, even when refused
        if code is None or self.now() - code["issued"] > CODE_SECONDS:
            return oauth_error(400, "invalid_grant", "Malformed auth code.")
        if form.get("redirect_uri") != code["redirect_uri"]:
            return oauth_error(400, "redirect_uri_mismatch", "Bad Request")
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != code["challenge"]:
            return oauth_error(400, "invalid_grant", "Invalid code verifier.")
        body = self._tokens(code["user"], code["scopes"])
        if code["offline"]:
            body["refresh_token"] = self.issue_refresh_token(code["user"], code["scopes"])
        return Reply(200, body, content_type=JSON)

    def _tokens(self: FakeYouTube, user: str, scopes: tuple[str, ...]) -> dict[str, Any]:
        return {
            "access_token": self.issue_token(user, scopes, 3599),
            "expires_in": 3599,
            "scope": " ".join(scopes),
            "token_type": "Bearer",
        }
