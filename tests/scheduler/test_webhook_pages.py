"""The Webhooks page: owners and admins add endpoints (the secret shown once),
see each one's recent events, disable, delete and test them; nobody else can."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler.models import AuditEvent, WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.conftest import Cast
from tests.scheduler.webhooks_setup import SECRET, endpoint, queued

__all__ = ["queued"]  # fixture
pytestmark = pytest.mark.django_db
URL = "https://hooks.example.com/smo"


def signed_in(cast: Cast, role: str) -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(cast: Cast) -> None:
    client = signed_in(cast, "admin")
    created = client.post(
        "/webhooks/",
        {"url": URL, "events": [WebhookEvent.DELIVERY_FAILED], "description": "Ops channel"},
    )
    assert created.status_code == 200
    hook = WebhookEndpoint.objects.get()
    assert (hook.workspace, hook.url, hook.events, hook.description, hook.created_by) == (
        cast.workspace,
        URL,
        ["delivery.failed"],
        "Ops channel",
        cast.admin.user,
    )
    secret = hook.signing_key
    assert secret.startswith("whsec_") and len(secret) > 40
    page = created.content.decode()
    assert secret in page
    assert "X-SMO-Signature" in page and "hmac.compare_digest" in page

    # Encrypted at rest, and never on a page again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM scheduler_webhookendpoint")
        [(stored,)] = cursor.fetchall()
    assert secret not in stored
    for address in ("/webhooks/", f"/webhooks/{hook.pk}/"):
        again = client.get(address)
        assert again.status_code == 200
        assert secret not in again.content.decode()
    assert "Ops channel" in client.get("/webhooks/").content.decode()
    [added] = AuditEvent.objects.all()
    assert (added.action, added.actor_name, added.target_label, added.details) == (
        "webhook.added",
        "admin",
        URL,
        {"events": ["delivery.failed"]},
    )


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://hooks.example.com/smo", "Enter an https address"),
        ("https://127.0.0.1/smo", "127.0.0.1 is not a public address"),
        ("https://192.168.1.20:8443/smo", "192.168.1.20 is not a public address"),
        ("not a url", "Enter a valid URL."),
    ],
)
def test_a_private_or_plain_http_address_is_refused_and_what_was_typed_is_kept(
    cast: Cast,
    settings,
    url: str,
    error: str,  # type: ignore[no-untyped-def]
) -> None:
    settings.SMO_FETCH_PRIVATE_URLS = False
    response = signed_in(cast, "owner").post(
        "/webhooks/",
        {"url": url, "events": [WebhookEvent.DELIVERY_PUBLISHED], "description": "CRM"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert f'value="{url}"' in page and 'value="CRM"' in page
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_needs_an_event(cast: Cast) -> None:
    response = signed_in(cast, "owner").post("/webhooks/", {"url": URL})
    assert response.status_code == 400
    assert "Choose at least one event." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("admin", 200), ("editor", 403), ("contributor", 403), ("viewer", 403)],
)
def test_only_owners_and_admins_reach_the_webhooks(cast: Cast, role: str, status: int) -> None:
    hook = endpoint(cast.workspace, URL)
    client = signed_in(cast, role)
    assert client.get("/webhooks/").status_code == status
    assert client.get(f"/webhooks/{hook.pk}/").status_code == status
    made = client.post("/webhooks/", {"url": URL + "/2", "events": ["delivery.failed"]})
    assert made.status_code == status
    for action in ("toggle", "test"):
        assert client.post(f"/webhooks/{hook.pk}/{action}/").status_code in {302, status}
    assert client.post(f"/webhooks/{hook.pk}/delete/").status_code in {302, status}
    if status == 403:
        assert list(WebhookEndpoint.objects.values_list("url", "active")) == [(URL, True)]
        assert not WebhookDelivery.objects.exists()


def test_another_workspaces_webhook_answers_404(cast: Cast) -> None:
    theirs = endpoint(cast.outsider.workspace, URL)
    client = signed_in(cast, "owner")
    assert client.get(f"/webhooks/{theirs.pk}/").status_code == 404
    for action in ("toggle", "test", "delete"):
        assert client.post(f"/webhooks/{theirs.pk}/{action}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.active
    assert URL not in client.get("/webhooks/").content.decode()


def test_disable_enable_test_and_delete(
    cast: Cast, queued: list[int], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    hook = endpoint(cast.workspace, URL)
    client = signed_in(cast, "admin")

    assert client.post(f"/webhooks/{hook.pk}/toggle/").status_code == 302
    hook.refresh_from_db()
    assert not hook.active
    refused = client.post(f"/webhooks/{hook.pk}/test/", follow=True)
    assert "Enable the webhook before sending a test event." in refused.content.decode()
    assert not WebhookDelivery.objects.exists()

    client.post(f"/webhooks/{hook.pk}/toggle/")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/webhooks/{hook.pk}/test/", follow=True)
    assert "A test event is on its way" in sent.content.decode()
    [row] = WebhookDelivery.objects.all()
    assert (row.endpoint, row.event, row.state) == (hook, WebhookEvent.TEST, "pending")
    assert row.payload["data"] == {"message": "A test event from SMO. Your endpoint received it."}
    assert queued == [row.pk]
    assert 'data-state="pending"' in sent.content.decode()

    assert client.post(f"/webhooks/{hook.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    logged = AuditEvent.objects.filter(workspace=cast.workspace).order_by("pk")
    assert [(e.action, e.actor_name, e.target_label) for e in logged] == [
        ("webhook.disabled", "admin", URL),
        ("webhook.enabled", "admin", URL),
        ("webhook.deleted", "admin", URL),
    ]


def add_events(hook: WebhookEndpoint, n: int) -> None:
    for i in range(n):
        WebhookDelivery.objects.create(
            endpoint=hook,
            event=WebhookEvent.DELIVERY_PUBLISHED,
            payload={},
            state=["pending", "succeeded", "failed"][i % 3],
            attempts=1 + i % 3,
            last_status=[500, 200, 404][i % 3],
        )


def test_the_pages_make_the_same_queries_however_many_webhooks_and_events(cast: Cast) -> None:
    client = signed_in(cast, "admin")
    first = endpoint(cast.workspace, URL)
    add_events(first, 2)
    client.get("/webhooks/")  # warm: session, workspace
    with CaptureQueriesContext(connection) as few_list:
        client.get("/webhooks/")
    with CaptureQueriesContext(connection) as few_events:
        client.get(f"/webhooks/{first.pk}/")

    for i in range(6):
        add_events(endpoint(cast.workspace, f"{URL}/{i}", active=i % 2 == 0), 3)
    add_events(first, 30)
    with CaptureQueriesContext(connection) as many_list:
        page = client.get("/webhooks/").content.decode()
    with CaptureQueriesContext(connection) as many_events:
        events = client.get(f"/webhooks/{first.pk}/").content.decode()

    assert page.count('class="row webhook-endpoint"') == 7
    assert "32 events, last" in page
    assert events.count('class="webhook-attempt"') == 32
    assert "HTTP 404" in events
    assert len(many_list.captured_queries) == len(few_list.captured_queries)
    assert len(many_events.captured_queries) == len(few_events.captured_queries)
    assert SECRET not in page + events


def test_signing_secrets_are_re_encrypted_when_keys_rotate(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    hook = endpoint(cast.workspace, URL)
    old_key = settings.SMO_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.SMO_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_credentials")
    settings.SMO_ENCRYPTION_KEYS = [new_key]  # the old key is gone now
    assert WebhookEndpoint.objects.get(pk=hook.pk).signing_key == SECRET


def test_a_webhook_timeout_longer_than_the_task_limit_is_a_configuration_error(settings) -> None:  # type: ignore[no-untyped-def]
    from scheduler.checks import check_timeout_ladder

    settings.SMO_WEBHOOK_TIMEOUT = settings.CELERY_TASK_SOFT_TIME_LIMIT
    [error] = check_timeout_ladder(None)
    assert error.id == "smo.E003" and "SMO_WEBHOOK_TIMEOUT" in error.msg
