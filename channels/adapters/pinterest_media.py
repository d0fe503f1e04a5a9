"""What a Pin shows: images from local files, and videos uploaded to Pinterest (§8).

Images travel inside the Pin itself as base64 (`image_base64`, or
`multiple_image_base64` for a carousel), so SMO needs no public URL. A video
takes three steps before the Pin: register it (POST /v5/media), POST the file
to the upload URL Pinterest names with every upload parameter, then wait until
GET /v5/media/{id} says `succeeded`. Each step is recorded in Progress as soon
as it is done, so a retry never uploads the file twice.
"""

from __future__ import annotations

import base64
import io
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any

import requests

from channels.adapters.base import MediaItem, Permanent, Progress, Transient
from channels.adapters.pinterest_http import PinterestAPI
from channels.adapters.session import nothing_sent
from channels.words import whole, words

# The only types `image_base64` takes (ContentType in pinterest-v5.openapi.json).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
WHAT = words("the video upload")
# The upload host is S3: its errors are XML (<Error><Code>..</Code><Message>..</Message>).
S3_FIELD = re.compile(r"<(Code|Message)>([^<]*)</\1>")


class Budget:
    """The seconds one publish attempt may spend waiting for Pinterest to process a video."""

    def __init__(self, seconds: float, step: float, sleep: Callable[[float], None]) -> None:
        self.left, self.step, self.sleep, self.waited = seconds, step, sleep, 0.0

    def wait(self) -> bool:
        if self.left <= 0:
            return False
        pause = min(self.step, self.left)
        self.sleep(pause)
        self.left -= pause
        self.waited += pause
        return True


# --- Images ----------------------------------------------------------------------------


def image_source(images: Sequence[MediaItem], link: str = "") -> dict[str, Any]:
    """Return the `media_source` of an image Pin, or of a carousel of 2 to 5 images."""
    if len(images) == 1:
        item = images[0]
        data = _read_base64(item)
        if data is not None:
            return {"source_type": "image_base64", "content_type": item.mime_type, "data": data}
        return {"source_type": "image_url", "url": _url_or_refuse(item)}
    encoded = [_read_base64(item) for item in images]
    if all(data is not None for data in encoded):
        items = [
            {"content_type": item.mime_type, "data": data, **({"link": link} if link else {})}
            for item, data in zip(images, encoded, strict=True)
        ]
        return {"source_type": "multiple_image_base64", "items": items, "index": 0}
    urls = [{"url": _url_or_refuse(item), **({"link": link} if link else {})} for item in images]
    return {"source_type": "multiple_image_urls", "items": urls, "index": 0}


def video_source(media_id: str, cover: MediaItem | None) -> dict[str, Any]:
    """Return the `media_source` of a video Pin. The post's image, if it has one,
    is the cover; otherwise Pinterest takes the first frame."""
    source: dict[str, Any] = {"source_type": "video_id", "media_id": media_id}
    if cover is None:
        source["cover_image_key_frame_time"] = 0
        return source
    data = _read_base64(cover)
    if data is not None:
        source.update(cover_image_content_type=cover.mime_type, cover_image_data=data)
    else:
        source["cover_image_url"] = _url_or_refuse(cover)
    return source


def _read_base64(item: MediaItem) -> str | None:
    try:
        with open(item.path, "rb") as file:
            return base64.b64encode(file.read()).decode("ascii")
    except OSError:
        return None


def _url_or_refuse(item: MediaItem) -> str:
    if item.url:
        return item.url
    raise Permanent(
        words("The media file %(name)s could not be read.", name=os.path.basename(item.path)),
        code="unreadable",
    )


# --- Video -------------------------------------------------------------------------------


def ready_video(
    api: PinterestAPI,
    session: requests.Session,
    item: MediaItem,
    progress: Progress,
    budget: Budget,
) -> str:
    """Return the id of the video, uploaded and processed, resuming from `progress`."""
    media_id = progress.get("media_id")
    if media_id and progress.get("uploaded") != media_id:
        # An earlier attempt registered it and was cut off around the upload:
        # Pinterest's status says whether the file arrived.
        if _status(api, str(media_id)) == "registered":
            media_id = None
        else:
            progress.record("uploaded", media_id)
    if not media_id:
        media_id = _register_and_upload(api, session, item, progress)
    _wait(api, str(media_id), budget)
    return str(media_id)


def _register_and_upload(
    api: PinterestAPI, session: requests.Session, item: MediaItem, progress: Progress
) -> str:
    if not os.path.isfile(item.path):
        raise Permanent(
            words("The media file %(name)s could not be read.", name=os.path.basename(item.path)),
            code="unreadable",
        )
    # Registering makes nothing anyone sees: a lost answer leaves an unused id.
    answer = api.post("/media", WHAT, {"media_type": "video"}, creating=False)
    media_id, upload_url = answer.get("media_id"), answer.get("upload_url")
    if not media_id or not upload_url:
        raise Transient(words("Pinterest registered the video without an upload address."))
    media_id = str(media_id)
    progress.record("media_id", media_id)
    upload(session, str(upload_url), answer.get("upload_parameters") or {}, item)
    progress.record("uploaded", media_id)
    return media_id


def upload(
    session: requests.Session, url: str, parameters: Mapping[str, Any], item: MediaItem
) -> None:
    """POST the file to Pinterest's upload host (S3) with every upload parameter.

    The parameters carry a signed policy: they are neither logged nor stored.
    No Authorization header goes with them (S3 allows one way to authenticate).
    """
    try:
        body = MultipartFile({k: str(v) for k, v in parameters.items()}, item)
    except OSError:
        name = os.path.basename(item.path)
        raise Permanent(words("The media file %(name)s could not be read.", name=name)) from None
    try:
        with body:
            response = session.post(url, data=body, headers={"Content-Type": body.content_type})
    except requests.RequestException as error:
        name = type(error).__name__
        sent = not nothing_sent(error)
        raise Transient(
            words(
                "The video upload to Pinterest was cut off (%(error)s); nothing was pinned.",
                error=name,
            )
            if sent
            else words("Could not reach Pinterest's upload host (%(error)s).", error=name),
            code=name,
        ) from None
    if response.ok:
        return
    found = dict(S3_FIELD.findall(response.text or ""))
    code, message = found.get("Code", ""), found.get("Message", "") or response.reason
    if response.status_code >= 500 or response.status_code == 403:
        # 403 is an expired or refused policy: the next attempt registers afresh.
        raise Transient(
            words(
                "Pinterest's upload host refused the video for now (%(status)s %(code)s); "
                "SMO uploads it again.",
                status=response.status_code,
                code=code or message,
            ),
            status=response.status_code,
            code=code,
        )
    raise Permanent(
        words("Pinterest's upload host refused the video: %(reason)s", reason=message),
        status=response.status_code,
        code=code,
    )


def _status(api: PinterestAPI, media_id: str) -> str:
    return str(api.get(f"/media/{media_id}", WHAT).get("status") or "")


def _wait(api: PinterestAPI, media_id: str, budget: Budget) -> None:
    """Poll until Pinterest has processed the video, within the attempt's budget.

    Still processing at the bound is Transient: Progress keeps the media id,
    so the next attempt polls the same upload instead of sending it again.
    """
    while True:
        status = _status(api, media_id)
        if status == "succeeded":
            return
        if status == "failed":
            raise Permanent(
                words("Pinterest could not process the video; check its format, length and size."),
                code="media-failed",
            )
        if status not in ("registered", "processing"):
            raise Transient(
                words("Pinterest reported an unknown video status (%(status)s).", status=status),
                code="media-status",
            )
        if not budget.wait():
            raise Transient(
                words(
                    "Pinterest is still processing the video after %(seconds)s seconds; "
                    "SMO checks the same upload again later.",
                    seconds=whole(budget.waited),
                ),
                code="processing",
            )


class MultipartFile:
    """A multipart/form-data body read from disk while it is sent.

    Its length is known before sending, because S3's form POST takes no chunked
    body, and a video of up to 2 GB never has to sit in memory. (No `tell`:
    requests would take the length for a position and send it chunked.)
    """

    def __init__(self, fields: Mapping[str, str], item: MediaItem) -> None:
        boundary = secrets.token_hex(16)
        self.content_type = f"multipart/form-data; boundary={boundary}"
        head = b"".join(_field(boundary, name, value) for name, value in fields.items())
        filename = os.path.basename(item.path).replace('"', "")
        # The file goes last: S3 ignores fields that follow it.
        head += (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {item.mime_type}\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        self._file: IO[bytes] = open(item.path, "rb")  # closed by __exit__
        size = os.fstat(self._file.fileno()).st_size
        self._parts: list[IO[bytes]] = [io.BytesIO(head), self._file, io.BytesIO(tail)]
        self.length = len(head) + size + len(tail)

    def __len__(self) -> int:
        return self.length

    def __enter__(self) -> MultipartFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def read(self, size: int | None = -1) -> bytes:
        chunks, wanted = [], -1 if size is None else size
        while self._parts and wanted != 0:
            chunk = self._parts[0].read(wanted)
            if not chunk:
                self._parts.pop(0)
                continue
            chunks.append(chunk)
            if wanted > 0:
                wanted -= len(chunk)
        return b"".join(chunks)

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(64 * 1024):
            yield chunk


def _field(boundary: str, name: str, value: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()
