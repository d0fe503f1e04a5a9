"""Feed pages: a feed's error and an item's note, in the reader's language."""

from __future__ import annotations

from django import template

from channels.words import say
from scheduler.models import Feed, FeedItem

register = template.Library()


@register.filter
def feed_error(feed: Feed) -> str:
    """Why the feed is broken, from the stored Words (else the English text)."""
    return say(feed.error_words) if feed.error_words else feed.error


@register.filter
def item_note(item: FeedItem) -> str:
    return say(item.note_words) if item.note_words else ""
