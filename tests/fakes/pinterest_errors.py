"""How the fake Pinterest says no: Pinterest's `{"code": int, "message": str}` on
every 4xx (platforms.md §8), with the codes and messages of the description's
examples where it has them (401 code 2, 403 code 29 or 3, 429 code 8, Board not
found code 40; others are illustrative), and S3's XML errors from the upload host.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.x import Reply

RATE_LIMITED = (
    "This request exceeded a rate limit. This can happen if the client exceeds one\n"
    "of the published rate limits within a short time window."
)
ERRORS: dict[int, tuple[int, str]] = {
    400: (1, "Invalid parameters."),
    401: (2, "Authentication failed."),
    403: (29, "You are not permitted to access that resource."),
    404: (404, "Not found."),
    429: (8, RATE_LIMITED),
    500: (500, "Internal server error."),
    502: (502, "Bad gateway."),
    503: (503, "Service unavailable."),
}
NOT_ENOUGH_SCOPE = (
    "Your token does not have sufficient permissions to perform this operation. "
    "Please ensure your token is authorized with the correct set of scopes."
)


class Refusal(Exception):
    """A Pinterest error answer, raised from a route."""

    def __init__(self, status: int, code: int | None = None, message: str = "") -> None:
        default_code, default_message = ERRORS.get(status, (status, "Error."))
        self.status = status
        self.code = default_code if code is None else code
        self.message = message or default_message
        super().__init__(f"{status} {self.code} {self.message}")

    def reply(self) -> Reply:
        return Reply(self.status, {"code": self.code, "message": self.message})


def error_body(status: int) -> dict[str, Any]:
    code, message = ERRORS.get(status, (status, "Error."))
    return {"code": code, "message": message}


def payload(reply: Reply) -> bytes:
    """The bytes of a JSON reply, as send_reply writes them."""
    return b"" if reply.body is None else json.dumps(reply.body).encode()


def s3_error(status: int, code: str, message: str) -> Reply:
    body = f"<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Reply(status, body, content_type="application/xml", checked=False)
