"""The sandbox network's feed, kept in the SandboxPost and SandboxComment tables."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from channels.adapters.engagement import DELETE, HIDE, UNHIDE
from channels.adapters.metrics import PostMetrics
from channels.adapters.sandbox import FeedComment, FeedEntry
from channels.models import SandboxComment, SandboxFollow, SandboxPost


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

    def comments(self, account_ref: str, since: datetime) -> list[FeedComment]:
        rows = SandboxComment.objects.filter(
            account_ref=account_ref, created_at__gte=since, deleted=False
        ).select_related("post")
        return [_comment(row) for row in rows]

    def add_comment(self, account_ref: str, comment: FeedComment, key: str) -> FeedComment:
        post = None
        if comment.post_id:
            post = SandboxPost.objects.get(account_ref=account_ref, public_id=comment.post_id)
        row = SandboxComment.objects.create(
            account_ref=account_ref,
            post=post,
            in_reply_to=comment.in_reply_to,
            thread=comment.thread,
            author=comment.author,
            text=comment.text,
            own=comment.own,
            idempotency_key=key,
            created_at=timezone.now(),
        )
        return _comment(row)

    def find_comment(self, account_ref: str, key: str) -> FeedComment | None:
        row = SandboxComment.objects.filter(account_ref=account_ref, idempotency_key=key).first()
        return _comment(row) if row else None

    def change_comment(self, account_ref: str, comment_id: str, action: str) -> None:
        change = {HIDE: {"hidden": True}, UNHIDE: {"hidden": False}, DELETE: {"deleted": True}}
        SandboxComment.objects.filter(account_ref=account_ref, public_id=comment_id).update(
            **change[action]
        )

    def figures(self, account_ref: str, post_ids: list[str]) -> list[PostMetrics]:
        rows = SandboxPost.objects.filter(account_ref=account_ref, public_id__in=post_ids).annotate(
            n_comments=Count("comments", filter=Q(comments__deleted=False, comments__own=False))
        )
        return [
            PostMetrics(
                external_id=str(row.public_id),
                impressions=row.views,
                likes=row.likes,
                comments=row.n_comments,
                shares=row.shares,
            )
            for row in rows
        ]

    def followers(self, account_ref: str) -> int:
        return SandboxFollow.objects.filter(account_ref=account_ref).count()


def _comment(row: SandboxComment) -> FeedComment:
    return FeedComment(
        id=str(row.public_id),
        post_id=str(row.post.public_id) if row.post else "",
        in_reply_to=row.in_reply_to,
        author=row.author,
        text=row.text,
        own=row.own,
        hidden=row.hidden,
        created_at=row.created_at,
        thread=row.thread,
    )
