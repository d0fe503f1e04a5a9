"""Sending a video file to TikTok's upload URL in chunks (FILE_UPLOAD).

The chunk rules (platforms.md §7; developers.tiktok.com/doc/
content-posting-api-media-transfer-guide, "Chunk restrictions"):
- total_chunk_count = floor(video_size / chunk_size);
- each chunk is 5 to 64 MB, except the last, which takes the trailing bytes and
  may be up to 128 MB;
- a video under 5 MB goes whole (chunk_size = video_size); one over 64 MB must
  be chunked; 1 to 1000 chunks, sent in order;
- `PUT <upload_url>` with Content-Type, Content-Length and
  `Content-Range: bytes {first}-{last}/{total}`: 206 per chunk, 201 at the end.

The documentation does not say whether its MB are 10^6 or 2^20 bytes, so the
defaults meet both readings: chunks of at least 5 MiB (more than 5,000,000
bytes) and at most 64,000,000 bytes (less than 64 MiB).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from channels.adapters.base import AdapterError, Permanent, Transient
from channels.adapters.tiktok_api import body_of, nothing_sent
from channels.words import words

MB = 1000 * 1000
MIB = 1024 * 1024


@dataclass(frozen=True)
class ChunkRules:
    """TikTok's limits, kept in config so tests can use tiny files."""

    min_chunk: int = 5 * MIB
    max_chunk: int = 64 * MB
    max_last_chunk: int = 128 * MB
    max_chunks: int = 1000
    # What SMO sends per PUT when it may choose: small enough that a lost
    # connection costs little, large enough for few requests.
    chunk_bytes: int = 10 * MIB

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ChunkRules:
        defaults = cls()
        return cls(
            min_chunk=int(config.get("min_chunk_bytes") or defaults.min_chunk),
            max_chunk=int(config.get("max_chunk_bytes") or defaults.max_chunk),
            max_last_chunk=int(config.get("max_last_chunk_bytes") or defaults.max_last_chunk),
            max_chunks=int(config.get("max_chunks") or defaults.max_chunks),
            chunk_bytes=int(config.get("chunk_bytes") or defaults.chunk_bytes),
        )

    @property
    def largest_video(self) -> int:
        """The biggest file the rules allow: the most chunks of the biggest size, the
        last one as big as it may be while floor(size / chunk) still counts it once."""
        return (self.max_chunks - 1) * self.max_chunk + min(
            self.max_last_chunk, 2 * self.max_chunk - 1
        )


@dataclass(frozen=True)
class ChunkPlan:
    video_size: int
    chunk_size: int
    total_chunk_count: int

    def source_info(self) -> dict[str, Any]:
        return {
            "source": "FILE_UPLOAD",
            "video_size": self.video_size,
            "chunk_size": self.chunk_size,
            "total_chunk_count": self.total_chunk_count,
        }

    def ranges(self) -> Iterator[tuple[int, int]]:
        """Yield (first byte, last byte) of each chunk; the last takes the rest."""
        for index in range(self.total_chunk_count):
            first = index * self.chunk_size
            last = (
                self.video_size - 1
                if index == self.total_chunk_count - 1
                else first + self.chunk_size - 1
            )
            yield first, last


class TooBig(ValueError):
    pass


def plan_chunks(size: int, rules: ChunkRules) -> ChunkPlan:
    """Split `size` bytes the way TikTok's chunk rules allow."""
    if size <= 0:
        raise ValueError("an empty file cannot be uploaded")
    if size > rules.largest_video:
        raise TooBig(size)
    chunk = min(max(rules.chunk_bytes, rules.min_chunk), rules.max_chunk)
    if size > rules.max_chunk:
        # A video over the chunk maximum needs two chunks at least; with
        # floor(size / chunk) as the count, the chunk may be at most half of it.
        chunk = min(chunk, size // 2)
    # At most max_chunks chunks: floor(size / chunk) <= max_chunks needs a chunk
    # bigger than size / (max_chunks + 1).
    chunk = max(chunk, size // (rules.max_chunks + 1) + 1)
    count = size // chunk
    if count <= 1:
        if size > rules.max_chunk:
            raise TooBig(size)
        # Within one chunk's maximum: whole, as TikTok requires under 5 MB.
        return ChunkPlan(size, size, 1)
    last = size - (count - 1) * chunk
    if chunk > rules.max_chunk or last > rules.max_last_chunk:
        raise TooBig(size)
    return ChunkPlan(size, chunk, count)


def upload(
    session: requests.Session,
    upload_url: str,
    path: str,
    plan: ChunkPlan,
    mime_type: str,
    before_last: Callable[[], None] = lambda: None,
) -> bool:
    """PUT the file's chunks in order. Return True when TikTok confirmed the last one
    (201), False when its answer was lost: TikTok may then have the whole file,
    which only the publish status can tell.

    Raise Transient when an earlier chunk fails (TikTok lacks part of the file,
    so nothing can be posted), Permanent when TikTok refuses a chunk.
    `before_last` runs just before the last chunk goes out: from then on TikTok
    may have the whole file.
    """
    ranges = list(plan.ranges())
    with Path(path).open("rb") as file:
        for number, (first, last) in enumerate(ranges, start=1):
            file.seek(first)
            chunk = file.read(last - first + 1)
            final = number == len(ranges)
            if final:
                before_last()
            headers = {
                "Content-Type": mime_type,
                "Content-Range": f"bytes {first}-{last}/{plan.video_size}",
            }
            try:
                response = session.put(upload_url, data=chunk, headers=headers)
            except requests.RequestException as exc:
                if final and not nothing_sent(exc):
                    return False
                raise _interrupted(number, len(ranges), type(exc).__name__) from None
            if response.status_code == 201:
                return True
            if response.status_code == 206 and not final:
                continue
            raise _refused(response, number, len(ranges))
    return False  # not reached: the last chunk returns or raises


def _interrupted(number: int, count: int, error: str) -> AdapterError:
    return Transient(
        words(
            "The upload to TikTok broke off at part %(number)s of %(count)s (%(error)s); "
            "nothing was posted, SMO uploads again.",
            number=number,
            count=count,
            error=error,
        ),
        code=error,
    )


def _refused(response: requests.Response, number: int, count: int) -> AdapterError:
    status = response.status_code
    body = body_of(response)
    error = body.get("error") if isinstance(body, dict) else None
    reason = str(error.get("message") or error.get("code")) if isinstance(error, dict) else ""
    if status >= 500 or status == 429:
        return Transient(
            words(
                "TikTok's upload server failed on part %(number)s of %(count)s (HTTP "
                "%(status)s); nothing was posted, SMO uploads again.",
                number=number,
                count=count,
                status=status,
            ),
            status=status,
        )
    return Permanent(
        words(
            "TikTok refused part %(number)s of %(count)s of the video (HTTP %(status)s: "
            "%(reason)s).",
            number=number,
            count=count,
            status=status,
            reason=reason or response.reason,
        ),
        status=status,
        code=str(error.get("code") or "") if isinstance(error, dict) else "",
    )
