"""Serve an uploaded file to whoever holds a valid signed link (networks, mostly)."""

from __future__ import annotations

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from scheduler import media_links
from scheduler.media_serving import serve_asset
from scheduler.models import MediaAsset


@require_safe
def media_link(request: HttpRequest, token: str) -> FileResponse:
    try:
        asset_id = media_links.unsign(token)
    except signing.BadSignature:
        raise Http404(_("This media link is invalid or has expired.")) from None
    try:
        asset = MediaAsset.objects.get(pk=asset_id)
        handle = asset.file.open("rb")
    except (MediaAsset.DoesNotExist, FileNotFoundError):
        raise Http404(_("This media is gone.")) from None
    response = serve_asset(asset, handle)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Robots-Tag"] = "noindex"
    return response
