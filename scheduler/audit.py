"""Writing the audit log: `record` is called where each change is made (the
post functions the pages and the API share, approvals, the engine, account
connections), so every way in to a change leaves the same trace."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from scheduler.models import AuditEvent

A = AuditEvent.Action
LABEL_LENGTH = 80


def label(text: str) -> str:
    """The first words of a text, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= LABEL_LENGTH else flat[: LABEL_LENGTH - 1] + "…"


def record(
    workspace_id: int,
    action: str,
    target: Model | None = None,
    *,
    actor: Any = None,
    target_label: str = "",
    **details: Any,
) -> AuditEvent:
    """Add one event. `actor` is a user, a Membership or None (SMO itself)."""
    user = getattr(actor, "user", actor)
    return AuditEvent.objects.create(
        workspace_id=workspace_id,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label,
        details=details,
    )


def post_event(action: str, post: Any, actor: Any = None, **details: Any) -> AuditEvent:
    return record(
        post.workspace_id, action, post, actor=actor, target_label=label(post.text), **details
    )


def account_event(action: str, account: Any, actor: Any, **details: Any) -> AuditEvent:
    """An account connected, reconnected or disconnected: named, with its network."""
    return record(
        account.workspace_id,
        action,
        account,
        actor=actor,
        target_label=account.name,
        network=account.network,
        **details,
    )


def delivery_ended(delivery_id: int, target: str) -> AuditEvent:
    """A delivery published or failed for good: one event on its post, naming
    the account (and the post's address, or why it failed)."""
    from scheduler.models import Delivery  # the engine imports this module

    d = Delivery.objects.select_related("post", "account").get(pk=delivery_id)
    published = target == Delivery.State.PUBLISHED
    facts = {"account": d.account.name, "network": d.account.network, "delivery": d.pk}
    if published:
        facts["url"] = d.external_url
    else:
        facts["reason"] = d.last_error[:300]
    return post_event(A.POST_PUBLISHED if published else A.POST_FAILED, d.post, **facts)
