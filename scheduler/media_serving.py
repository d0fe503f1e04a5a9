"""Serve uploaded files so a browser can only ever treat them as media.

An upload's type is what scheduler/media.py read from its bytes, never its name.
On top of that, every response with a user's file says so firmly: the checked
Content-Type, nosniff (no guessing HTML from the bytes), and a CSP sandbox, so
even a file a browser did render as a page could run no script, and could not
act as SMO's origin.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.text import get_valid_filename
from django.views import static

from scheduler.media import IMAGE_FORMATS, VIDEO_TYPES

# The only types SMO stores (media.py); anything else is served as bytes to save.
EXTENSIONS = {
    **{mime: "." + fmt.lower().replace("jpeg", "jpg") for fmt, mime in IMAGE_FORMATS.items()},
    **VIDEO_TYPES,
}
SANDBOX = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"


def safe_filename(name: str, mime_type: str) -> str:
    """Return `name` with the extension of its checked type ("a.html" → "a.jpg")."""
    stem = get_valid_filename(PurePosixPath(name or "upload").stem) or "upload"
    return stem[:100] + EXTENSIONS.get(mime_type, ".bin")


def harden(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    return response


def serve_asset(asset: Any, handle: Any, *, as_attachment: bool = False) -> FileResponse:
    """Answer with one stored MediaAsset, typed by its checked MIME type."""
    known = asset.mime_type in EXTENSIONS
    response = FileResponse(
        handle,
        content_type=asset.mime_type if known else "application/octet-stream",
        # Anything not a known image or video is never shown inline.
        as_attachment=as_attachment or not known,
        filename=safe_filename(asset.original_name, asset.mime_type),
    )
    return harden(response)


def serve_media_file(request: HttpRequest, path: str, document_root: str) -> HttpResponse:
    """Django's static serve for MEDIA_URL (DEBUG only), with the same headers."""
    return harden(static.serve(request, path, document_root=document_root))
