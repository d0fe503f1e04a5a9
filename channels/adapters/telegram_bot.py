"""One Telegram Bot API call, and its errors mapped to the taxonomy (platforms.md §12).

Every method is `POST {api_url}/bot{token}/{method}`; the answer is
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": "...",
"parameters": {"retry_after": s, "migrate_to_chat_id": id}}` with the HTTP status
equal to `error_code` (core.telegram.org/bots/api#making-requests). The token
sits in the URL path, so no URL or library message reaches an error unscrubbed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Permanent,
    RateLimited,
    Transient,
    Unknown,
    scrub,
)
from channels.adapters.session import nothing_sent
from channels.words import words

API_URL = "https://api.telegram.org"
# When a 429 names no retry_after (never seen, but the field is optional).
DEFAULT_RETRY = 30
# Gateways in front of the Bot API answer 502/503 when it is unreachable, before
# anything is sent on; a 504 means the gateway gave up waiting, so the message
# may exist.
MAYBE_SENT = frozenset({504})


@dataclass(frozen=True)
class BotError:
    """The Bot API's error body; every field optional, as a gateway may send HTML."""

    status: int
    error_code: int | None = None
    description: str = ""
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None

    @classmethod
    def parse(cls, response: requests.Response) -> BotError:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return cls(response.status_code)
        params = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        retry = params.get("retry_after")
        migrate = params.get("migrate_to_chat_id")
        code = body.get("error_code")
        return cls(
            response.status_code,
            code if isinstance(code, int) else None,
            str(body.get("description") or ""),
            retry if isinstance(retry, int) else None,
            migrate if isinstance(migrate, int) else None,
        )


class BotAPI:
    """Calls on behalf of one bot; `token` never leaves this object."""

    def __init__(self, session: requests.Session, api_url: str, token: str) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self._token = token

    def __repr__(self) -> str:
        return f"BotAPI(api_url={self.api_url!r})"

    def call(
        self,
        method: str,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        *,
        creates: bool = False,
    ) -> Any:
        """POST `method` and return its `result`.

        `creates` marks a call that makes a message: a lost answer to it is
        Unknown (Telegram takes no idempotency key), to any other call Transient.
        """
        url = f"{self.api_url}/bot{self._token}/{method}"
        try:
            response = self.session.post(url, data=data, files=files)
        except requests.RequestException as error:
            reason = scrub(type(error).__name__, [self._token])
            if nothing_sent(error) or not creates:
                raise Transient(
                    words("Could not reach Telegram (%(reason)s).", reason=reason)
                ) from None
            raise Unknown(
                words(
                    "Telegram did not answer (%(reason)s); the message may have been sent.",
                    reason=reason,
                )
            ) from None
        if response.status_code == 200:
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict) and body.get("ok") is True and "result" in body:
                return body["result"]
            error_class = Unknown if creates else Transient
            raise error_class(words("Telegram answered with something unreadable."), status=200)
        raise self.error(BotError.parse(response), creates=creates)

    def error(self, err: BotError, *, creates: bool) -> AdapterError:
        """Map one error answer to its class (platforms.md §12)."""
        status = err.status
        code = str(err.error_code or "")
        said = scrub(err.description, [self._token])
        if status == 429:
            seconds = err.retry_after if err.retry_after is not None else DEFAULT_RETRY
            return RateLimited(
                words("Telegram asks to wait %(seconds)s seconds.", seconds=seconds),
                datetime.now(UTC) + timedelta(seconds=seconds),
                status=status,
                code=code,
            )
        # 401 "Unauthorized": the token was revoked (/revoke in @BotFather); a
        # malformed token gets 404 "Not Found" for every method.
        if status in (401, 404):
            return AuthExpired(
                words(
                    "Telegram no longer accepts this bot's token; "
                    "reconnect with a new token from @BotFather."
                ),
                status=status,
                code=code,
            )
        if status == 403:
            return Permanent(
                words(
                    "The bot can no longer post to this chat (%(reason)s). "
                    "Add it back as an administrator that may post messages.",
                    reason=said or "Forbidden",
                ),
                status=status,
                code=code,
            )
        if status == 400 and err.migrate_to_chat_id is not None:
            return Permanent(
                words(
                    "This group became a supergroup with a new id; connect it again "
                    "on the accounts page."
                ),
                status=status,
                code=code,
            )
        if status == 400 and "chat not found" in said.lower():
            return Permanent(
                words(
                    "Telegram cannot find this channel or group: it was deleted, "
                    "or the bot was removed from it."
                ),
                status=status,
                code=code,
            )
        if 400 <= status < 500:
            return Permanent(
                words("Telegram refused the message: %(reason)s", reason=said or str(status)),
                status=status,
                code=code,
            )
        if creates and status in MAYBE_SENT:
            return Unknown(
                words(
                    "Telegram timed out (%(status)s); the message may have been sent.",
                    status=status,
                ),
                status=status,
                code=code,
            )
        return Transient(
            words("Telegram had a server error (%(status)s).", status=status),
            status=status,
            code=code,
        )
