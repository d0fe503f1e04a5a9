"""The outbound HTTP session every adapter uses: a timeout on every call, no
hidden retries (a retried create can double-post; the engine decides), and an
honest User-Agent."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

USER_AGENT = "SMO/1.0 (+https://github.com/smo-scheduler/smo)"


class OutboundSession(requests.Session):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = USER_AGENT
        no_retries = HTTPAdapter(max_retries=0)
        self.mount("http://", no_retries)
        self.mount("https://", no_retries)

    def request(self, method: str | bytes, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def build_session(timeout: float) -> OutboundSession:
    return OutboundSession(timeout)
