"""Accepting uploaded media: check what a file really is before storing it."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from scheduler.models import MediaAsset, Membership

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# ISO base media files (MP4, QuickTime) carry "ftyp" at byte 4; the brand says which.
VIDEO_BRANDS = {b"qt  ": "video/quicktime"}


class MediaRejected(ValueError):
    pass


def sniff(upload: UploadedFile) -> tuple[str, str, int | None, int | None]:
    """Return (kind, mime type, width, height) of an upload, or raise MediaRejected."""
    if upload.size and upload.size > settings.SMO_MAX_UPLOAD_BYTES:
        limit = settings.SMO_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise MediaRejected(_("The file is larger than %(mb)s MB.") % {"mb": limit})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head[4:8] == b"ftyp":
        return "video", VIDEO_BRANDS.get(head[8:12], "video/mp4"), None, None
    try:
        with Image.open(upload) as image:
            fmt, size = image.format, image.size
            image.verify()  # reads the whole file: catches truncated images
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise MediaRejected(
            _("This is not an image or video SMO can use (JPEG, PNG, GIF, WebP or MP4).")
        ) from exc
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise MediaRejected(
            _("%(fmt)s images are not supported; use JPEG, PNG, GIF or WebP.") % {"fmt": fmt}
        )
    return "image", IMAGE_FORMATS[fmt], size[0], size[1]


def store_upload(membership: Membership, upload: UploadedFile, alt_text: str = "") -> MediaAsset:
    kind, mime, width, height = sniff(upload)
    return MediaAsset.objects.create(
        workspace=membership.workspace,
        file=upload,
        original_name=(upload.name or "upload")[:255],
        kind=kind,
        mime_type=mime,
        size=upload.size or 0,
        width=width,
        height=height,
        alt_text=alt_text,
        uploaded_by=membership.user,
    )
