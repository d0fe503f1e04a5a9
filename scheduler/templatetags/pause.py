"""The pause banner's data: nothing to read unless the workspace is paused."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from scheduler.models import Delivery, Workspace

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_pause(context: template.Context) -> Workspace | None:
    """Return the current workspace if paused, with `paused_by` and `missed` loaded.

    The membership in the context already holds the workspace, so an unpaused
    page costs no query and a paused one costs one.
    """
    membership: Any = context.get("membership")
    if membership is None or membership.workspace.paused_at is None:
        return None
    due = Q(
        accounts__deliveries__state=Delivery.State.SCHEDULED,
        accounts__deliveries__due_at__lte=timezone.now(),
        accounts__paused_at__isnull=True,
    )
    return (
        Workspace.objects.select_related("paused_by")
        .annotate(missed=Count("accounts__deliveries", filter=due))
        .filter(pk=membership.workspace_id, paused_at__isnull=False)
        .first()
    )
