"""In a real browser: make an API key on the profile page, copy it, use it, revoke it.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_api_keys.py

saves api-key-new-1280x800.png, api-key-new-390x844.png and api-keys-1280x800.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scheduler import apikeys
from scheduler.models import ApiKey, Membership
from tests.e2e.test_browser_flow import ZONE, log_in
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def admin(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Acme", timezone=ZONE)
    return MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE), workspace=workspace, role="owner"
    )


def test_a_key_is_made_copied_used_and_revoked(
    live_server: Any, admin: Membership, page: Page, screenshots: Path | None
) -> None:
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    log_in(page, base)
    apikeys.create(admin, "Old build server")

    page.goto(f"{base}/profile/")
    page.get_by_label("Key name").fill("Zapier")
    page.get_by_label("Expires").select_option(label="In 90 days")
    page.get_by_role("button", name="Create key").click()

    field = page.get_by_label("The new API key")
    secret = field.input_value()
    assert re.fullmatch(r"smo_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", secret)
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".new-key .copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    if screenshots is not None:
        page.screenshot(path=screenshots / "api-key-new-1280x800.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=screenshots / "api-key-new-390x844.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

    # The key works against the API.
    answer = page.request.get(
        f"{base}/api/v1/posts/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200

    # Back on the page, only its prefix is left.
    page.goto(f"{base}/profile/")
    assert secret not in page.content()
    key = ApiKey.objects.get(name="Zapier")
    row = page.locator("tr", has_text="Zapier")
    expect(row).to_contain_text(f"smo_{key.lookup}…")
    expect(row).not_to_contain_text("Never")  # used once, and it expires

    row.get_by_role("button", name="Revoke Zapier").click()
    expect(page.get_by_text("The key “Zapier” is revoked.")).to_be_visible()
    expect(page.locator("tr", has_text="Zapier")).to_contain_text("Revoked")
    if screenshots is not None:
        page.screenshot(path=screenshots / "api-keys-1280x800.png", full_page=True)
    answer = page.request.get(
        f"{base}/api/v1/posts/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 401
