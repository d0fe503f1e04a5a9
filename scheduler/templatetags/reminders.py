"""The open reminders count in the navigation (scheduler/reminders.py)."""

from __future__ import annotations

from typing import Any

from django import template

from scheduler import reminders

register = template.Library()


@register.simple_tag(takes_context=True)
def open_reminders_count(context: dict[str, Any]) -> int:
    """Count this workspace's reminders waiting for a person: one query per page, and
    none for people whose role cannot act on them."""
    membership = context.get("membership")
    if membership is None or not membership.can_write:
        return 0
    request = context.get("request")
    counted = getattr(request, "_open_reminders_count", None)
    if counted is None:
        counted = reminders.count(membership.workspace_id)
        if request is not None:
            request._open_reminders_count = counted  # type: ignore[attr-defined]
    return counted
