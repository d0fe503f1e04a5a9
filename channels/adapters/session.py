"""The outbound HTTP session every adapter uses: a timeout on every call, no
hidden retries (a retried create can double-post; the engine decides), and an
honest User-Agent."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

USER_AGENT = "SMO/1.0 (+https://github.com/smo-scheduler/smo)"


class OutboundSession(requests.Session):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.routes: dict[str, str] = {}
        self.headers["User-Agent"] = USER_AGENT
        no_retries = HTTPAdapter(max_retries=0)
        self.mount("http://", no_retries)
        self.mount("https://", no_retries)

    def route(self, origin: str, to: str) -> None:
        """Send requests for `origin` (scheme and host) to `to` instead.

        Client libraries hard-code their network's host (tweepy's
        api.twitter.com, facebook-sdk's graph.facebook.com; platforms.md §14).
        Routing here points them at the configured base URL (the current host
        in production, a local fake in tests) without forking the library.
        """
        origin, to = origin.rstrip("/"), to.rstrip("/")
        if origin != to:
            self.routes[origin] = to

    def request(self, method: str | bytes, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        # Not setdefault: facebook-sdk passes timeout=None explicitly.
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if isinstance(url, bytes):
            url = url.decode()
        for origin, to in self.routes.items():
            if url == origin or url.startswith(origin + "/") or url.startswith(origin + "?"):
                url = to + url[len(origin) :]
                break
        return super().request(method, url, **kwargs)


def build_session(timeout: float) -> OutboundSession:
    return OutboundSession(timeout)


def nothing_sent(error: BaseException | None) -> bool:
    """Tell a connection that never opened (refused, DNS, connect timeout) from one
    lost after the request went out (read timeout, reset): only the first is
    certain to have done nothing, so only it is safe to retry as it is."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if not isinstance(error, requests.ConnectionError) or not error.args:
        return False
    reason = error.args[0]
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)
