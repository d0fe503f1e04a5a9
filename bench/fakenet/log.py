"""What the fake network accepted: one entry per post it created.

The harness makes each delivery's text unique, so two entries with the same
network and text are one delivery published twice, and a delivery with no entry
never reached the network. X and Facebook take no idempotency key (platforms.md
§1, §2), so the text is the only thing that ties a post to its delivery.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Accepted:
    network: str  # "x" or "facebook"
    account: str  # the X user id or the Page id
    text: str
    post_id: str
    received_at: float  # epoch seconds when the request reached the fake
    answered: bool  # False when the answer was kept back or was an error (a fault)


class PostLog:
    def __init__(self) -> None:
        self._entries: list[Accepted] = []
        self._lock = threading.Lock()

    def add(self, entry: Accepted) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[Accepted]:
        with self._lock:
            return list(self._entries)

    def copies(self) -> Counter[tuple[str, str]]:
        """How many posts each (network, text) became."""
        return Counter((e.network, e.text) for e in self.entries())

    def duplicates(self) -> int:
        """Posts beyond the first of each (network, text): deliveries published twice."""
        return sum(n - 1 for n in self.copies().values() if n > 1)

    def first_received(self) -> dict[tuple[str, str], float]:
        """When the first post of each (network, text) reached the fake."""
        first: dict[tuple[str, str], float] = {}
        for entry in self.entries():
            key = (entry.network, entry.text)
            first[key] = min(first.get(key, entry.received_at), entry.received_at)
        return first

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
