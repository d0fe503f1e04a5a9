"""Turn stored posts and accounts into the plain data adapters take."""

from __future__ import annotations

from dataclasses import replace

from channels.adapters.base import Content, Credentials, MediaItem
from channels.models import SocialAccount
from scheduler import media_links, signatures, utm
from scheduler.models import Delivery, MediaAsset, Post


def media_item(asset: MediaAsset) -> MediaItem:
    return MediaItem(
        path=asset.file.path,
        mime_type=asset.mime_type,
        kind=asset.kind,
        size=asset.size,
        width=asset.width,
        height=asset.height,
        alt_text=asset.alt_text,
        url=media_links.public_url(asset.pk),
        duration=asset.duration,
        container=asset.container,
    )


def post_options(overrides: dict | None, account: SocialAccount) -> dict[str, object]:
    """The network's own settings of a post for one account.

    Stored in `Post.overrides[network]["options"]`; a per-account option
    (a Pinterest board) holds one value per account id, and an account without
    one falls back to the account's own default (`SocialAccount.options`).
    """
    from channels.adapters.registry import adapter_class

    stored = dict(((overrides or {}).get(account.network) or {}).get("options") or {})
    for option in adapter_class(account.network).post_options:
        if not option.per_account:
            continue
        chosen = stored.get(option.name)
        value = chosen.get(str(account.pk)) if isinstance(chosen, dict) else None
        if value in (None, ""):
            value = (account.options or {}).get(option.name)
        if value in (None, ""):
            stored.pop(option.name, None)
        else:
            stored[option.name] = value
    return stored


def post_content(post: Post, assets: list[MediaAsset] | None = None, network: str = "") -> Content:
    """What the post sends to `network`: its own text there, and every link
    tagged with the campaign's UTM defaults."""
    if assets is None:
        assets = [a.asset for a in post.attachments.select_related("asset")]
    tags = post.campaign.utm if post.campaign_id else None  # type: ignore[union-attr]
    return Content(
        text=utm.tag_text(post.text_for(network) if network else post.text, tags),
        media=tuple(media_item(a) for a in assets),
        link=utm.tag(post.link, tags),
        first_comment=utm.tag_text(post.first_comment, tags),
        thread=tuple(utm.tag_text(part, tags) for part in post.thread),
    )


def content_for(delivery: Delivery) -> Content:
    # Imported here: scheduler.variants builds on scheduler.posts, which needs this module.
    from scheduler import variants

    network = delivery.account.network
    found = post_content(delivery.post, network=network)
    # Frozen when the post was saved (scheduler/signatures.py); added once, here.
    signature = (delivery.post.signatures or {}).get(str(delivery.account_id), "")
    if signature:
        found = replace(found, text=signatures.signed(found.text, signature))
    if delivery.post.track_links:
        found = tracked(delivery, found)
    options = post_options(delivery.post.overrides, delivery.account)
    if options:
        found = replace(found, options=options)  # type: ignore[union-attr]
    countries = variants.targeting_for(delivery.post, network).get("countries") or []
    if countries:
        found = replace(found, countries=tuple(str(c) for c in countries))  # type: ignore[union-attr]
    return found


def tracked(delivery: Delivery, found: Content) -> Content:
    """`found` with each link (UTM tags already added) as the delivery's short link."""
    from scheduler import links  # it imports the models this module's callers load

    return replace(
        found,
        text=links.shorten_text(delivery, found.text),
        link=links.shorten(delivery, found.link),
        first_comment=links.shorten_text(delivery, found.first_comment),
        thread=tuple(links.shorten_text(delivery, part) for part in found.thread),
    )


def credentials_for(account: SocialAccount) -> Credentials:
    return Credentials(
        external_id=account.external_id,
        handle=account.handle,
        secrets=dict(account.credentials),
        expires_at=account.credentials_expire_at,
        options=dict(account.options),
    )


def save_credentials(account: SocialAccount, creds: Credentials) -> None:
    account.credentials = dict(creds.secrets)
    account.credentials_expire_at = creds.expires_at
    account.save(update_fields=["credentials", "credentials_expire_at", "updated_at"])
