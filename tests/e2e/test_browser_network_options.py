"""A network's own settings in a real browser: tick its accounts, fill its settings
(a board per account), watch a length limit and a video's length live, save, and
open the post again to edit it.

Runs against the test-only network of tests/option_network.py, registered for
the live server too (it runs in this process), and real videos made by ffmpeg
and read by ffprobe at upload.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import SocialAccount
from scheduler.models import Membership, Post, Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.media_samples import MakeVideo

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
    pytest.mark.usefixtures("testnet"),
]


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
    for external_id, name in (("t1", "Acme Bakery"), ("t2", "Acme Cafe")):
        SocialAccount.objects.create(
            workspace=workspace, network="testnet", external_id=external_id, name=name, handle=name
        )
    return membership


def test_an_editor_fills_a_networks_settings_sees_its_limits_live_and_edits_them_later(
    live_server: Any,
    editor: Membership,
    page: Page,
    make_video: MakeVideo,
    screenshots: Path | None,
) -> None:
    bakery, cafe = SocialAccount.objects.order_by("external_id")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/compose/")
    settings = page.locator(".options-section[data-network=testnet]")
    expect(settings).to_be_hidden()

    page.get_by_role("checkbox", name="Acme Bakery").check()
    page.get_by_role("checkbox", name="Acme Cafe").check()
    expect(settings).to_be_visible()
    bakery_board = page.get_by_label("Board for Acme Bakery")
    expect(bakery_board.locator("option")).to_have_text(
        ["—", "Acme Bakery cakes", "Acme Bakery bread"]
    )
    page.get_by_label("Text", exact=True).fill("Cardamom buns, fresh at seven")

    # A title over the network's 20 characters: the counter and the meter say so.
    page.get_by_label("Title").fill("Cardamom buns, fresh at 7")
    expect(page.locator('.option-count[data-count-for="id_opt-testnet-title"]')).to_have_text(
        "25 / 20"
    )
    expect(page.locator('.option-count[data-count-for="id_opt-testnet-title"]')).to_have_class(
        "option-count over"
    )
    meter = page.locator(".meter[data-network=testnet]")
    expect(meter.locator(".problems")).to_contain_text(
        "Testnet allows 20 characters in Title; this has 25."
    )

    # A two-second landscape video: too short and too wide for the network.
    page.locator("#media-file").set_input_files(str(make_video(2, 320, 180)))
    expect(page.locator(".media-chip")).to_have_count(1)
    expect(meter.locator(".problems")).to_contain_text(
        "Testnet takes videos of 3 to 60 seconds; this one is 2."
    )
    expect(meter.locator(".fact-bad").first).to_have_text("Video length: 3 to 60 s; video 1: 2 s")
    if screenshots is not None:
        page.screenshot(path=screenshots / "network-options-problems.png", full_page=True)

    # Put it right: a shorter title, a portrait video of four seconds, a board each.
    page.get_by_label("Title").fill("Cardamom buns")
    page.locator(".media-chip .remove-media").click()
    page.locator("#media-file").set_input_files(str(make_video(4, 180, 320)))
    expect(page.locator(".media-chip")).to_have_count(1)
    bakery_board.select_option("t1-cakes")
    page.get_by_label("Board for Acme Cafe").select_option("t2-bread")
    page.get_by_label("Tags").fill("buns, fika")
    page.get_by_label("Privacy").select_option("private")
    page.get_by_role("checkbox", name="Notify followers").uncheck()
    expect(meter).to_have_class("meter")  # nothing left to refuse
    expect(meter.locator(".fact-ok")).to_have_count(6)
    if screenshots is not None:
        page.screenshot(path=screenshots / "network-options-ready.png", full_page=True)

    page.get_by_role("radio", name="Save as draft").check()
    page.get_by_role("button", name="Save").click()
    post = Post.objects.get()
    expect(page).to_have_url(f"{live_server.url}/posts/{post.pk}/")
    assert post.overrides == {
        "testnet": {
            "options": {
                "title": "Cardamom buns",
                "privacy": "private",
                "tags": ["buns", "fika"],
                "notify": False,
                "board": {str(bakery.pk): "t1-cakes", str(cafe.pk): "t2-bread"},
            }
        }
    }
    assert post.attachments.get().asset.duration == pytest.approx(4.0, abs=0.05)

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name=f"Edit post #{post.pk}")).to_be_visible()
    expect(settings).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Cardamom buns")
    expect(page.get_by_label("Board for Acme Cafe")).to_have_value("t2-bread")
    expect(page.get_by_role("checkbox", name="Notify followers")).not_to_be_checked()
    expect(meter).to_have_class("meter")
    if screenshots is not None:
        page.screenshot(path=screenshots / "network-options-edit.png", full_page=True)
    page.get_by_label("Title").fill("Cardamom buns at 7")
    page.get_by_label("Board for Acme Cafe").select_option("t2-cakes")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/posts/{post.pk}/")
    post.refresh_from_db()
    options = post.overrides["testnet"]["options"]
    assert (options["title"], options["board"][str(cafe.pk)]) == ("Cardamom buns at 7", "t2-cakes")
