"""The Webhooks page in a browser: an admin adds an endpoint, copies the secret
shown once, sends a test event and reads how its attempts went."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduler import webhook_sending
from scheduler.models import Role, WebhookDelivery, WebhookEndpoint
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.fakes.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def test_an_admin_adds_a_webhook_and_reads_its_attempts(
    live_server: Any, page: Page, screenshots: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler.tasks import send_webhook

    monkeypatch.setattr(send_webhook, "delay", lambda pk: None)  # sent below, by hand
    workspace = WorkspaceFactory(name="Acme")
    MembershipFactory(
        user=UserFactory(username="ada", password=PASSWORD), workspace=workspace, role=Role.ADMIN
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Activity").click()
    page.get_by_role("link", name="Webhooks").click()

    with Receiver() as receiver:
        receiver.answers = [500]
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Description").fill("Ops dashboard")
        page.get_by_role("button", name="Add webhook").click()
        secret = page.get_by_test_id("webhook-secret").inner_text()
        assert secret == WebhookEndpoint.objects.get().signing_key
        if screenshots is not None:
            page.screenshot(path=screenshots / "webhook-created.png", full_page=True)
        page.get_by_role("link", name="Done").click()
        page.get_by_role("button", name="Send a test event").click()
        expect(page.get_by_text("A test event is on its way")).to_be_visible()

        [row] = WebhookDelivery.objects.all()
        webhook_sending.send(row.pk)  # 500: tried again later
        webhook_sending.send(row.pk, now=timezone.now() + timedelta(minutes=2))
        assert len(receiver.requests) == 2

    page.reload()
    rows = page.locator(".webhook-attempt")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Delivered")
    expect(rows.first).to_contain_text("HTTP 200")
    assert secret not in page.content()
    if screenshots is not None:
        page.screenshot(path=screenshots / "webhook-detail.png", full_page=True)
    page.get_by_role("link", name="All webhooks").click()
    expect(page.locator(".webhook-endpoint")).to_contain_text("Ops dashboard")
    if screenshots is not None:
        page.screenshot(path=screenshots / "webhooks.png", full_page=True)
