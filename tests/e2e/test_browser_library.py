"""The library in a real browser: insert a hashtag group from the composer's Insert
menu and watch Instagram's hashtag counter follow; save what is typed as a template
and start a new post from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import SocialAccount
from scheduler import library
from scheduler.models import AccountSignature, Delivery, Membership, PostTemplate, Role
from tests.factories import MembershipFactory, PostFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

TAGS = " ".join(f"#bun{i}" for i in range(29))


@pytest.fixture(autouse=True)
def sent() -> None:
    """Override the recording fixture: nothing is published here."""


@pytest.fixture
def editor(transactional_db: None, settings: Any, tmp_path: Path) -> Membership:
    settings.MEDIA_ROOT = tmp_path / "media"
    workspace = WorkspaceFactory(name="Acme")
    membership = MembershipFactory(
        user=UserFactory(username="editor"), workspace=workspace, role=Role.EDITOR
    )
    account = SocialAccount.objects.create(
        workspace=workspace, network="instagram", external_id="1", name="acmebakery", handle="a"
    )
    AccountSignature.objects.create(account=account, text="— Acme Bakery")
    library.save_snippet(membership, {"name": "Buns", "kind": "hashtags", "body": TAGS})
    library.save_snippet(
        membership, {"name": "Opening hours", "kind": "snippet", "body": "Open 7-15"}
    )
    return membership


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_hashtag_group_goes_in_at_the_cursor_and_the_counter_follows(
    live_server: Any, editor: Membership, page: Page, screenshots: Path | None
) -> None:
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/compose/")
    page.get_by_role("checkbox", name="acmebakery").check()
    text = page.get_by_label("Text", exact=True)
    text.fill("Fresh buns #warm #sweet")
    meter = page.locator('.meter[data-network="instagram"]')
    expect(meter.get_by_test_id("hashtag-count")).to_have_text("# 2 / 30")
    expect(meter).to_contain_text("Signature added for acmebakery: — Acme Bakery")
    # Put the cursor after "buns", then insert with the keyboard: filter, Enter.
    text.evaluate("el => el.setSelectionRange(10, 10)")
    page.get_by_role("button", name="Insert").click()
    expect(page.locator("#insert-filter")).to_be_focused()
    page.keyboard.type("buns")
    expect(page.get_by_role("button", name="Opening hours")).to_be_hidden()
    page.screenshot(path="/tmp/snippets-insert-menu.png", full_page=True)
    page.keyboard.press("Enter")
    expect(text).to_have_value(f"Fresh buns {TAGS} #warm #sweet")
    expect(text).to_be_focused()
    expect(meter.get_by_test_id("hashtag-count")).to_have_text("# 31 / 30")
    expect(meter).to_contain_text("Instagram allows 30 hashtags in a caption; this one has 31.")
    page.screenshot(path="/tmp/snippets-composer-counter.png", full_page=True)
    # Escape closes the menu and gives the focus back to its button.
    page.get_by_role("button", name="Insert").click()
    page.keyboard.press("Escape")
    expect(page.locator("#insert-panel")).to_be_hidden()
    expect(page.get_by_role("button", name="Insert")).to_be_focused()
    page.goto(f"{live_server.url}/library/snippets/")
    expect(page.get_by_test_id("snippet")).to_have_count(2)
    page.screenshot(path="/tmp/snippets-library.png", full_page=True)
    if screenshots:
        page.screenshot(path=screenshots / "library-snippets.png", full_page=True)


def test_save_as_template_then_start_a_new_post_from_it(
    live_server: Any, editor: Membership, page: Page, screenshots: Path | None
) -> None:
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/compose/")
    page.get_by_role("checkbox", name="acmebakery").check()
    page.get_by_label("Text", exact=True).fill("Saturday special: cinnamon buns")
    page.get_by_text("Save as template", exact=True).first.click()  # the <summary>
    page.get_by_role("button", name="Save as template").click()
    # No name: back to the composer, everything kept, the reason beside the box.
    expect(page.get_by_role("alert").filter(has_text="Give the template a name.")).to_be_visible()
    expect(page.get_by_label("Text", exact=True)).to_have_value("Saturday special: cinnamon buns")
    expect(page.get_by_role("checkbox", name="acmebakery")).to_be_checked()
    page.get_by_label("Template name").fill("Saturday special")
    page.get_by_role("button", name="Save as template").click()
    expect(page.get_by_test_id("post-template")).to_have_count(1)
    expect(page.get_by_test_id("post-template")).to_contain_text("Saturday special")
    page.screenshot(path="/tmp/snippets-templates.png", full_page=True)
    if screenshots:
        page.screenshot(path=screenshots / "library-templates.png", full_page=True)
    assert PostTemplate.objects.get().account_ids == [SocialAccount.objects.get().pk]
    # Start from it in the composer's own picker.
    page.goto(f"{live_server.url}/compose/")
    page.get_by_label("Start from a template").select_option(label="Saturday special")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_label("Text", exact=True)).to_have_value("Saturday special: cinnamon buns")
    expect(page.get_by_role("checkbox", name="acmebakery")).to_be_checked()
    expect(page.get_by_text("Started from the template “Saturday special”")).to_be_visible()


def test_a_post_page_saves_the_post_as_a_template(
    live_server: Any, editor: Membership, page: Page
) -> None:
    post = PostFactory(workspace=editor.workspace, text="Sunday brunch", scheduled_at=None)
    Delivery.objects.create(post=post, account=SocialAccount.objects.get(), state="draft")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/posts/{post.pk}/")
    page.screenshot(path="/tmp/snippets-post-detail.png", full_page=True)
    page.get_by_label("Template name").fill("Brunch")
    page.get_by_role("button", name="Save as template").click()
    expect(page.get_by_test_id("post-template")).to_contain_text("Sunday brunch")
    page.get_by_role("link", name="Start a post").click()
    expect(page.get_by_label("Text", exact=True)).to_have_value("Sunday brunch")
