"""How each network counts the length of a text."""

from __future__ import annotations

import unicodedata

CHARACTERS = "characters"  # code points after NFC (Mastodon, Facebook, sandbox)


def count(text: str, rule: str) -> int:
    """Return the length of `text` as a network using `rule` counts it."""
    if rule == CHARACTERS:
        return len(unicodedata.normalize("NFC", text))
    raise ValueError(f"Unknown text counting rule: {rule!r}")
