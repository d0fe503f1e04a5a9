"""Deliveries that become reminders: a Snapchat profile, a photo, a post due to it."""

from __future__ import annotations

import io
from datetime import datetime

from django.core.files.base import ContentFile
from PIL import Image

from channels.models import SocialAccount
from scheduler.models import Delivery, MediaAsset, Membership, PostMedia
from tests.factories import DeliveryFactory, PostFactory

S = Delivery.State


def snapchat(membership: Membership, name: str = "Acme on Snapchat") -> SocialAccount:
    """A profile added by hand, as the accounts page does it (channels/manual.py)."""
    return SocialAccount.objects.create(
        workspace=membership.workspace,
        network="snapchat",
        external_id="acmebakery",
        name=name,
        handle="acmebakery",
        publishing=SocialAccount.Publishing.REMINDER,
        connected_by=membership.user,
    )


def jpeg_bytes(color: str = "orange") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (108, 192), color).save(out, "JPEG")
    return out.getvalue()


def photo(membership: Membership, name: str = "buns.jpg") -> MediaAsset:
    """A stored JPEG of the workspace (settings.MEDIA_ROOT must point somewhere writable)."""
    data = jpeg_bytes()
    asset = MediaAsset(
        workspace=membership.workspace,
        original_name=name,
        kind="image",
        mime_type="image/jpeg",
        size=len(data),
        width=108,
        height=192,
        alt_text="A tray of buns",
        uploaded_by=membership.user,
    )
    asset.file.save(name, ContentFile(data))
    return asset


def due_to(
    account: SocialAccount,
    author: Membership,
    when: datetime,
    text: str = "Fresh buns at 7",
    state: str = S.QUEUED,
    media: tuple[MediaAsset, ...] = (),
    **post_fields: object,
) -> Delivery:
    post = PostFactory(
        workspace=account.workspace,
        author=author.user,
        text=text,
        scheduled_at=when,
        **post_fields,
    )
    for position, asset in enumerate(media):
        PostMedia.objects.create(post=post, asset=asset, position=position)
    return DeliveryFactory(post=post, account=account, state=state, queued_at=when)
