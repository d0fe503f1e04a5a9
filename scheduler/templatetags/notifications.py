"""Template tags for working together: the bell's count, a post's comments and review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from scheduler import approvals, workflow
from scheduler.comments import MENTION
from scheduler.models import Comment, Delivery, Notification, Post

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """Count the signed-in person's unread notifications (one query, once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_smo_unread"):
        request._smo_unread = Notification.objects.filter(user=user, read_at=None).count()  # type: ignore[union-attr]
    return request._smo_unread  # type: ignore[union-attr, no-any-return]


@register.simple_tag
def comments_of(post: Post) -> list[Comment]:
    """The post's comments, oldest first, with authors and mentions (two queries)."""
    return list(post.comments.select_related("author").prefetch_related("mentions"))


@register.filter
def with_mentions(comment: Comment) -> SafeString:
    """The comment's text as HTML paragraphs, each stored @mention marked."""
    names = {u.username.lower() for u in comment.mentions.all()}
    html = str(linebreaks(conditional_escape(comment.body)))
    if not names:
        return mark_safe(html)  # noqa: S308 - escaped above

    def mark(match: Any) -> str:
        if match.group(1).lower() in names:
            return f'<span class="mention">{match.group(0)}</span>'
        return str(match.group(0))

    return mark_safe(MENTION.sub(mark, html))  # noqa: S308 - escaped above, usernames are \w.@+-


@dataclass(frozen=True)
class Review:
    awaiting: bool
    late: bool
    # A suggested new time for a late post: the next whole hour.
    suggested: datetime
    step: workflow.Step | None = None
    steps: int = 1
    # The signed-in member may decide at the step the post waits at.
    can_decide: bool = False
    expired: bool = False


@register.simple_tag(takes_context=True)
def review_of(context: dict[str, Any], post: Post) -> Review:
    """Whether the post (deliveries prefetched) waits for a decision, is late, which
    step it waits at, and whether the page's member may decide there. A list page
    puts its workspace's `approval_flow` in the context, so this costs no query."""
    now = timezone.now()
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    flow = context.get("approval_flow") or workflow.of(post.workspace_id)
    step = flow.at(post.approval_step)
    membership = context.get("membership")
    return Review(
        approvals.awaiting(post),
        approvals.is_late(post, now),
        next_hour,
        step=step,
        steps=len(flow.steps),
        can_decide=bool(membership and approvals.may_decide(membership, step)),
        expired=any(d.state == Delivery.State.EXPIRED for d in post.deliveries.all()),
    )
