"""UTM tagging: add a campaign's utm_* parameters to the web links of a post.

Only absolute http(s) URLs are tagged. A link keeps everything it had, byte for byte:
its other parameters and their order, its encoding, its fragment and a non-ASCII
(IDN) host; the tags go at the end of the query, before the fragment. A parameter the
link already has, in any letter case, is left alone: the author chose that value.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, quote_plus, urlsplit

from channels.text import url_spans

# In the order Google Analytics' Campaign URL Builder writes them.
KEYS = ("source", "medium", "campaign", "term", "content")


def parameters(utm: Mapping[str, object] | None) -> list[tuple[str, str]]:
    """Return the utm_* pairs to add, in KEYS order, without unknown keys or blank values."""
    utm = utm or {}
    pairs = []
    for key in KEYS:
        value = str(utm.get(key) or "").strip()
        if value:
            pairs.append((f"utm_{key}", value))
    return pairs


def tag(url: str, utm: Mapping[str, object] | None) -> str:
    """Return `url` with the utm_* parameters it lacks; anything but an http(s) URL unchanged."""
    pairs = parameters(utm)
    if not pairs:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    # Work on the text itself, so nothing already in the link is re-encoded or normalised.
    base, hash_mark, fragment = url.partition("#")
    path, _, query = base.partition("?")
    present = {name.lower() for name, _ in parse_qsl(query, keep_blank_values=True)}
    added = "&".join(f"{name}={quote_plus(value)}" for name, value in pairs if name not in present)
    if not added:
        return url
    if query and not query.endswith("&"):
        query += "&"
    return f"{path}?{query}{added}{hash_mark}{fragment}"


def tag_text(text: str, utm: Mapping[str, object] | None) -> str:
    """Return `text` with every http(s) URL in it tagged.

    URLs are found as twitter-text finds them (channels/text.py), so trailing punctuation
    and brackets stay outside. Links written without a scheme ("example.com/spring") are
    left alone: twitter-text also finds "config.py", and it ends a scheme-less link at
    "?", so the networks would not link the tags.
    """
    if not parameters(utm):
        return text
    pieces = []
    position = 0
    for start, end in url_spans(text):
        pieces.append(text[position:start])
        pieces.append(tag(text[start:end], utm))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
