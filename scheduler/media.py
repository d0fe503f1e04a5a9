"""Accepting uploaded media: check what a file really is before storing it."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from scheduler import video_probe
from scheduler.models import MediaAsset, Membership

logger = logging.getLogger(__name__)

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# ISO base media files (MP4, QuickTime) carry "ftyp" at byte 4; the brand says which.
VIDEO_BRANDS = {b"qt  ": "video/quicktime"}
# The video types sniff() can return, with the extension a stored file gets.
VIDEO_TYPES = {"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm"}
# WebM is Matroska (an EBML header) whose DocType, near the start, says "webm".
EBML_MAGIC = b"\x1a\x45\xdf\xa3"


class MediaRejected(ValueError):
    pass


@dataclass(frozen=True)
class Inspected:
    """What an upload is, read from its bytes; duration and container for videos."""

    kind: str
    mime_type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    container: str = ""


def sniff(upload: UploadedFile) -> tuple[str, str, int | None, int | None]:
    """Return (kind, mime type, width, height) of an upload, or raise MediaRejected."""
    if upload.size and upload.size > settings.SMO_MAX_UPLOAD_BYTES:
        limit = settings.SMO_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise MediaRejected(_("The file is larger than %(mb)s MB.") % {"mb": limit})
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if head[4:8] == b"ftyp":
        return "video", VIDEO_BRANDS.get(head[8:12], "video/mp4"), None, None
    if head.startswith(EBML_MAGIC) and b"webm" in head:
        return "video", "video/webm", None, None
    try:
        with Image.open(upload) as image:
            fmt, size = image.format, image.size
            image.verify()  # reads the whole file: catches truncated images
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise MediaRejected(
            _("This is not an image or video SMO can use (JPEG, PNG, GIF, WebP, MP4, MOV or WebM).")
        ) from exc
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise MediaRejected(
            _("%(fmt)s images are not supported; use JPEG, PNG, GIF or WebP.") % {"fmt": fmt}
        )
    return "image", IMAGE_FORMATS[fmt], size[0], size[1]


def inspect(upload: UploadedFile) -> Inspected:
    """Return what an upload is, or raise MediaRejected: a video must be one ffprobe
    can read (where ffprobe is installed; elsewhere its length stays unknown)."""
    kind, mime, width, height = sniff(upload)
    if kind != "video":
        return Inspected(kind, mime, width, height)
    try:
        info = _probe(upload)
    except video_probe.NotAVideo as exc:
        logger.info("Refused upload %r: ffprobe: %s", upload.name, exc)
        raise MediaRejected(
            _(
                "This video cannot be read: it may be damaged or cut short. Export it again and upload it."
            )
        ) from exc
    if info is None:
        return Inspected(kind, mime)
    return Inspected(kind, mime, info.width, info.height, info.duration, info.container[:100])


def _probe(upload: UploadedFile) -> video_probe.VideoInfo | None:
    """Probe the upload where it lies: Django keeps large uploads in a temporary
    file, small ones in memory (FILE_UPLOAD_MAX_MEMORY_SIZE), which go to disk here."""
    if hasattr(upload, "temporary_file_path"):
        return video_probe.probe(upload.temporary_file_path())
    with tempfile.NamedTemporaryFile(prefix="smo-probe-") as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        return video_probe.probe(copy.name)


def store_upload(membership: Membership, upload: UploadedFile, alt_text: str = "") -> MediaAsset:
    from scheduler.media_serving import safe_filename

    found = inspect(upload)
    original_name = (upload.name or "upload")[:255]
    # Stored under the extension of what the bytes are, so whatever serves
    # MEDIA_URL by extension (a web server, Django in DEBUG) sends that type.
    upload.name = safe_filename(original_name, found.mime_type)
    return MediaAsset.objects.create(
        workspace=membership.workspace,
        file=upload,
        original_name=original_name,
        kind=found.kind,
        mime_type=found.mime_type,
        size=upload.size or 0,
        width=found.width,
        height=found.height,
        duration=found.duration,
        container=found.container,
        alt_text=alt_text,
        uploaded_by=membership.user,
    )
