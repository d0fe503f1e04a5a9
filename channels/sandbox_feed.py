"""The sandbox network's feed, kept in the SandboxPost table."""

from __future__ import annotations

from django.utils import timezone

from channels.adapters.sandbox import FeedEntry
from channels.models import SandboxPost


class DatabaseFeed:
    def append(self, account_ref: str, text: str, media: list[str], key: str) -> FeedEntry:
        post = SandboxPost.objects.create(
            account_ref=account_ref,
            text=text,
            media=media,
            idempotency_key=key,
            created_at=timezone.now(),
        )
        return FeedEntry(str(post.public_id), post.created_at)

    def find(self, account_ref: str, key: str) -> FeedEntry | None:
        post = SandboxPost.objects.filter(account_ref=account_ref, idempotency_key=key).first()
        return FeedEntry(str(post.public_id), post.created_at) if post else None
