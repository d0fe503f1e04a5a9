"""The Activity page in a browser: an admin sees who did what, and filters it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scheduler.models import AuditEvent, Role
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def test_an_admin_reads_and_filters_the_activity_log(
    live_server: Any, page: Page, screenshots: Path | None
) -> None:
    workspace = WorkspaceFactory(name="Acme")
    admin = MembershipFactory(
        user=UserFactory(username="ada", password=PASSWORD), workspace=workspace, role=Role.ADMIN
    )
    account = SandboxAccountFactory(workspace=workspace, name="Acme Sandbox")
    A = AuditEvent.Action
    for action, who, label, details in [
        (A.ACCOUNT_CONNECTED, admin.user, "Acme Sandbox", {"network": "sandbox"}),
        (A.POST_CREATED, admin.user, "Cardamom buns at seven", {}),
        (A.POST_EDITED, admin.user, "Cardamom buns at eight", {"fields": ["text", "media"]}),
        (
            A.POST_PUBLISHED,
            None,
            "Cardamom buns at eight",
            {"account": account.name, "network": "sandbox", "url": "http://127.0.0.1/sandbox/"},
        ),
    ]:
        AuditEvent.objects.create(
            workspace=workspace,
            actor=who,
            actor_name=who.username if who else "",
            action=action,
            target_type="socialaccount" if action == A.ACCOUNT_CONNECTED else "post",
            target_label=label,
            details=details,
        )

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Activity").click()
    rows = page.locator(".audit-event")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Post published")
    expect(rows.first).to_contain_text("SMO")
    expect(rows.nth(1)).to_contain_text("Changed: text, media")
    if screenshots is not None:
        page.screenshot(path=screenshots / "activity-log.png", full_page=True)

    page.get_by_label("What").select_option(A.POST_EDITED)
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ada")
