"""Rich-text facets of a Bluesky post: links, mentions and hashtags, by UTF-8 byte offsets.

Bluesky does not find links or mentions in the text itself: the post carries
facets whose `index` counts UTF-8 bytes, not characters (platforms.md §11).
An "å" is 2 bytes, a CJK character 3 and most emoji 4, so offsets are computed
on the encoded text. The patterns follow the official app's detection
(@atproto/api `detectFacets`): a link needs its http(s) scheme here; a mention
is `@` and a handle with a dot, kept only if the handle resolves to a DID (an
unknown one stays plain text, as in the app); a hashtag is `#` and up to 64
characters that are not all digits, trailing punctuation left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import regex

LINK = regex.compile(r"(?:^|(?<=[\s(]))(https?://[^\s]+)", regex.IGNORECASE)
MENTION = regex.compile(
    r"(?:^|(?<=[\s(]))@([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+)"
)
TAG = regex.compile(r"(?:^|(?<=\s))[#\uff03]([^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+)")
TRAILING = ".,;:!?\"'"
MAX_TAG = 64  # app.bsky.richtext.facet#tag maxGraphemes

Facet = dict[str, Any]


def facets(text: str, resolve: Callable[[str], str | None]) -> list[Facet]:
    """Return the facets of `text`; `resolve(handle)` gives a handle's DID or None."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    for match in LINK.finditer(text):
        url = _trim_link(match.group(1))
        start = match.start(1)
        found.append(
            (start, start + len(url), {"$type": "app.bsky.richtext.facet#link", "uri": url})
        )
    for match in MENTION.finditer(text):
        handle = match.group(1).rstrip(".-")
        did = resolve(handle.lower())
        if did:
            start = match.start(1) - 1  # the "@" belongs to the mention
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
            found.append((start, match.start(1) + len(handle), feature))
    for match in TAG.finditer(text):
        tag = match.group(1).rstrip(TRAILING + ")")
        if not tag or tag.isdigit() or len(regex.findall(r"\X", tag)) > MAX_TAG:
            continue
        start = match.start(1) - 1
        found.append(
            (start, match.start(1) + len(tag), {"$type": "app.bsky.richtext.facet#tag", "tag": tag})
        )
    found.sort(key=lambda f: f[0])
    result: list[Facet] = []
    taken = -1
    for start, end, feature in found:
        if start < taken:
            continue  # overlaps an earlier facet (a "#" inside a link)
        taken = end
        result.append(
            {
                "index": {"byteStart": _bytes(text, start), "byteEnd": _bytes(text, end)},
                "features": [feature],
            }
        )
    return result


def handles(text: str) -> list[str]:
    """The handles `text` mentions, lower-cased, in order, once each."""
    return list(dict.fromkeys(m.group(1).rstrip(".-").lower() for m in MENTION.finditer(text)))


def _trim_link(url: str) -> str:
    """Leave out punctuation that ends the sentence rather than the link, and a
    closing parenthesis that has no opening one in the link."""
    while url and url[-1] in TRAILING:
        url = url[:-1]
    if url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def _bytes(text: str, index: int) -> int:
    """The UTF-8 byte offset of character `index` of `text`."""
    return len(text[:index].encode("utf-8"))
