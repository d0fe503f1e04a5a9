"""How the fake LinkedIn says no: the error bodies of platforms.md §5, word for word
where it quotes them (401 expired/invalid/revoked, 429, 422 duplicate, 400, 403,
426), and OAuth's `{"error", "error_description"}` from the token endpoint."""

from __future__ import annotations

from typing import Any

from tests.fakes.x import Reply

EXPIRED = {
    "status": 401,
    "serviceErrorCode": 65602,
    "code": "EXPIRED_ACCESS_TOKEN",
    "message": "The token used in the request has expired",
}
INVALID = {
    "status": 401,
    "serviceErrorCode": 65600,
    "code": "INVALID_ACCESS_TOKEN",
    "message": "Invalid access token",
}
REVOKED = {
    "status": 401,
    "serviceErrorCode": 65601,
    "code": "REVOKED_ACCESS_TOKEN",
    "message": "The token used in the request has been revoked by the user",
}
THROTTLED = {
    "status": 429,
    "serviceErrorCode": 101,
    "code": "TOO_MANY_REQUESTS",
    "message": "Resource level throttle limit for calls to this resource is reached.",
}
BAD_BODY = {
    "status": 400,
    "code": "ILLEGAL_ARGUMENT",
    "message": "Request body could not be converted to data map",
}
NO_VERSION = {
    # Status and code unconfirmed (§5); the message is LinkedIn's.
    "status": 400,
    "code": "VERSION_MISSING",
    "message": "A version must be present. Please specify a version by adding the "
    "Linkedin-Version header.",
}
SERVER_ERROR = {"status": 500, "message": "Internal Server Error"}
UNAVAILABLE = {"status": 503, "message": "Service Unavailable"}


def forbidden(what: str = "/posts") -> dict[str, Any]:
    return {
        "serviceErrorCode": 100,
        "message": f"Not enough permissions to access: partnerApiPostsExternal.CREATE.20251001 {what}",
        "status": 403,
    }


def duplicate(urn: str) -> dict[str, Any]:
    return {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": "com.linkedin.content.common.exception.BadRequestResponseException: "
        f"Content is a duplicate of {urn}",
        "errorDetails": {
            "inputErrors": [
                {"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}
            ]
        },
        "status": 422,
    }


def missing_fields(fields: list[str]) -> dict[str, Any]:
    lines = [
        f"ERROR :: /{f} :: field is required but not found and has no default value" for f in fields
    ]
    return {
        "message": "\n".join(lines) + "\n",
        "status": 422,
    }


def invalid_field(path: str, message: str) -> dict[str, Any]:
    return {"message": f"ERROR :: /{path} :: {message}\n", "status": 422}


def version_inactive(version: str) -> dict[str, Any]:
    return {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": f"Requested version {version} is not active",
    }


def not_found(path: str) -> dict[str, Any]:
    return {"status": 404, "code": "NOT_FOUND", "message": f"No virtual resource found at {path}"}


BODIES: dict[int, dict[str, Any]] = {
    400: BAD_BODY,
    401: EXPIRED,
    403: forbidden(),
    426: version_inactive("202001"),
    429: THROTTLED,
    500: SERVER_ERROR,
    503: UNAVAILABLE,
}


def error_body(status: int) -> dict[str, Any]:
    return BODIES.get(status) or {"status": status, "message": "Error"}


class Refusal(Exception):
    """A LinkedIn error answer, raised from a route."""

    def __init__(self, status: int, body: dict[str, Any] | None = None) -> None:
        self.status = status
        self.body = body or error_body(status)
        super().__init__(f"{status} {self.body.get('message')}")

    def reply(self) -> Reply:
        return Reply(self.status, self.body)


def oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})
