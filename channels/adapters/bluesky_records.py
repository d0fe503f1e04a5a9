"""Record keys and records of Bluesky posts (platforms.md §11).

Each post's record key (rkey) is chosen by SMO, not the PDS: a TID (13
characters of base32-sortable, 53 bits of microseconds since 1970 and 10 bits
of "clock id") whose lowest 20 bits come from the delivery's idempotency key
and the part's place in the thread: the clock id and the time's last 10 bits
(about a millisecond). The rest is the current time, so the key sorts where a
post made now belongs, and the parts of a thread, a network call apart, sort
in order. The rkey is recorded in Progress before the create is sent, so a
retry sends the same one and collides instead of posting twice; and since 20
bits of it name the delivery, a post whose rkey was never recorded can still
be told apart among the account's recent posts (with its text).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

COLLECTION = "app.bsky.feed.post"
ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
KEY_BITS = 20
KEY_MASK = (1 << KEY_BITS) - 1


def key_bits(key: str, part: int) -> int:
    """The 20 bits that name part `part` of the delivery with idempotency key `key`."""
    digest = hashlib.sha256(f"smo-bluesky:{key}:{part}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & KEY_MASK


def mint_rkey(key: str, part: int, now: datetime) -> str:
    """A TID for this part: the time now, its low bits replaced by key_bits."""
    micros = int(now.timestamp() * 1_000_000)
    value = ((micros << 10) & ~KEY_MASK) | key_bits(key, part)
    return encode_tid(value & ((1 << 63) - 1))  # the top bit of a TID is always 0


def is_ours(rkey: str, key: str, part: int) -> bool:
    """Say whether `rkey` is one mint_rkey made for this part of this delivery."""
    return bool(TID.match(rkey)) and decode_tid(rkey) & KEY_MASK == key_bits(key, part)


def encode_tid(value: int) -> str:
    chars = []
    for _ in range(13):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode_tid(tid: str) -> int:
    value = 0
    for char in tid:
        value = (value << 5) | ALPHABET.index(char)
    return value


def rkey_of(uri: str) -> str:
    """The record key, the last part of an at:// URI."""
    return uri.rsplit("/", 1)[-1]


def post_url(handle_or_did: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{handle_or_did}/post/{rkey}"


def post_record(
    text: str,
    created_at: datetime,
    *,
    facets: list[dict[str, Any]] | None = None,
    embed: dict[str, Any] | None = None,
    reply: dict[str, Any] | None = None,
    langs: list[str] | None = None,
) -> dict[str, Any]:
    """An app.bsky.feed.post record (lexicon: text, createdAt, facets, embed, reply, langs)."""
    record: dict[str, Any] = {
        "$type": COLLECTION,
        "text": text,
        "createdAt": created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    for name, value in (("facets", facets), ("embed", embed), ("reply", reply), ("langs", langs)):
        if value:
            record[name] = value
    return record


def reply_refs(root: dict[str, str], parent: dict[str, str]) -> dict[str, Any]:
    """The `reply` of a thread's later post: strong refs ({uri, cid}) to the first
    post and to the one before it."""
    return {
        "root": {"uri": root["uri"], "cid": root["cid"]},
        "parent": {"uri": parent["uri"], "cid": parent["cid"]},
    }
