"""Images and link cards of Bluesky posts (platforms.md §11).

app.bsky.embed.images takes up to 4 images of at most 1,000,000 bytes each,
with alt text and an aspect ratio. A JPEG, PNG or WebP over that size is made
smaller here, as the official app does: scaled to at most 2,000 pixels on its
long side and saved as JPEG, at lower quality until it fits. A GIF is not
(re-encoding would drop its animation), so validate refuses a large one. A
link card (app.bsky.embed.external) carries the link, a title and a
description from the post's options; SMO does not fetch the page, so the card
has no thumbnail.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from channels.adapters.base import MediaItem, Permanent
from channels.words import words

MAX_IMAGE_BYTES = 1_000_000  # app.bsky.embed.images#image.image maxSize
LONG_SIDE = 2000
QUALITIES = (85, 75, 65, 55, 45)
SHRINKABLE = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_ALT = 10_000  # graphemes; the lexicon has no limit, the app stops at 10,000 (unconfirmed)


def prepared(item: MediaItem) -> tuple[bytes, str, int | None, int | None]:
    """Return the image's bytes, MIME type and size in pixels, made small enough."""
    with open(item.path, "rb") as file:
        data = file.read()
    if len(data) <= MAX_IMAGE_BYTES:
        if item.width and item.height:
            return data, item.mime_type, item.width, item.height
        width, height = _size(data)
        return data, item.mime_type, width, height
    if item.mime_type not in SHRINKABLE:
        raise Permanent(
            words("Bluesky takes images up to 1 MB; this %(type)s is larger.", type=item.mime_type),
            code="too_large",
        )
    return shrink(data)


def shrink(data: bytes) -> tuple[bytes, str, int, int]:
    """Re-encode an image as a JPEG of at most MAX_IMAGE_BYTES."""
    from PIL import Image, ImageOps  # only publishes with large images pay for PIL

    with Image.open(BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        if image.mode in ("RGBA", "LA", "P"):
            # JPEG has no transparency: lay it on white, as a feed shows it.
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            image = flat
        else:
            image = image.convert("RGB")
    image.thumbnail((LONG_SIDE, LONG_SIDE))
    while True:
        for quality in QUALITIES:
            buffer = BytesIO()
            image.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= MAX_IMAGE_BYTES:
                return buffer.getvalue(), "image/jpeg", image.width, image.height
        image = image.resize((max(1, image.width // 2), max(1, image.height // 2)))


def _size(data: bytes) -> tuple[int | None, int | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            return image.width, image.height
    except (UnidentifiedImageError, OSError):
        return None, None


def image_embed(images: list[tuple[dict[str, Any], str, int | None, int | None]]) -> dict[str, Any]:
    """app.bsky.embed.images from (blob, alt text, width, height) of each image."""
    shown = []
    for blob, alt, width, height in images:
        image: dict[str, Any] = {"image": blob, "alt": alt}
        if width and height:
            image["aspectRatio"] = {"width": width, "height": height}
        shown.append(image)
    return {"$type": "app.bsky.embed.images", "images": shown}


def link_card(link: str, title: str = "", description: str = "") -> dict[str, Any]:
    """app.bsky.embed.external for `link`; without a title, the link's host and path."""
    if not title:
        parts = urlsplit(link)
        title = (parts.netloc + parts.path.rstrip("/")) or link
    return {
        "$type": "app.bsky.embed.external",
        "external": {"uri": link, "title": title, "description": description},
    }
