"""A published sandbox post and visitors talking to its account, for the inbox tests."""

from __future__ import annotations

from datetime import UTC, datetime

from channels.adapters.sandbox import FeedComment
from channels.models import SandboxComment, SocialAccount
from channels.sandbox_feed import DatabaseFeed
from scheduler import engine
from scheduler.models import Delivery
from tests.factories import DeliveryFactory


def published(**fields: object) -> Delivery:
    """A delivery published to a new sandbox account, through the engine."""
    delivery = DeliveryFactory(state=Delivery.State.QUEUED, **fields)
    assert engine.publish(delivery.pk) == "published"
    delivery.refresh_from_db()
    return delivery


def visitor_says(
    account: SocialAccount,
    text: str,
    *,
    post_id: str = "",
    in_reply_to: str = "",
    author: str = "visitor",
    thread: str = "",
) -> SandboxComment:
    """A visitor's comment under `post_id`, an answer to one, or (no post) a message."""
    made = DatabaseFeed().add_comment(
        account.external_id,
        FeedComment(
            id="",
            post_id=post_id,
            in_reply_to=in_reply_to,
            author=author,
            text=text,
            own=False,
            hidden=False,
            created_at=datetime.now(UTC),
            thread=thread or (f"dm:{author}" if not post_id else ""),
        ),
        key="",
    )
    return SandboxComment.objects.get(public_id=made.id)
