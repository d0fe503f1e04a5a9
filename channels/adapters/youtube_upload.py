"""YouTube's resumable upload, resumed across attempts instead of started twice.

platforms.md §6: step 1 (POST ...?uploadType=resumable with the video resource)
answers with a session URL in `Location` and creates nothing; the bytes then go
to that URL in chunks, each answered 308 with the `Range` received so far, and
the last one 200/201 with the video. A retried step 1 would make a second
video, so the session URL is recorded in Progress as soon as step 1 returns it;
the next attempt, or the reconciler, asks the session how far it got
(`PUT` with `Content-Range: bytes */total`) and sends only the rest.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import IO, Any

from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from channels.adapters.base import (
    AdapterError,
    Content,
    MediaItem,
    Permanent,
    Progress,
    Transient,
    Unknown,
)
from channels.adapters.youtube_api import Calls
from channels.adapters.youtube_checks import video_body
from channels.adapters.youtube_errors import Lost, Step, lost_error
from channels.words import words

# Resumable chunks must be multiples of 256 KiB, except the last (Google's
# resumable upload guide); 8 MiB keeps requests few without holding much in memory.
CHUNK_BYTES = 8 * 1024 * 1024
GONE = frozenset({404, 410})  # the session expired or never existed: no video came of it
MAX_STALLS = 2  # 308 answers in a row that took none of the chunk


@dataclass(frozen=True)
class Probe:
    """What an upload session says: done (with the video), how many bytes it has, or gone."""

    video: dict[str, Any] | None = None
    received: int = 0
    gone: bool = False


def probe(calls: Calls, url: str, total: int) -> Probe:
    """Ask the session how much it has: an empty PUT with `bytes */total` (§6, step 3)."""
    headers = {"Content-Range": f"bytes */{total}", "Content-Length": "0"}
    try:
        answer, content = calls.http.request(url, "PUT", body=b"", headers=headers)
    except Lost as lost:
        raise lost_error(lost, Step.READ) from None
    if answer.status in (200, 201):
        video = _json(content)
        if not video or not video.get("id"):
            raise Unknown(
                words("YouTube says the upload is complete but sent back no video id."),
                status=answer.status,
                code="no-id",
            )
        return Probe(video=video)
    if answer.status == 308:
        return Probe(received=received(answer))
    if answer.status in GONE:
        return Probe(gone=True)
    raise calls.error(answer.status, content, answer, "videos.insert", Step.READ)


def received(answer: Any) -> int:
    """Bytes a session holds, from a 308's `Range: bytes=0-N` (none: nothing yet)."""
    value = str(answer.get("range") or "")
    try:
        return int(value.rsplit("-", 1)[1]) + 1 if value else 0
    except (IndexError, ValueError):
        return 0


def upload(
    calls: Calls,
    content: Content,
    item: MediaItem,
    progress: Progress,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    resume: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """Upload `item` as `content`'s video and return the video resource.

    With `resume` (a session URL and the bytes it holds) the bytes go to that
    session; otherwise step 1 opens a new one, charged as videos.insert.
    """
    try:
        with open(item.path, "rb") as stream:
            return _send(calls, content, item, progress, stream, chunk_bytes, resume)
    except OSError:
        name = os.path.basename(item.path)
        raise Permanent(
            words("The video file %(name)s could not be read.", name=name), code="file"
        ) from None


def _send(
    calls: Calls,
    content: Content,
    item: MediaItem,
    progress: Progress,
    stream: IO[bytes],
    chunk_bytes: int,
    resume: tuple[str, int] | None,
) -> dict[str, Any]:
    total = os.fstat(stream.fileno()).st_size
    media = MediaIoBaseUpload(
        stream, mimetype=item.mime_type, chunksize=chunk_bytes, resumable=True
    )
    request = calls.client.videos().insert(
        part="snippet,status", body=video_body(content), media_body=media
    )
    if resume is not None:
        request.resumable_uri, request.resumable_progress = resume
    else:
        calls.quota.charge("videos.insert", calls.channel)
        progress.record("upload_bytes", total)
    stalls = 0
    while True:
        start = request.resumable_progress
        try:
            _, video = request.next_chunk(num_retries=0)
        except (HttpError, Lost) as error:
            raise _chunk_error(calls, request, error, start, chunk_bytes, total, progress) from None
        if request.resumable_uri and request.resumable_uri != progress.get("upload_url"):
            progress.record("upload_url", request.resumable_uri)  # a 308 may move the session
        if video is not None:
            if not isinstance(video, dict) or not video.get("id"):
                raise Unknown(
                    words("YouTube finished the upload but sent back no video id."), code="no-id"
                )
            return video
        stalls = stalls + 1 if request.resumable_progress <= start else 0
        if stalls > MAX_STALLS:
            raise Transient(
                words(
                    "YouTube took none of the last parts of the video; SMO resumes the "
                    "same upload later."
                ),
                code="stalled",
            )


def _chunk_error(
    calls: Calls,
    request: Any,
    error: HttpError | Lost,
    start: int,
    chunk_bytes: int,
    total: int,
    progress: Progress,
) -> AdapterError:
    """Map a failure of step 1 or of one chunk, by which of them failed."""
    if request.resumable_uri is None:
        step = Step.START  # no session yet: this was step 1
    elif start + chunk_bytes >= total:
        step = Step.FINAL
    else:
        step = Step.CHUNK
    if step is not Step.START and isinstance(error, HttpError) and error.resp.status in GONE:
        progress.record("upload_url", None)
        return Transient(
            words("YouTube's upload session expired; SMO starts the upload again."),
            status=error.resp.status,
            code="session-gone",
        )
    return calls.fail(error, "videos.insert", step)


def _json(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content or b"")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
