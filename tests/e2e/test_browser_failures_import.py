"""In a real browser: fix a failed post from "Needs a look", then import posts from a CSV file.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_failures_import.py

saves failures-<size>.png and import-preview-<size>.png for each viewport.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduler.models import Delivery, DeliveryAttempt, Membership, Post, Role
from tests.e2e.menu import open_menu
from tests.e2e.test_browser_flow import VIEWPORTS, ZONE, log_in
from tests.factories import (
    DeliveryFactory,
    MembershipFactory,
    SandboxAccountFactory,
    UserFactory,
    WorkspaceFactory,
)

S = Delivery.State
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def admin(transactional_db: None) -> Membership:
    """`admin` owns Acme; one post failed on its sandbox account, one is in doubt."""
    workspace = WorkspaceFactory(name="Acme", timezone=ZONE)
    membership = MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE), workspace=workspace, role=Role.OWNER
    )
    account = SandboxAccountFactory(workspace=workspace, name="Acme Sandbox", handle="acme")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    broken = DeliveryFactory(
        post__workspace=workspace,
        post__text="Winter opening hours: we open at 10 from Monday. Come by for a warm drink!",
        post__scheduled_at=an_hour_ago,
        account=account,
        state=S.FAILED,
        attempts=1,
        last_error="Sandbox: simulated refusal of this post.",
    )
    DeliveryAttempt.objects.create(
        delivery=broken,
        number=1,
        started_at=an_hour_ago,
        finished_at=an_hour_ago,
        outcome="permanent",
        network_code="422",
        detail=broken.last_error,
    )
    DeliveryFactory(
        post__workspace=workspace,
        post__text="Thanks to everyone who came to the tasting on Saturday.",
        post__scheduled_at=an_hour_ago,
        account=SandboxAccountFactory(workspace=workspace, name="Acme Events"),
        state=S.NEEDS_ATTENTION,
        attempts=3,
        last_error="Sandbox cannot tell whether this post went out.",
    )
    return membership


def csv_file(folder: Path, name: str, third_account: str) -> Path:
    day = (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo(ZONE)).date()
    path = folder / name
    path.write_text(
        "text,time,accounts,link\n"
        f'"Cardamom buns are back, all week.",{day} 09:00,Acme Sandbox,https://example.com/buns\n'
        f"Live music on Friday night.,{day} 17:30,Acme Sandbox|Acme Events,\n"
        f"Last call for the winter menu.,{day} 20:00,{third_account},\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_person_retries_a_failed_post_then_imports_a_csv_after_fixing_a_row(
    live_server: Any,
    admin: Membership,
    new_context: Any,
    viewport: dict[str, int],
    screenshots: Path | None,
    tmp_path: Path,
) -> None:
    page: Page = new_context(viewport=viewport).new_page()
    base = live_server.url
    size = f"{viewport['width']}x{viewport['height']}"

    def look(name: str) -> None:
        page.wait_for_load_state()
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name} scrolls sideways at {size}: {width}"
        if screenshots is not None:
            page.screenshot(
                path=screenshots / f"{name}-{size}.png", full_page=True, animations="disabled"
            )

    log_in(page, base)
    expect(page.locator(".menu-toggle .nav-count")).to_have_text("2")  # seen on a phone
    open_menu(page)
    expect(page.get_by_test_id("needs-a-look-count")).to_have_text("2")
    page.get_by_role("link", name="Needs a look").click()
    failed = page.locator("article.failure", has_text="Winter opening hours")
    expect(failed.get_by_test_id("failure-reason")).to_contain_text("Sandbox refused this post.")
    expect(failed.get_by_test_id("delivery-state")).to_have_text("Failed")
    look("failures")

    failed.get_by_role("button", name="Retry").click()
    expect(
        page.get_by_text("Scheduled again: Acme Sandbox will get it in a moment.")
    ).to_be_visible()
    expect(page.locator("article.failure")).to_have_count(1)
    expect(page.get_by_test_id("needs-a-look-count")).to_have_text("1")
    delivery = Delivery.objects.get(post__text__startswith="Winter opening hours")
    assert delivery.state == S.SCHEDULED
    page.goto(f"{base}/posts/{delivery.post_id}/")
    expect(page.get_by_test_id("delivery-state")).to_have_attribute("data-state", "scheduled")

    page.goto(f"{base}/posts/import/")
    page.get_by_label("CSV file").set_input_files(csv_file(tmp_path, "posts.csv", "Acme Cafe"))
    page.get_by_role("button", name="Check the file").click()
    bad = page.locator("tr.row-bad")
    expect(bad).to_have_count(1)
    expect(bad.get_by_test_id("row-problems")).to_have_text(
        "No connected account is called “Acme Cafe”."
    )
    expect(page.get_by_role("button", name="Import 2 valid rows")).to_be_visible()
    page.reload()  # the preview is kept on the server
    expect(page.locator("tr.row-bad")).to_have_count(1)
    look("import-preview")
    assert Post.objects.count() == 2

    page.get_by_label("CSV file").set_input_files(csv_file(tmp_path, "fixed.csv", "Acme Events"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("tr.row-bad")).to_have_count(0)
    page.get_by_role("button", name="Import 3 valid rows").click()
    expect(page.get_by_text("Imported 3 posts.")).to_be_visible()
    assert Post.objects.count() == 5
    imported = Delivery.objects.filter(
        post__text__in=[
            "Cardamom buns are back, all week.",
            "Live music on Friday night.",
            "Last call for the winter menu.",
        ]
    )
    assert sorted(imported.values_list("account__name", "state")) == [
        ("Acme Events", S.SCHEDULED),
        ("Acme Events", S.SCHEDULED),
        ("Acme Sandbox", S.SCHEDULED),
        ("Acme Sandbox", S.SCHEDULED),
    ]
