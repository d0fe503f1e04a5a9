"""The composer in a real browser: upload an image with progress, give X its own
text in its tab, watch each network's counter and preview follow, save, duplicate."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Page, expect

from channels.models import SocialAccount
from scheduler.models import MediaAsset, Membership, Post, Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
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
    for network, name in (("x", "Acme Bakery"), ("instagram", "acmebakery")):
        SocialAccount.objects.create(
            workspace=workspace, network=network, external_id="1", name=name, handle="acmebakery"
        )
    return membership


def jpeg_file(folder: Path) -> Path:
    path = folder / "buns.jpg"
    Image.new("RGB", (1080, 1080), "orange").save(path, "JPEG")
    return path


def test_an_editor_uploads_an_image_gives_x_its_own_text_and_sees_each_preview(
    live_server: Any, editor: Membership, page: Page, tmp_path: Path, screenshots: Path | None
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/compose/")
    page.get_by_role("checkbox", name="acmebakery").check()
    page.get_by_role("checkbox", name="Acme Bakery").check()
    text = "Our spring menu is here: cardamom buns, rhubarb cold brew and more. " * 5
    page.get_by_label("Text", exact=True).fill(text)
    instagram = page.locator(".meter[data-network=instagram]")
    expect(instagram).to_have_class("meter blocked")  # no image yet
    expect(page.locator(".meter[data-network=x]")).to_have_class("meter over blocked")

    page.locator("#media-file").set_input_files(str(jpeg_file(tmp_path)))
    expect(page.locator(".media-chip")).to_have_count(1)
    expect(instagram).to_have_class("meter")  # the image satisfies Instagram

    page.get_by_role("tab", name="X").click()
    page.get_by_label("Text for X").fill("Spring menu is here 🥐")
    x_meter = page.locator(".meter[data-network=x]")
    expect(x_meter.locator(".meter-count")).to_have_text("22 / 280")
    expect(page.locator(".preview-x .preview-text")).to_have_text("Spring menu is here 🥐")
    expect(page.locator(".preview-instagram .preview-media img")).to_have_count(1)
    if screenshots is not None:
        page.screenshot(path=screenshots / "compose-previews-1280x800.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=screenshots / "compose-previews-390x844.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("radio", name="Save as draft").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/posts/{Post.objects.get().pk}/")
    post = Post.objects.get()
    assert post.overrides == {"x": {"text": "Spring menu is here 🥐"}}
    assert [a.asset.original_name for a in post.attachments.all()] == ["buns.jpg"]

    page.get_by_role("link", name="Duplicate").click()
    expect(page.get_by_label("Text", exact=True)).to_have_value(text)
    expect(page.locator(".media-chip")).to_have_count(1)
    assert MediaAsset.objects.count() == 1


def test_an_editor_picks_an_image_from_the_library_and_repeats_the_post_weekly(
    live_server: Any, editor: Membership, page: Page, tmp_path: Path
) -> None:
    asset = MediaAsset(
        workspace=editor.workspace,
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        width=1080,
        height=1080,
        size=0,
    )
    data = jpeg_file(tmp_path).read_bytes()
    asset.size = len(data)
    asset.file.save("buns.jpg", ContentFile(data))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/compose/")
    page.get_by_role("checkbox", name="acmebakery").check()
    page.get_by_label("Text", exact=True).fill("Fresh buns every Friday")
    page.get_by_role("button", name="pick from the library").click()
    page.get_by_role("button", name="Add buns.jpg").click()
    expect(page.locator(".media-chip")).to_have_count(1)
    expect(page.locator(".meter[data-network=instagram]")).to_have_class("meter")

    page.get_by_role("radio", name="Schedule").check()
    page.locator("details.compose-repeat > summary").click()  # open the section
    page.get_by_role("checkbox", name="Repeat this post").check()
    page.get_by_label("Repeat", exact=True).select_option("weekly")
    page.get_by_label("Number of posts").fill("3")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Saved a series of 3 posts.")).to_be_visible()
    first = Post.objects.get(repeat_of=None)
    assert first.recurrence.startswith("FREQ=WEEKLY") and first.recurrence.endswith("COUNT=3")
    times = list(Post.objects.order_by("scheduled_at").values_list("scheduled_at", flat=True))
    assert [(b - a).days for a, b in pairwise(times)] == [7, 7]
    assert all(p.attachments.get().asset_id == asset.pk for p in Post.objects.all())
