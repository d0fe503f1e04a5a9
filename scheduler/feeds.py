"""Feeds a workspace follows, turned into posts (issue 11).

`poll_due` (beat) sends one `fetch_feed(feed_id)` per feed whose check is due.
`check` claims the feed with a conditional UPDATE (two workers, or a task
delivered twice, never read one feed at once; a claim older than
SMO_STUCK_AFTER belonged to a worker that died), reads it conditionally
(ETag / Last-Modified, so an unchanged feed costs the server a 304), and makes
one post per new item, each in one transaction with its FeedItem row.

The first read of a new feed posts only its newest item and records the rest as
seen: following a feed with fifty entries should show at once that the template
works, not fill the queue with last month's news.

A feed that cannot be read is marked broken with the reason, shown on the page
and in the API, backs off, and its creator and the workspace's admins are told
once; the next good read clears it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from channels.words import Words, words
from scheduler import engine, notify, posts
from scheduler.feed_items import make_post
from scheduler.feed_reading import Entry, FeedError, Fetched, fetch
from scheduler.models import Feed, FeedItem, Membership, Notification

logger = logging.getLogger(__name__)


def due(now: datetime) -> QuerySet[Feed]:
    return (
        Feed.objects.filter(active=True)
        .filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now))
        .exclude(checking_since__gt=now - settings.SMO_STUCK_AFTER)
    )


def poll_due(now: datetime | None = None) -> int:
    """Send a fetch task for each feed whose check is due."""
    ids = list(due(now or timezone.now()).values_list("pk", flat=True))
    for pk in ids:
        enqueue(pk)
    return len(ids)


def enqueue(feed_id: int) -> None:
    from scheduler.tasks import fetch_feed

    fetch_feed.delay_on_commit(feed_id)


def check_now(feed: Feed) -> None:
    """A person asked: make the feed due and send its task (a running check goes on)."""
    Feed.objects.filter(pk=feed.pk, checking_since=None).update(next_check_at=None)
    enqueue(feed.pk)


def claim(feed_id: int, now: datetime) -> Feed | None:
    """Take the feed's check, unless another worker holds a fresh claim or it is not due."""
    free = Q(checking_since__isnull=True) | Q(checking_since__lt=now - settings.SMO_STUCK_AFTER)
    is_due = Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)
    if not Feed.objects.filter(free, is_due, pk=feed_id, active=True).update(checking_since=now):
        return None
    return Feed.objects.select_related("workspace", "campaign").get(pk=feed_id)


def check(feed_id: int, now: datetime | None = None) -> str:
    """Read one feed and post its new items; return what happened, for the log."""
    now = now or timezone.now()
    feed = claim(feed_id, now)
    if feed is None:
        return "not-claimed"
    try:
        fetched = fetch(feed.url, feed.etag, feed.last_modified)
    except FeedError as exc:
        _broken(feed, exc.words, now)
        return "broken"
    except Exception:
        # A parser bug must not leave the feed claimed and silent: shown as broken.
        logger.exception("feed %s: reading failed", feed.pk)
        _broken(feed, words("SMO could not read this feed; the error is in its log."), now)
        return "broken"
    made = 0 if fetched.not_modified else _take(feed, fetched)
    _ok(feed, fetched, now)
    logger.info("feed %s: %s new item(s)", feed.pk, made)
    return "not-modified" if fetched.not_modified else f"{made} new"


def _take(feed: Feed, fetched: Fetched) -> int:
    """Record the entries not seen yet; post them (only the newest on a first read)."""
    seen = set(FeedItem.objects.filter(feed=feed).values_list("guid", flat=True))
    links = set(FeedItem.objects.filter(feed=feed).exclude(link="").values_list("link", flat=True))
    # Never read well since it was added (or its address changed).
    first_read = feed.last_ok_at is None
    new: list[Entry] = []
    for entry in fetched.entries:  # newest first
        if entry.guid in seen:
            continue
        seen.add(entry.guid)
        if entry.link and entry.link in links:
            _record(feed, entry, words("Skipped: an earlier item had the same link."))
            continue
        links.add(entry.link)
        new.append(entry)
    if first_read and len(new) > 1:
        for entry in new[1:]:
            _record(feed, entry, words("Already in the feed when it was added; not posted."))
        new = new[:1]
    made = 0
    for entry in reversed(new):  # oldest first, so the queue keeps the feed's order
        made += _post(feed, entry)
    return made


def _record(feed: Feed, entry: Entry, note: Words) -> None:
    try:
        with transaction.atomic():
            FeedItem.objects.create(
                feed=feed,
                guid=entry.guid,
                link=entry.link,
                title=entry.title,
                published_at=entry.published_at,
                skipped=True,
                note_words=note.as_json(),
            )
    except IntegrityError:
        pass  # another worker recorded it first


def _post(feed: Feed, entry: Entry) -> int:
    """Make the item's post and its FeedItem row together, or neither."""
    membership = _author(feed)
    try:
        with transaction.atomic():
            # The row first: a second worker with the same item fails here, on
            # the unique (feed, guid), before it makes a post.
            item = FeedItem.objects.create(
                feed=feed,
                guid=entry.guid,
                link=entry.link,
                title=entry.title,
                published_at=entry.published_at,
            )
            if membership is None:
                item.note_words = words(
                    "Not posted: nobody who may post is left in the workspace."
                ).as_json()
            else:
                try:
                    item.post, note = make_post(feed, membership, entry)
                except posts.PostErrors as exc:
                    item.post, note = None, _not_posted(exc.errors)
                item.note_words = note.as_json() if note else {}
            item.save(update_fields=["post", "note_words"])
    except IntegrityError:
        return 0
    return int(item.post_id is not None)


def _not_posted(errors: dict[str, list[str]]) -> Words:
    problems = "; ".join(m for messages in errors.values() for m in messages)[:400]
    return words("Not posted: %(problems)s", problems=problems)


def _author(feed: Feed) -> Membership | None:
    """The feed's creator while still a writer in the workspace, else an owner or admin."""
    people = Membership.objects.filter(
        workspace_id=feed.workspace_id, user__is_active=True
    ).select_related("workspace", "user")
    mine = people.filter(user_id=feed.created_by_id, role__in=Membership.CAN_WRITE).first()
    return mine or people.filter(role__in=Membership.CAN_MANAGE_ACCOUNTS).order_by("pk").first()


def _ok(feed: Feed, fetched: Fetched, now: datetime) -> None:
    fields = {
        "checking_since": None,
        "checked_at": now,
        "last_ok_at": now,
        "next_check_at": now + settings.SMO_FEED_INTERVAL,
        "failures": 0,
        "error": "",
        "error_words": {},
        "broken_since": None,
    }
    if not fetched.not_modified:
        fields.update(etag=fetched.etag, last_modified=fetched.last_modified)
        if not feed.name and fetched.title:
            fields["name"] = fetched.title
    Feed.objects.filter(pk=feed.pk).update(**fields)


def _broken(feed: Feed, why: Words, now: datetime) -> None:
    failures = feed.failures + 1
    wait = max(settings.SMO_FEED_INTERVAL, engine.backoff(failures))
    broken_since = feed.broken_since or now
    Feed.objects.filter(pk=feed.pk).update(
        checking_since=None,
        checked_at=now,
        next_check_at=now + wait,
        failures=failures,
        error=str(why)[:500],
        error_words=why.as_json(),
        broken_since=broken_since,
    )
    logger.info("feed %s: broken (%s); next check at %s", feed.pk, why, now + wait)
    if feed.failures == 0:
        tell_broken(feed.pk)


def tell_broken(feed_id: int) -> list[Notification]:
    """Tell the feed's creator and the workspace's admins, once per time it breaks."""
    with transaction.atomic():
        feed = Feed.objects.select_for_update().get(pk=feed_id)
        if not feed.failures:
            return []
        message = words(
            "The feed %(name)s cannot be read: %(reason)s",
            name=feed.name or feed.url,
            reason=Words.from_json(feed.error_words) if feed.error_words else feed.error,
        )
        people = notify._members(
            feed.workspace_id, Membership.CAN_MANAGE_ACCOUNTS, also=feed.created_by_id
        )
        url = reverse("feed-detail", args=[feed.pk])
        return notify._create(
            feed.workspace_id,
            people,
            Notification.Kind.FEED_BROKEN,
            message,
            url,
            feed.broken_since,
        )
