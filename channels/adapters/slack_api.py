"""Slack's Web API through slack_sdk, and what its answers mean.

`SlackAPI` wraps one `slack_sdk.WebClient` with SMO's rules: no retry handlers
(the SDK's default retries a failed connection once, which can double-post),
the outbound session's timeout, and every failure turned into the adapter error
classes (STYLE.md §3). Slack answers HTTP 200 with `{"ok": false, "error":
"<code>"}` for most failures, HTTP 429 with `Retry-After` for rate limits
(docs.slack.dev/apis/web-api/rate-limits), and 5xx rarely.
"""

from __future__ import annotations

import logging
import socket
import urllib.error
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Permanent,
    RateLimited,
    Transient,
    Unknown,
    scrub,
)
from channels.words import Words, words

API_URL = "https://slack.com/api/"
# Slack says to wait Retry-After seconds; a 429 without it waits a minute (the
# tiers count per minute).
RATE_LIMIT_WAIT = timedelta(minutes=1)

# ok:false codes: the credentials are dead (docs.slack.dev "Common errors").
AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "no_permission",
        "ekm_access_denied",
        "team_access_not_granted",
        "org_login_required",
    }
)
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# What each refusal says to a person; any other code is named as Slack sent it.
PERMANENT_WORDS: dict[str, Words] = {
    "channel_not_found": words(
        "Slack cannot find the channel; it may have been deleted or made private."
    ),
    "not_in_channel": words("The SMO app is not a member of this Slack channel; invite it."),
    "is_archived": words("The Slack channel is archived; unarchive it or connect another."),
    "msg_too_long": words("Slack refused the message as too long."),
    "no_text": words("Slack needs some text or a file."),
    "restricted_action": words("This Slack workspace does not let the app post in the channel."),
    "restricted_action_read_only_channel": words("The Slack channel is read-only."),
    "restricted_action_thread_only_channel": words("The Slack channel takes replies only."),
    "missing_scope": words(
        "The Slack app lacks a permission it needs; reconnect the account to grant it."
    ),
    "file_upload_size_restricted": words("The file is larger than this Slack workspace takes."),
    "invalid_metadata_format": words("Slack refused the message's metadata."),
}


class SlackAPI:
    """One token's calls; every failure comes back as an AdapterError with no secret in it."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        timeout: float,
        now: Callable[[], datetime],
        hidden: Iterable[str] = (),
    ) -> None:
        self.client = WebClient(
            token=token or None,
            base_url=api_url,
            timeout=max(1, round(timeout)),
            retry_handlers=[],
            logger=_quiet_logger(),
        )
        self.now = now
        self._hidden = (token, *hidden)

    def call(
        self,
        method: str,
        what: Words,
        *,
        creating: bool = False,
        app: tuple[str, str] | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """Call a Web API method with form parameters; `creating` marks the call that
        makes something public, whose lost answer leaves us not knowing. `app`
        (client id, secret) goes as HTTP Basic, as oauth.v2.access prefers."""
        clean = {k: v for k, v in params.items() if v is not None}
        auth = {"client_id": app[0], "client_secret": app[1]} if app else None
        try:
            response = self.client.api_call(method, params=clean, auth=auth)
        except SlackApiError as error:
            raise self.error_for(error.response, what, creating=creating) from None
        except (SlackClientError, OSError, ValueError) as error:
            raise lost(error, creating=creating) from None
        body = response.data
        if not isinstance(body, dict):
            detail = words("Slack answered %(what)s with something that is not JSON.", what=what)
            raise (Unknown if creating else Transient)(detail, status=response.status_code)
        return body

    def error_for(self, response: Any, what: Words, *, creating: bool) -> AdapterError:
        """Map an answer slack_sdk refused to the error taxonomy."""
        status = int(getattr(response, "status_code", 0) or 0)
        body = getattr(response, "data", None)
        code = str(body.get("error") or "") if isinstance(body, Mapping) else ""
        headers = getattr(response, "headers", {}) or {}
        kw: dict[str, Any] = {"status": status, "code": code}
        if status == 429 or code in ("ratelimited", "rate_limited"):
            again = retry_at(headers, self.now())
            message = words(
                "Slack's rate limit was reached; SMO tries again after %(time)s UTC.",
                time=f"{again:%H:%M:%S}",
            )
            return RateLimited(message, again, **kw)
        if code in AUTH_ERRORS or status == 401:
            return AuthExpired(
                words(
                    "Slack no longer accepts the app's token (%(code)s); reconnect the account.",
                    code=code or status,
                ),
                **kw,
            )
        if " " in code:
            # Not one of Slack's codes: slack_sdk's note that the body was no JSON
            # (a proxy's page). Slack may still have acted on the request.
            code = "unexpected_body"
            detail = words("Slack answered with something that is not JSON.")
            return (Unknown if creating else Transient)(detail, **{**kw, "code": code})
        if status >= 500 or code in TRANSIENT_ERRORS:
            if creating:
                return Unknown(
                    words(
                        "Slack had a problem (%(code)s) while posting; the message may exist, "
                        "so SMO checks before trying again.",
                        code=code or status,
                    ),
                    **kw,
                )
            return Transient(
                words(
                    "Slack had a temporary problem with %(what)s (%(code)s).",
                    what=what,
                    code=code or status,
                ),
                **kw,
            )
        if code in PERMANENT_WORDS:
            return Permanent(PERMANENT_WORDS[code], **kw)
        reason = scrub(code or f"HTTP {status}", self._hidden)
        return Permanent(
            words("Slack refused %(what)s: %(reason)s", what=what, reason=reason), **kw
        )


def list_channels(api: SlackAPI, pages: int) -> Iterator[Mapping[str, Any]]:
    """Public channels, and the private ones the app was invited to (conversations.list)."""
    cursor = None
    for _ in range(pages):
        page = api.call(
            "conversations.list",
            words("the list of channels"),
            types="public_channel,private_channel",
            exclude_archived=True,
            limit=200,
            cursor=cursor,
        )
        yield from (c for c in page.get("channels") or [] if c.get("id"))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def upload(session: requests.Session, url: str, data: bytes, mime_type: str) -> None:
    """POST the file's bytes to the URL files.getUploadURLExternal gave.

    Nothing is public before files.completeUploadExternal, so every failure
    here is safe to retry."""
    if not url:
        raise Transient(words("Slack gave no upload address."))
    try:
        response = session.post(url, data=data, headers={"Content-Type": mime_type})
    except requests.RequestException as error:
        raise Transient(
            words("The upload to Slack failed (%(error)s).", error=type(error).__name__)
        ) from None
    if not response.ok:
        raise Transient(
            words("Slack's upload host answered %(status)s.", status=response.status_code),
            status=response.status_code,
        )


def _quiet_logger() -> logging.Logger:
    """slack_sdk logs request bodies and answers at DEBUG (refresh tokens, new
    access tokens): its own logger stays at WARNING whatever the root level."""
    logger = logging.getLogger("channels.adapters.slack_sdk")
    logger.setLevel(logging.WARNING)
    return logger


def retry_at(headers: Mapping[str, Any], now: datetime) -> datetime:
    """Slack's Retry-After is whole seconds (docs.slack.dev rate limits)."""
    value: Any = None
    for name, given in headers.items():
        if str(name).lower() == "retry-after":
            value = given[0] if isinstance(given, list) else given
    text = str(value or "").strip()
    if text.isdigit():
        return now + timedelta(seconds=int(text))
    return now + RATE_LIMIT_WAIT


def nothing_sent(error: BaseException) -> bool:
    """A connection that never opened (refused, DNS) certainly did nothing. urllib
    wraps those in URLError; a read timeout or a reset comes bare."""
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        reason = error.reason
        return isinstance(reason, ConnectionRefusedError | socket.gaierror | TimeoutError)
    return isinstance(error, ConnectionRefusedError)


def lost(error: BaseException, *, creating: bool) -> AdapterError:
    """A call that got no answer; only the error's class name is kept, since a
    message can hold a URL."""
    name = type(error).__name__
    if nothing_sent(error):
        return Transient(
            words("Could not reach Slack (%(error)s); nothing was sent.", error=name), code=name
        )
    if creating:
        return Unknown(
            words(
                "Slack did not answer after the message was sent (%(error)s); it may exist.",
                error=name,
            ),
            code=name,
        )
    return Transient(
        words("Slack did not answer (%(error)s); nothing was posted.", error=name), code=name
    )
