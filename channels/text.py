"""How each network counts the length of a text."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right

CHARACTERS = "characters"  # code points after NFC (Facebook, sandbox)
X_WEIGHTED = "x_weighted"  # X's weighted count (twitter-text config v3, platforms.md §1)
# UTF-8 bytes after NFC: YouTube's description takes 5,000 bytes (platforms.md §6),
# so a letter outside ASCII counts 2 to 4.
BYTES = "bytes"
# Threads: characters, except that an emoji counts as many as its UTF-8 bytes
# (platforms.md §4), so 😀 is 4 and 👍🏽 is 8 of the 500.
THREADS = "threads"
# Mastodon's StatusLengthValidator: grapheme clusters, every http(s) URL counts as
# the instance's characters_reserved_per_url (23), a remote @user@domain mention
# counts as @user (platforms.md §10).
MASTODON = "mastodon"
# Extended grapheme clusters (Unicode's user-perceived characters, `regex`'s \X)
# after NFC: Bluesky's post text takes 300 (lexicon maxGraphemes, platforms.md
# §11), so a flag, a family emoji or "e" plus a combining accent each count 1.
GRAPHEMES = "graphemes"


def count(text: str, rule: str, url_length: int = 23) -> int:
    """Return the length of `text` as a network using `rule` counts it; `url_length`
    is what one URL counts for under rules that weigh URLs (Mastodon's)."""
    if rule == CHARACTERS:
        return len(unicodedata.normalize("NFC", text))
    if rule == X_WEIGHTED:
        return x_weighted_length(text)
    if rule == BYTES:
        return len(unicodedata.normalize("NFC", text).encode("utf-8"))
    if rule == THREADS:
        return threads_length(text)
    if rule == MASTODON:
        return mastodon_length(text, url_length)
    if rule == GRAPHEMES:
        return graphemes(text)
    raise ValueError(f"Unknown text counting rule: {rule!r}")


def graphemes(text: str) -> int:
    """Return how many extended grapheme clusters `text` has after NFC."""
    # Imported on first use, as twitter-text below: most processes never count these.
    import regex

    return len(regex.findall(r"\X", unicodedata.normalize("NFC", text)))


# --- X (twitter-text v3) ---------------------------------------------------------
# Code points in these ranges weigh 1, everything else 2; every URL counts 23 and
# every emoji 2, however many code points it is made of (docs.x.com
# "counting-characters"; twitter-text config/v3.json). The PyPI port
# twitter-text-parser 3.0.0 gets URLs right but its emoji data is Unicode 12
# (2019): it counts newer ZWJ sequences such as ❤️‍🔥 as 5 and 🧑‍🧑‍🧒 as 8, so
# only its URL extractor is used here.
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
X_URL_LENGTH = 23

ZWJ = 0x200D
KEYCAP = 0x20E3
REGIONAL_INDICATORS = ((0x1F1E6, 0x1F1FF),)
# What may follow an emoji and stays part of it: variation selectors, skin-tone
# modifiers, the keycap mark and tag characters (subdivision flags). All range
# tables here are sorted, for bisect.
EMOJI_EXTENDERS = ((KEYCAP, KEYCAP), (0xFE0E, 0xFE0F), (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F))
# Where emoji start: Unicode's Extended_Pictographic property (emoji-data.txt),
# merged into blocks. The blocks hold a few non-emoji symbols too; above U+2000
# they weigh 2 either way, so only a symbol joined to an emoji by ZWJ or a
# variation selector could be counted differently, and then by less than it weighs.
# Code points the property reserves for future emoji are included.
EMOJI_STARTS = (
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x21AA),
    (0x231A, 0x23FF),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3299),
    (0x1F000, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)


def _in(ranges: tuple[tuple[int, int], ...], code: int) -> bool:
    index = bisect_right(ranges, (code, 0x10FFFF)) - 1
    return index >= 0 and ranges[index][0] <= code <= ranges[index][1]


def _weight(code: int) -> int:
    return 1 if _in(X_LIGHT_RANGES, code) else 2


def _emoji_end(text: str, start: int) -> int:
    """Return where the emoji starting at `start` ends, or `start` if none starts there."""
    code = ord(text[start])
    end = len(text)
    if _in(REGIONAL_INDICATORS, code):
        # A flag is a pair of regional indicators.
        if start + 1 < end and _in(REGIONAL_INDICATORS, ord(text[start + 1])):
            return start + 2
        return start + 1
    if text[start] in "0123456789#*":
        # Keycaps: "1", optional U+FE0F, then U+20E3.
        rest = text[start + 1 : start + 3]
        if rest[:1] == "\u20e3":
            return start + 2
        if rest == "\ufe0f\u20e3":
            return start + 3
        return start
    if not _in(EMOJI_STARTS, code):
        return start
    index = start + 1
    while index < end:
        if _in(EMOJI_EXTENDERS, ord(text[index])):
            index += 1
        elif (
            ord(text[index]) == ZWJ and index + 1 < end and _in(EMOJI_STARTS, ord(text[index + 1]))
        ):
            index += 2
        else:
            break
    return index


def x_weighted_length(text: str) -> int:
    """Return the length X gives `text`, counted as twitter-text v3 does."""
    # twitter-text normalises to NFC and counts a CRLF line break once.
    normal = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    urls = dict(url_spans(normal))
    length = 0
    index = 0
    while index < len(normal):
        if index in urls:
            length += X_URL_LENGTH
            index = urls[index]
            continue
        emoji_end = _emoji_end(normal, index)
        if emoji_end > index:
            length += 2
            index = emoji_end
            continue
        length += _weight(ord(normal[index]))
        index += 1
    return length


def threads_length(text: str) -> int:
    """Return the length Threads gives `text`: one per character after NFC, and
    for each emoji (a whole sequence: skin tone, ZWJ family, flag, keycap) its
    UTF-8 byte length (platforms.md §4).

    Emoji are found as for X (`_emoji_end`), which also takes symbols such as
    © and ™ for emoji: they then count 2 or 3 instead of 1. Counting high is
    the safe side, since Threads refuses text over the limit.
    """
    normal = unicodedata.normalize("NFC", text)
    length = 0
    index = 0
    while index < len(normal):
        end = _emoji_end(normal, index)
        if end > index:
            length += len(normal[index:end].encode("utf-8"))
            index = end
        else:
            length += 1
            index += 1
    return length


def url_spans(text: str) -> list[tuple[int, int]]:
    """Return where the URLs in `text` start and end, as twitter-text finds them."""
    # Imported on first use: importing twitter-text-parser compiles its large
    # regular expressions, about a second, which every other process can skip.
    from twitter_text import extract_urls_with_indices

    return [(e["indices"][0], e["indices"][1]) for e in extract_urls_with_indices(text)]


def without_urls(text: str) -> str:
    """Return `text` with its URLs removed."""
    pieces = []
    position = 0
    for start, end in url_spans(text):
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


# --- Mastodon ----------------------------------------------------------------------
# Account::MENTION_RE: "@user" or "@user@domain", not inside a word or a URL path.
MASTODON_MENTION = r"(?<![=/\w])@(\w+(?:[\w.-]+\w)?)(@[\w.-]+\w)?"


def mastodon_length(text: str, url_length: int = 23) -> int:
    """Return the length Mastodon gives `text` (StatusLengthValidator#countable_text).

    URLs are found only with their scheme (extract_url_without_protocol: false),
    and a URL wins over a mention inside it.
    """
    import regex  # imported on first use, like twitter-text below
    from twitter_text import extract_urls_with_indices

    urls = [
        (e["indices"][0], e["indices"][1])
        for e in extract_urls_with_indices(text, extract_urls_without_protocol=False)
    ]
    pieces, position, length = [], 0, 0
    for start, end in urls:
        pieces.append(text[position:start])
        length += url_length
        position = end
    pieces.append(text[position:])
    # A control character joins no grapheme or mention across a removed URL.
    rest = "\x00".join(pieces)
    rest = regex.sub(MASTODON_MENTION, lambda m: "@" + m.group(1), rest)
    return length + graphemes(rest) - (len(pieces) - 1)
