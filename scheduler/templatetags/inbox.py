"""The inbox's "needs an answer" count in the navigation."""

from __future__ import annotations

from typing import Any

from django import template

from scheduler import inbox

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_open_count(context: dict[str, Any]) -> int:
    """Items open or assigned in this workspace: one query per page."""
    membership = context.get("membership")
    if membership is None or not membership.can_write:
        return 0
    return inbox.open_count(membership.workspace_id)
