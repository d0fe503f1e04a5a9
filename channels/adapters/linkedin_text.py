"""The post text as LinkedIn reads it: the "little" text format (platforms.md §5).

`commentary` is parsed as little text: the reserved characters
``| { } @ [ ] ( ) < > # * _ ~ \\`` start markup (mentions ``@[Name](urn)``,
hashtag templates ``{hashtag|\\#|tag}``), and one that is not markup makes
LinkedIn cut the post off there while still answering 201. So every reserved
character is escaped with a backslash, except a ``#`` that starts a hashtag:
``#`` at the start of a word and followed by a letter or digit (``#Bakery``,
``#2026``) stays as typed, so hashtags still link. ``C#``, ``#`` alone and
``# 1`` are escaped and read literally. An underscore ends a hashtag
(``#my_tag`` becomes ``#my`` and a literal ``_tag``), as LinkedIn's own
composer does.

Length: LinkedIn counts the commentary it receives, escapes included
("ShareCommentary text length (8694 characters) exceeded the maximum allowed
(3000 characters)", n8n issue #22899), and its servers are Java, whose
String.length() counts UTF-16 code units: an emoji outside the BMP counts 2.
Both are unconfirmed against the live service; counting the escaped text in
UTF-16 never lets a post through that LinkedIn would refuse.
"""

from __future__ import annotations

import re
import unicodedata

from channels.adapters.base import Content

RESERVED = frozenset("|{}@[]()<>#*_~\\")
# "#" opening a hashtag: not after a word character, "#" or "&" (an HTML entity),
# and followed by a letter or digit.
HASHTAG_START = re.compile(r"(?<![\w#&])#(?=[^\W_])")
# How LinkedIn writes a hashtag back when a post is read (GET /rest/posts).
HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\?#\|([^}]*)\}")
MENTION = re.compile(r"@\[([^\]]*)\]\([^)]*\)")
ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def commentary(text: str) -> str:
    """Return `text` as little text, every reserved character escaped but hashtags."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    keep = {m.start() for m in HASHTAG_START.finditer(text)}
    return "".join(f"\\{c}" if c in RESERVED and i not in keep else c for i, c in enumerate(text))


def plain(little: str) -> str:
    """Return what a reader sees of a little-text commentary read back from LinkedIn."""
    text = HASHTAG_TEMPLATE.sub(lambda m: "#" + m.group(1), little)
    text = MENTION.sub(lambda m: m.group(1), text)
    return ESCAPED.sub(lambda m: m.group(1), text)


def length(text: str) -> int:
    """The length LinkedIn checks against 3,000: UTF-16 code units of the commentary."""
    return len(commentary(text).encode("utf-16-le")) // 2


def post_text(content: Content) -> str:
    """The text SMO posts: with media, the link is added to the text, since a post
    holds either media or a link card (content.article), not both."""
    text = content.text.strip()
    media = bool(content.media)
    if media and content.link and content.link not in text:
        return f"{text}\n\n{content.link}" if text else content.link
    return text


def same_text(listed: str, ours: str) -> bool:
    """Whether a commentary read back from LinkedIn is the text SMO sent."""
    return Content(plain(listed)).fingerprint == Content(ours).fingerprint
