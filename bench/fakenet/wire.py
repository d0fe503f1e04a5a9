"""A request as the load fake received it, and what each network answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tests.fakes.x import Reply


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the network's prefix: "/x/2/tweets", "/graph/v24.0/1001/feed"
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class Network(Protocol):
    name: str  # "x" or "facebook", as in Faults.rate_limited_networks

    def route(self, request: Request, received: float, *, answered: bool) -> Reply: ...

    def server_error(self) -> Reply: ...

    def rate_limited(self, request: Request, reset: float) -> Reply: ...
