"""The Feeds pages in a browser: an editor follows a feed (after a wrong address),
sees its newest item become a draft, and sees it broken, with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scheduler import feeds
from scheduler.models import Feed, FeedItem, Role
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory
from tests.fakes.feeds import FeedServer, Item

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def test_an_editor_follows_a_feed_and_reads_what_became_of_its_items(
    live_server: Any, page: Page, screenshots: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(feeds, "enqueue", sent.append)  # run below, by hand
    workspace = WorkspaceFactory(name="Acme")
    MembershipFactory(
        user=UserFactory(username="eve", password=PASSWORD), workspace=workspace, role=Role.EDITOR
    )
    SandboxAccountFactory(workspace=workspace, name="Acme Sandbox")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Feeds").click()
    page.get_by_role("link", name="Follow a feed").click()

    with FeedServer(
        items=[
            Item("tag:2", "Spring menu is out", "https://blog.example/spring"),
            Item("tag:1", "We are open on Sunday", "https://blog.example/sunday", age=90),
        ]
    ) as server:
        page.get_by_label("Feed address").fill(server.url("/page"))
        page.get_by_label("Acme Sandbox").check()
        page.get_by_label("Post template").fill("{title}: {link}")
        page.get_by_role("button", name="Follow").click()
        expect(page.get_by_role("alert")).to_contain_text("serves a web page, not an RSS")
        expect(page.get_by_label("Post template")).to_have_value("{title}: {link}")
        if screenshots is not None:
            page.screenshot(path=screenshots / "feeds-form-error.png", full_page=True)

        page.get_by_label("Feed address").fill(server.url("/rss"))
        page.get_by_role("button", name="Follow").click()
        expect(page.get_by_text("Found “Acme Blog” with 2 items")).to_be_visible()
        feed = Feed.objects.get()
        assert sent == [feed.pk]
        assert feeds.check(feed.pk) == "1 new"

        page.reload()
        items = page.locator(".feed-item")
        expect(items).to_have_count(2)
        expect(items.filter(has_text="Spring menu is out")).to_contain_text("Open the post")
        expect(items.filter(has_text="We are open on Sunday")).to_contain_text(
            "Already in the feed when it was added"
        )
        if screenshots is not None:
            page.screenshot(path=screenshots / "feeds-detail.png", full_page=True)

        server.statuses = {"/rss": 500}
        page.get_by_role("button", name="Check now").click()
        expect(page.get_by_text("The feed is being checked")).to_be_visible()
        assert feeds.check(feed.pk) == "broken"

    page.reload()
    expect(page.locator(".feed-error")).to_contain_text("The feed's server answered HTTP 500.")
    page.get_by_role("link", name="All feeds").click()
    row = page.locator(".feed-row")
    expect(row).to_contain_text("Broken")
    expect(row).to_contain_text("Acme Sandbox")
    expect(row).to_contain_text("2 items")
    if screenshots is not None:
        page.screenshot(path=screenshots / "feeds-list.png", full_page=True)

    page.get_by_role("link", name="Acme Blog").click()
    page.get_by_role("link", name="Open the post").click()
    post = FeedItem.objects.get(post__isnull=False).post
    expect(page).to_have_url(f"{live_server.url}/posts/{post.pk}/")
    expect(page.get_by_text("Spring menu is out: https://blog.example/spring")).to_be_visible()
