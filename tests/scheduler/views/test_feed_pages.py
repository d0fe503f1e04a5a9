"""The Feeds pages: who sees and manages what, the form, the list's query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler import feeds
from scheduler.models import Feed, FeedItem
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory
from tests.fakes.feeds import FeedServer
from tests.scheduler.feeding import feed_server, feed_tasks, follow  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("enqueued")


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def form_data(url: str, account, **changes: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "url": url,
        "name": "",
        "accounts": [account.pk],
        "mode": "draft",
        "template": "{title}\n{link}",
        "campaign": "",
        "active": "on",
        **changes,
    }


def test_an_editor_follows_a_feed_named_after_its_title(
    cast: Cast, account, server: FeedServer, enqueued: list[int]
) -> None:
    client = signed_in(cast)

    response = client.post("/feeds/new/", form_data(server.url("/rss"), account), follow=True)

    feed = Feed.objects.get()
    assert response.redirect_chain == [(f"/feeds/{feed.pk}/", 302)]
    assert (feed.name, feed.url, feed.created_by) == (
        "Acme Blog",
        server.url("/rss"),
        cast.editor.user,
    )
    assert list(feed.accounts.all()) == [account]
    assert feed.template == "{title}\n{link}"
    assert "Found “Acme Blog” with 3 items" in response.content.decode()
    assert enqueued == [feed.pk]


def test_an_address_that_is_no_feed_is_said_and_the_form_keeps_what_was_typed(
    cast: Cast, account, server: FeedServer
) -> None:
    data = form_data(server.url("/page"), account, name="My blog", template="{title} now")

    response = signed_in(cast).post("/feeds/new/", data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "This address serves a web page, not an RSS or Atom feed." in page
    assert f'value="{server.url("/page")}"' in page and 'value="My blog"' in page
    assert "{title} now</textarea>" in page
    assert Feed.objects.count() == 0


def test_an_unknown_placeholder_is_named_in_the_form(cast: Cast, account, server) -> None:
    data = form_data(server.url("/rss"), account, template="{title} {body}")

    response = signed_in(cast).post("/feeds/new/", data)

    assert response.status_code == 400
    assert "Unknown placeholder {body}; use {title}, {link} and {summary}." in (
        response.content.decode()
    )
    assert server.requests == []  # the address is read only when the rest is right


def test_the_list_shows_status_reason_accounts_and_item_count(cast: Cast, account) -> None:
    ok = follow(cast.editor, "https://a.example/rss", [account], name="Good feed")
    FeedItem.objects.create(feed=ok, guid="1", title="One")
    follow(
        cast.editor,
        "https://b.example/rss",
        [account],
        name="Bad feed",
        failures=2,
        error="The feed's server answered HTTP 500.",
        error_words={
            "template": "The feed's server answered HTTP %(status)s.",
            "params": {"status": 500},
        },
    )

    page = signed_in(cast, "viewer").get("/feeds/").content.decode()

    assert "Good feed" in page and "Bad feed" in page
    assert "The feed&#x27;s server answered HTTP 500." in page
    assert "Broken" in page and "Acme Sandbox" in page and "1 item" in page
    assert "Follow a feed" not in page  # viewers read only


def test_the_list_costs_the_same_queries_for_1_or_10_feeds(
    cast: Cast, account, django_assert_num_queries
) -> None:
    client = signed_in(cast)
    follow(cast.editor, "https://a.example/0", [account])
    with CaptureQueriesContext(connection) as few:
        assert client.get("/feeds/").status_code == 200
    other = SandboxAccountFactory(workspace=cast.workspace)
    for i in range(1, 10):
        feed = follow(cast.editor, f"https://a.example/{i}", [account, other])
        FeedItem.objects.create(feed=feed, guid=str(i))
    with django_assert_num_queries(len(few)):
        page = client.get("/feeds/").content.decode()
    assert page.count('class="row feed-row"') == 10


def test_the_feed_page_lists_items_with_their_posts_and_notes(
    cast: Cast, account, server: FeedServer
) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account])
    feeds.check(feed.pk)
    post = FeedItem.objects.get(post__isnull=False).post

    page = signed_in(cast, "contributor").get(f"/feeds/{feed.pk}/").content.decode()

    assert f'href="/posts/{post.pk}/"' in page
    assert "Already in the feed when it was added; not posted." in page
    assert "Check now" not in page  # contributors read only


def test_check_now_sends_the_feeds_task(cast: Cast, account, enqueued: list[int]) -> None:
    feed = follow(cast.editor, "https://a.example/rss", [account])

    response = signed_in(cast).post(f"/feeds/{feed.pk}/check/")

    assert response.status_code == 302 and enqueued == [feed.pk]


def test_editing_keeps_the_address_unread_when_it_did_not_change(
    cast: Cast, account, server: FeedServer
) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account])
    data = form_data(server.url("/rss"), account, name="Renamed", mode="queue")

    response = signed_in(cast).post(f"/feeds/{feed.pk}/edit/", data)

    feed.refresh_from_db()
    assert response.status_code == 302
    assert (feed.name, feed.mode) == ("Renamed", "queue")
    assert server.requests == []


def test_deleting_a_feed(cast: Cast, account) -> None:
    feed = follow(cast.editor, "https://a.example/rss", [account])

    response = signed_in(cast, "admin").post(f"/feeds/{feed.pk}/delete/")

    assert response.status_code == 302 and not Feed.objects.exists()


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_only_those_who_schedule_manage_feeds(cast: Cast, account, role: str) -> None:
    feed = follow(cast.editor, "https://a.example/rss", [account])
    client = signed_in(cast, role)

    assert client.get("/feeds/new/").status_code == 403
    assert client.get(f"/feeds/{feed.pk}/edit/").status_code == 403
    assert client.post(f"/feeds/{feed.pk}/check/").status_code == 403
    assert client.post(f"/feeds/{feed.pk}/delete/").status_code == 403
    assert Feed.objects.filter(pk=feed.pk).exists()


def test_another_workspaces_feed_is_not_found(cast: Cast, account) -> None:
    feed = follow(cast.editor, "https://a.example/rss", [account])
    client = signed_in(cast, "outsider")

    for url in ("/", "/edit/"):
        assert client.get(f"/feeds/{feed.pk}{url}").status_code == 404
    for url in ("/check/", "/delete/"):
        assert client.post(f"/feeds/{feed.pk}{url}").status_code == 404
    assert "https://a.example/rss" not in client.get("/feeds/").content.decode()


def test_another_workspaces_account_cannot_be_chosen(cast: Cast, account, server) -> None:
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)

    response = signed_in(cast).post("/feeds/new/", form_data(server.url("/rss"), theirs))

    assert response.status_code == 400 and not Feed.objects.exists()
    assert "Select a valid choice." in response.content.decode()
