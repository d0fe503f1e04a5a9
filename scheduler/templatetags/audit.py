"""Filters for the activity log: audit details are stored as plain JSON."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.translation import gettext_lazy

register = template.Library()

# The names update_post records, as a person reads them.
FIELD_LABELS = {
    "text": gettext_lazy("text"),
    "link": gettext_lazy("link"),
    "first_comment": gettext_lazy("first comment"),
    "thread": gettext_lazy("thread"),
    "overrides": gettext_lazy("network texts and settings"),
    "media": gettext_lazy("media"),
    "accounts": gettext_lazy("accounts"),
    "campaign": gettext_lazy("campaign"),
}


@register.filter
def parse_iso(value: str | None) -> datetime | None:
    """A stored ISO 8601 time as a datetime, for the `when` filter."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.filter
def field_labels(names: list[str] | None) -> str:
    return ", ".join(str(FIELD_LABELS.get(n, n)) for n in names or [])
