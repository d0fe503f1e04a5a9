"""The "Needs a look" count in the navigation, and plain-words reasons in templates."""

from __future__ import annotations

from typing import Any

from django import template

from scheduler import failures
from scheduler.models import Delivery

register = template.Library()


@register.simple_tag(takes_context=True)
def needs_a_look_count(context: dict[str, Any]) -> int:
    """Count this workspace's failed and needs-attention deliveries (one query per page:
    the Menu button and the link both show it)."""
    membership = context.get("membership")
    if membership is None:
        return 0
    request = context.get("request")
    counted = getattr(request, "_needs_a_look_count", None)
    if counted is None:
        counted = failures.count(membership.workspace_id)
        if request is not None:
            request._needs_a_look_count = counted  # type: ignore[attr-defined]
    return counted


@register.filter
def failure_reason(delivery: Delivery) -> failures.Reason:
    return failures.explain(delivery)
