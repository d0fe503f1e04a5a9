"""Feeds read from the local feed server and turned into posts (scheduler/feeds.py)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from scheduler import feeds, posts
from scheduler.feed_reading import Entry
from scheduler.models import Delivery, Feed, FeedItem, Notification, Post, QueueSlot
from scheduler.models.feeds import validate_template
from tests.fakes.feeds import FeedServer, Item
from tests.scheduler.feeding import feed_server, follow  # noqa: F401 (the fixture "server")

S = Delivery.State
SUMMARY = "Read all about it & more."


def _say(feed: Feed) -> str:
    feed.refresh_from_db()
    return feed.error


def test_first_read_drafts_only_the_newest_item_and_remembers_the_rest(
    cast, account, server: FeedServer
) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account])

    assert feeds.check(feed.pk) == "1 new"

    post = Post.objects.get()
    assert post.text == f"Third post\n\n{SUMMARY}\n\nhttps://blog.example/3"
    assert post.author == cast.editor.user
    assert [d.state for d in post.deliveries.all()] == [S.DRAFT]
    items = {i.guid: i for i in FeedItem.objects.all()}
    assert items["tag:acme,1"].post == post
    assert items["tag:acme,2"].skipped and items["tag:acme,2"].post is None
    assert items["tag:acme,3"].note_words["template"].startswith("Already in the feed")
    feed.refresh_from_db()
    assert feed.etag and feed.last_modified == "Wed, 25 Nov 2026 12:00:00 GMT"
    assert feed.last_ok_at == feed.checked_at and feed.failures == 0
    assert feed.next_check_at == feed.checked_at + timedelta(minutes=30)


def test_second_read_is_conditional_and_an_unchanged_feed_makes_nothing(
    cast, account, server: FeedServer
) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account])
    feeds.check(feed.pk)
    feed.refresh_from_db()
    Feed.objects.filter(pk=feed.pk).update(next_check_at=None)

    assert feeds.check(feed.pk) == "not-modified"

    asked = server.requests[-1]
    assert asked.headers["If-None-Match"] == feed.etag
    assert asked.headers["If-Modified-Since"] == "Wed, 25 Nov 2026 12:00:00 GMT"
    assert asked.status == 304
    assert Post.objects.count() == 1


def test_new_items_become_drafts_once_deduplicated_by_id_and_by_link(
    cast, account, server: FeedServer
) -> None:
    feed = follow(cast.editor, server.url("/atom"), [account])
    feeds.check(feed.pk)
    server.items = [
        Item("tag:acme,5", "Same link, new id", "https://blog.example/4"),
        Item("tag:acme,4", "Fourth post", "https://blog.example/4", age=-1),
        Item("tag:acme,6", "Old link again", "https://blog.example/3"),
        *server.items,
    ]
    Feed.objects.filter(pk=feed.pk).update(next_check_at=None)

    assert feeds.check(feed.pk) == "1 new"

    assert sorted(Post.objects.values_list("text", flat=True)) == [
        f"Fourth post\n\n{SUMMARY}\n\nhttps://blog.example/4",
        f"Third post\n\n{SUMMARY}\n\nhttps://blog.example/3",
    ]
    twin = FeedItem.objects.get(guid="tag:acme,5")
    assert twin.skipped and twin.post is None
    assert twin.note_words["template"] == "Skipped: an earlier item had the same link."
    assert FeedItem.objects.get(guid="tag:acme,6").skipped
    Feed.objects.filter(pk=feed.pk).update(next_check_at=None, etag="", last_modified="")
    assert feeds.check(feed.pk) == "0 new"
    assert Post.objects.count() == 2


def test_queue_mode_takes_the_accounts_next_free_slot(cast, account, server: FeedServer) -> None:
    for weekday in range(7):
        QueueSlot.objects.create(account=account, weekday=weekday, time=time(9, 0))
    feed = follow(cast.editor, server.url("/rss"), [account], mode=Feed.Mode.QUEUE)

    feeds.check(feed.pk)

    post = Post.objects.get()
    delivery = post.deliveries.get()
    assert post.from_queue and delivery.state == S.SCHEDULED
    assert delivery.scheduled_at > timezone.now()
    assert FeedItem.objects.get(post=post).note_words == {}


def test_queue_mode_without_a_posting_schedule_saves_a_draft_and_says_why(
    cast, account, server: FeedServer
) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account], mode=Feed.Mode.QUEUE)

    feeds.check(feed.pk)

    item = FeedItem.objects.get(post__isnull=False)
    assert item.post.deliveries.get().state == S.DRAFT
    assert item.note_words["template"].startswith("Saved as a draft: the queue could not take it")
    assert "no posting schedule yet" in item.note_words["params"]["problems"]


def test_a_contributors_queued_feed_item_waits_for_approval(
    cast, account, server: FeedServer
) -> None:
    QueueSlot.objects.create(account=account, weekday=0, time=time(9, 0))
    feed = follow(cast.contributor, server.url("/rss"), [account], mode=Feed.Mode.QUEUE)

    feeds.check(feed.pk)

    assert Post.objects.get().deliveries.get().state == S.AWAITING_APPROVAL


def test_a_long_summary_is_shortened_until_the_network_takes_it(
    cast, account, server: FeedServer, settings
) -> None:
    settings.SMO_FEED_SUMMARY_CHARS = 5000
    server.items = [Item("long", "Long read", "https://blog.example/long", "word " * 300)]
    feed = follow(cast.editor, server.url("/rss"), [account])

    feeds.check(feed.pk)

    post = Post.objects.get()
    assert len(post.text) <= 500  # the sandbox network's limit
    assert post.text.startswith("Long read\n\nword word") and post.text.endswith("/long")
    assert "…" in post.text
    item = FeedItem.objects.get(guid="long")
    assert item.note_words == {
        "template": "The summary was shortened to fit the networks' limits.",
        "params": {},
    }


def test_text_refused_even_without_summary_is_saved_as_a_draft_with_the_reason(
    cast, account, server: FeedServer
) -> None:
    server.items = [Item("huge", "T" * 480, "https://blog.example/huge")]
    feed = follow(cast.editor, server.url("/rss"), [account])

    feeds.check(feed.pk)

    item = FeedItem.objects.get(guid="huge")
    assert item.post is not None and item.post.text.startswith("T" * 480)
    assert item.post.deliveries.get().state == S.DRAFT
    assert item.note_words["template"] == (
        "Saved as a draft: the networks would refuse it (%(problems)s)."
    )
    assert "Acme Sandbox" in item.note_words["params"]["problems"]


def test_the_template_names_an_unknown_placeholder() -> None:
    validate_template("{title} - {link}\n{summary}")
    with pytest.raises(ValidationError) as bad:
        validate_template("{title} {body} {author}")
    assert bad.value.messages == [
        "Unknown placeholder {author}, {body}; use {title}, {link} and {summary}."
    ]
    with pytest.raises(ValidationError, match="unmatched brace"):
        validate_template("{title")


def test_a_custom_template_is_filled_in(cast, account, server: FeedServer) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account], template="New: {title} {link}")

    feeds.check(feed.pk)

    assert Post.objects.get().text == "New: Third post https://blog.example/3"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "The feed's server answered HTTP 404."),
        ("/down", "The feed's server answered HTTP 500."),
        ("/broken", "The feed is not valid XML (<unknown>:1:77: unclosed token)."),
        ("/page", "This address serves a web page, not an RSS or Atom feed."),
    ],
)
def test_a_feed_that_cannot_be_read_is_marked_broken_with_the_reason(
    cast, account, server: FeedServer, path: str, reason: str
) -> None:
    server.statuses = {"/missing": 404, "/down": 500}
    feed = follow(cast.editor, server.url(path), [account])

    assert feeds.check(feed.pk) == "broken"

    feed.refresh_from_db()
    assert feed.error == reason and feed.is_broken and feed.failures == 1
    assert feed.next_check_at >= feed.checked_at + timedelta(minutes=30)
    assert Post.objects.count() == 0


def test_a_slow_feed_times_out(cast, account, server: FeedServer, settings) -> None:
    settings.SMO_FEED_TIMEOUT = 0.3
    server.slow_seconds = 1.0
    feed = follow(cast.editor, server.url("/slow"), [account])

    feeds.check(feed.pk)

    assert _say(feed) == "The feed's server did not answer within 0.3 seconds."


def test_a_private_address_is_refused(cast, account, server: FeedServer, settings) -> None:
    settings.SMO_FETCH_PRIVATE_URLS = False
    feed = follow(cast.editor, server.url("/rss"), [account])

    feeds.check(feed.pk)

    assert _say(feed) == (
        "127.0.0.1 is not a public address; SMO reads feeds only from the internet."
    )
    assert server.requests == []


def test_breaking_tells_the_creator_and_admins_once_and_recovery_clears_it(
    cast, account, server: FeedServer
) -> None:
    server.statuses = {"/rss": 500}
    feed = follow(cast.editor, server.url("/rss"), [account])
    feeds.check(feed.pk)
    Feed.objects.filter(pk=feed.pk).update(next_check_at=None)
    feeds.check(feed.pk)

    told = Notification.objects.filter(kind=Notification.Kind.FEED_BROKEN)
    assert sorted(n.user.username for n in told) == ["admin", "editor", "owner"]
    assert told[0].message == (
        "The feed Acme Blog cannot be read: The feed's server answered HTTP 500."
    )
    assert told[0].url == f"/feeds/{feed.pk}/"
    feed.refresh_from_db()
    assert feed.failures == 2

    server.statuses = {}
    Feed.objects.filter(pk=feed.pk).update(next_check_at=None)
    feeds.check(feed.pk)

    feed.refresh_from_db()
    assert (feed.failures, feed.error, feed.error_words, feed.broken_since) == (0, "", {}, None)
    assert Post.objects.count() == 1


def test_a_claimed_feed_is_not_read_by_a_second_worker(cast, account, server, monkeypatch):
    feed = follow(cast.editor, server.url("/rss"), [account])
    inside: list[str] = []
    real_fetch = feeds.fetch

    def fetch_while_another_worker_tries(*args: object) -> object:
        inside.append(feeds.check(feed.pk))  # the task delivered twice, meanwhile
        return real_fetch(*args)

    monkeypatch.setattr(feeds, "fetch", fetch_while_another_worker_tries)

    assert feeds.check(feed.pk) == "1 new"

    assert inside == ["not-claimed"]
    assert len(server.requests) == 1 and Post.objects.count() == 1


def test_an_item_taken_by_another_worker_makes_no_second_post(cast, account, server) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account])
    entry = Entry("tag:x", "https://blog.example/x", "X", "Summary", None)

    assert feeds._post(feed, entry) == 1
    assert feeds._post(feed, entry) == 0

    assert Post.objects.count() == 1 and FeedItem.objects.count() == 1


def test_poll_sends_one_task_per_due_feed(cast, account, monkeypatch) -> None:
    sent: list[int] = []
    monkeypatch.setattr(feeds, "enqueue", sent.append)
    now = timezone.now()
    due = follow(cast.editor, "https://a.example/rss", [account])
    follow(cast.editor, "https://b.example/rss", [account], next_check_at=now + timedelta(hours=1))
    follow(cast.editor, "https://c.example/rss", [account], active=False)
    follow(cast.editor, "https://d.example/rss", [account], checking_since=now)

    assert feeds.poll_due(now) == 1

    assert sent == [due.pk]


def test_a_refused_post_is_recorded_with_the_reason_not_dropped(
    cast, account, server: FeedServer, monkeypatch
) -> None:
    def refuse(*args: object) -> None:
        raise posts.PostErrors({"text": ["Nope."]})

    monkeypatch.setattr(feeds, "make_post", refuse)
    feed = follow(cast.editor, server.url("/rss"), [account])

    assert feeds.check(feed.pk) == "0 new"

    item = FeedItem.objects.get(guid="tag:acme,1")
    assert item.post is None and not item.skipped
    assert item.note_words == {
        "template": "Not posted: %(problems)s",
        "params": {"problems": "Nope."},
    }
    assert Post.objects.count() == 0


def test_an_unexpected_reading_error_marks_the_feed_broken_and_releases_it(
    cast, account, monkeypatch
) -> None:
    def crash(*args: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(feeds, "fetch", crash)
    feed = follow(cast.editor, "https://a.example/rss", [account])

    assert feeds.check(feed.pk) == "broken"

    feed.refresh_from_db()
    assert feed.error == "SMO could not read this feed; the error is in its log."
    assert feed.checking_since is None and feed.failures == 1
