"""The Threads API on SMO's outbound session, and what its answers mean (platforms.md §4).

Threads is a Graph API of its own (graph.threads.net, version v1.0) with no
client library SMO uses: `ThreadsAPI` makes each call with the account's token
as the `access_token` parameter, as Meta's examples do, and turns every failure
into the adapter error classes through graph.py's reading of the Graph error
envelope, which Threads shares (assumed in platforms.md §4): 190 is a dead
token, 4/17/32/613 rate limits, 1/2 and 5xx "may have happened", the rest a
refusal with Threads' own message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from channels.adapters.base import AdapterError, Transient, Unknown, scrub
from channels.adapters.graph import Call, error_for, request_error
from channels.words import words

API_URL = "https://graph.threads.net"
VERSION = "v1.0"
NETWORK = "Threads"


def utc_now() -> datetime:
    return datetime.now(UTC)


class ThreadsAPI:
    """Calls to graph.threads.net as one token; every failure is an AdapterError
    whose text holds neither the token nor the app secret."""

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        token: str,
        *,
        now: Callable[[], datetime] = utc_now,
        hidden: Iterable[str] = (),
    ) -> None:
        self.session = session
        self.api_url = (api_url or API_URL).rstrip("/")
        self.token = token
        self.now = now
        self._hidden = tuple(s for s in (token, *hidden) if s)

    def get(self, path: str, *, versioned: bool = True, **params: Any) -> dict[str, Any]:
        return self.send("GET", path, Call.READ, versioned=versioned, params=params)

    def post(self, path: str, call: Call, **params: Any) -> dict[str, Any]:
        """POST form parameters; `call` says what a lost answer means (graph.Call)."""
        return self.send("POST", path, call, data={k: _form(v) for k, v in params.items()})

    def delete(self, path: str) -> dict[str, Any]:
        """DELETE an object; deleting is safe to repeat, so a lost answer is Transient."""
        return self.send("DELETE", path, Call.READ)

    def paged(self, path: str, *, max_pages: int, **params: Any) -> Iterator[dict[str, Any]]:
        """Yield a list edge's items, following `paging.next` for up to `max_pages` pages."""
        args = dict(params)
        for _ in range(max_pages):
            page = self.get(path, **args)
            yield from (item for item in page.get("data") or [] if isinstance(item, dict))
            next_url = (page.get("paging") or {}).get("next")
            if not next_url:
                return
            query = parse_qs(urlparse(str(next_url)).query)
            args = {k: v[-1] for k, v in query.items() if k != "access_token"}

    def send(
        self,
        method: str,
        path: str,
        call: Call,
        *,
        versioned: bool = True,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        prefix = f"/{VERSION}" if versioned else ""
        url = f"{self.api_url}{prefix}/{path.lstrip('/')}"
        token = {"access_token": self.token} if self.token else {}
        if method in ("GET", "DELETE"):  # Meta's DELETE examples put the token in the URL
            params = {**(params or {}), **token}
        else:
            data = {**(data or {}), **token}
        error: AdapterError
        try:
            response = self.session.request(method, url, params=params, data=data)
        except requests.RequestException as exc:
            # requests' messages can hold the URL and its token: keep the class only.
            error = request_error(exc, call=call, network=NETWORK)
        else:
            body = _json(response)
            if response.ok and isinstance(body, dict) and "error" not in body:
                return body
            if response.ok and not isinstance(body, dict):
                error = _not_json(response.status_code, call)
            else:
                error = error_for(
                    body,
                    status=response.status_code,
                    headers=dict(response.headers),
                    call=call,
                    network=NETWORK,
                    now=self.now(),
                )
        raise self._clean(error)

    def _clean(self, error: AdapterError) -> AdapterError:
        text = scrub(error.detail, self._hidden)
        error.detail, error.args = text, (text,)
        return error


def _not_json(status: int, call: Call) -> AdapterError:
    """A 200 that is no JSON: a proxy, or a body cut off on the way."""
    if call is Call.CREATE:
        return Unknown(
            words("Threads answered with something that is not JSON; the post may exist."),
            status=status,
            code="not-json",
        )
    return Transient(
        words("Threads answered with something that is not JSON."), status=status, code="not-json"
    )


def _form(value: Any) -> Any:
    """Graph reads booleans as "true"/"false"; requests would send "True"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
