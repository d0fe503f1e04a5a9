"""The audit log: each change leaves one event naming who did it, whichever way
it came in (the pages, the API, the workers), and owners and admins read them
on the Activity page, filtered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels import manual, oauth
from channels.adapters import base
from scheduler import engine
from scheduler.models import AuditEvent, Delivery, Post
from tests.conftest import Cast
from tests.factories import DeliveryFactory, SandboxAccountFactory

A = AuditEvent.Action
S = Delivery.State
pytestmark = pytest.mark.django_db


def events(cast: Cast) -> list[tuple[str, str, str]]:
    """(action, who, target) of the workspace's events, oldest first."""
    return [
        (e.action, e.actor_name, e.target_label)
        for e in AuditEvent.objects.filter(workspace=cast.workspace).order_by("pk")
    ]


def signed_in(cast: Cast, role: str) -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def test_a_posts_life_through_the_api_is_logged_with_who_did_each_step(
    cast: Cast,
    api,
    account,  # type: ignore[no-untyped-def]
) -> None:
    made = api.as_role("contributor").post(
        "/api/v1/posts/",
        {
            "text": "Cardamom buns at seven",
            "scheduled_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "account_ids": [account.pk],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    later = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    edited = api.as_role("editor").patch(
        f"/api/v1/posts/{pk}/",
        {"text": "Cardamom buns at eight", "scheduled_at": later.isoformat()},
        format="json",
    )
    assert edited.status_code == 200, edited.json()
    assert api.as_role("editor").post(f"/api/v1/posts/{pk}/approve/").status_code == 200
    assert api.as_role("editor").delete(f"/api/v1/posts/{pk}/").status_code == 200

    # (The API client's keys are logged too, as they are made.)
    assert [e for e in events(cast) if not e[0].startswith("api_key.")] == [
        (A.POST_CREATED, "contributor", "Cardamom buns at seven"),
        (A.POST_EDITED, "editor", "Cardamom buns at eight"),
        (A.POST_RESCHEDULED, "editor", "Cardamom buns at eight"),
        (A.POST_APPROVED, "editor", "Cardamom buns at eight"),
        (A.POST_DELETED, "editor", "Cardamom buns at eight"),
    ]
    created, edit, moved = AuditEvent.objects.filter(action__startswith="post.").order_by("pk")[:3]
    assert (created.target_type, created.target_id) == ("post", str(pk))
    assert created.details["state"] == S.AWAITING_APPROVAL
    assert edit.details["fields"] == ["text"]
    assert moved.details["after"] == later.isoformat()


def test_a_rejection_is_logged_with_the_reason(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(
        account=account, post__workspace=cast.workspace, state=S.AWAITING_APPROVAL
    )
    client = signed_in(cast, "editor")
    response = client.post(
        f"/posts/{delivery.post_id}/reject/", {"reason": "Wrong bakery in the photo"}
    )
    assert response.status_code == 302
    [event] = AuditEvent.objects.filter(action=A.POST_REJECTED)
    assert (event.actor_name, event.details["note"]) == ("editor", "Wrong bakery in the photo")


def test_publishing_and_failing_are_logged_as_smo_with_the_account_and_the_outcome(
    account,  # type: ignore[no-untyped-def]
) -> None:
    ok = DeliveryFactory(account=account, state=S.QUEUED)
    assert engine.publish(ok.pk) == "published"
    broken = SandboxAccountFactory(
        workspace=account.workspace, options={"failure_rate": 1, "failure_kind": "permanent"}
    )
    bad = DeliveryFactory(account=broken, state=S.QUEUED)
    engine.publish(bad.pk)

    published = AuditEvent.objects.get(action=A.POST_PUBLISHED)
    ok.refresh_from_db()
    assert (published.actor, published.actor_name) == (None, "")
    assert published.details["url"] == ok.external_url
    assert published.details["account"] == account.name
    failed = AuditEvent.objects.get(action=A.POST_FAILED)
    assert failed.details["reason"]
    assert failed.target_id == str(bad.post_id)


def test_connecting_accounts_is_logged(cast: Cast) -> None:
    admin = cast.role("admin")
    creds = base.Credentials("42", handle="acme", secrets={"token": "s3cret-token-value"})
    oauth.save_connections(admin, [base.Connection("sandbox", creds, "Acme Sandbox")])
    oauth.save_connections(admin, [base.Connection("sandbox", creds, "Acme Sandbox")])
    manual.add_account(admin, "snapchat", "Acme Snaps", "acmesnaps")

    assert events(cast) == [
        (A.ACCOUNT_CONNECTED, "admin", "Acme Sandbox"),
        (A.ACCOUNT_CONNECTED, "admin", "Acme Sandbox"),
        (A.ACCOUNT_CONNECTED, "admin", "Acme Snaps"),
    ]
    again = [e.details["again"] for e in AuditEvent.objects.order_by("pk")]
    assert again == [False, True, False]
    assert "s3cret-token-value" not in str(list(AuditEvent.objects.values()))


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("admin", 200), ("editor", 403), ("contributor", 403), ("viewer", 403)],
)
def test_owners_and_admins_read_the_activity_page(cast: Cast, role: str, status: int) -> None:
    assert signed_in(cast, role).get("/activity/").status_code == status


def make_events(cast: Cast, n: int) -> None:
    post = Post.objects.create(workspace=cast.workspace, author=cast.editor.user, text="Buns")
    for i in range(n):
        AuditEvent.objects.create(
            workspace=cast.workspace,
            actor=cast.editor.user if i % 2 else None,
            actor_name="editor" if i % 2 else "",
            action=A.POST_EDITED if i % 2 else A.POST_PUBLISHED,
            target_type="post",
            target_id=str(post.pk),
            target_label=f"Buns {i}",
            details={"fields": ["text"]} if i % 2 else {"url": "https://example.com/1"},
        )


def test_the_page_shows_only_this_workspaces_events_filtered(cast: Cast) -> None:
    make_events(cast, 6)
    AuditEvent.objects.create(
        workspace=cast.outsider.workspace, action=A.POST_CREATED, target_label="Not yours"
    )
    client = signed_in(cast, "admin")
    page = client.get("/activity/").content.decode()
    assert page.count('class="row audit-event"') == 6
    assert "Not yours" not in page
    assert "Changed: text" in page

    edits = client.get("/activity/", {"action": A.POST_EDITED}).content.decode()
    assert edits.count('class="row audit-event"') == 3
    by_editor = client.get("/activity/", {"person": "EDITOR"}).content.decode()
    assert by_editor.count('class="row audit-event"') == 3
    today = timezone.localdate()
    past = client.get("/activity/", {"until": str(today - timedelta(days=1))}).content.decode()
    assert "Nothing matches these filters." in past


def test_a_backwards_date_range_says_so_and_keeps_what_was_typed(cast: Cast) -> None:
    make_events(cast, 2)
    response = signed_in(cast, "owner").get(
        "/activity/", {"since": "2026-11-20", "until": "2026-11-10", "person": "editor"}
    )
    page = response.content.decode()
    assert "Pick a day on or after the first." in page
    assert 'value="2026-11-20"' in page and 'value="editor"' in page
    assert 'class="row audit-event"' not in page


def test_the_page_makes_the_same_queries_however_many_events(cast: Cast) -> None:
    client = signed_in(cast, "admin")
    make_events(cast, 3)
    client.get("/activity/")  # warm: session, workspace
    with CaptureQueriesContext(connection) as few:
        assert client.get("/activity/").status_code == 200
    make_events(cast, 45)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/activity/").content.decode()
    assert page.count('class="row audit-event"') == 48
    assert len(many.captured_queries) == len(few.captured_queries)


def test_disconnecting_and_reconnecting_are_logged_once_each(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    DeliveryFactory(account=account, post__workspace=cast.workspace, state=S.SCHEDULED)
    client = signed_in(cast, "admin")
    client.post(f"/accounts/{account.pk}/disconnect/")
    client.post(f"/accounts/{account.pk}/disconnect/")  # already disconnected: no second event
    client.post(f"/accounts/{account.pk}/reconnect/")

    assert [(a, who) for a, who, _label in events(cast)] == [
        (A.ACCOUNT_DISCONNECTED, "admin"),
        (A.ACCOUNT_CONNECTED, "admin"),
    ]
    gone = AuditEvent.objects.get(action=A.ACCOUNT_DISCONNECTED)
    assert gone.details == {"network": "sandbox", "held": 1}


def test_api_keys_made_and_revoked_are_logged_without_their_secret(cast: Cast) -> None:
    from scheduler import apikeys

    new = apikeys.create(cast.role("editor"), "Zapier")
    apikeys.revoke(new.key)
    apikeys.revoke(new.key)  # twice changes nothing

    assert events(cast) == [
        (A.API_KEY_CREATED, "editor", "Zapier"),
        (A.API_KEY_REVOKED, "editor", "Zapier"),
    ]
    stored = str(list(AuditEvent.objects.values()))
    assert new.secret not in stored and new.key.hashed not in stored
    assert AuditEvent.objects.first().details == {"prefix": f"smo_{new.key.lookup}"}


def test_people_changes_are_logged(cast: Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    from scheduler import invites, members
    from scheduler.models import Role
    from tests.factories import UserFactory
    from tests.scheduler.test_invites import token_of

    owner = cast.role("owner")
    with django_capture_on_commit_callbacks(execute=True):
        first = invites.invite(owner, "sam@example.com", Role.EDITOR)
        invites.resend(owner, first)
        second = invites.invite(owner, "kim@example.com", Role.VIEWER)
    invites.revoke(owner, second)
    invites.revoke(owner, second)  # twice changes nothing
    sam = UserFactory(username="sam")
    joined, _new = invites.accept(token_of(mail.outbox[1]), sam)
    members.change_role(owner, joined, Role.ADMIN)
    members.remove(owner, joined)

    assert events(cast) == [
        (A.MEMBER_INVITED, "owner", "sam@example.com"),
        (A.MEMBER_INVITED, "owner", "sam@example.com"),
        (A.MEMBER_INVITED, "owner", "kim@example.com"),
        (A.INVITE_REVOKED, "owner", "kim@example.com"),
        (A.MEMBER_JOINED, "sam", "sam"),
        (A.ROLE_CHANGED, "owner", "sam"),
        (A.MEMBER_REMOVED, "owner", "sam"),
    ]
    changed = AuditEvent.objects.get(action=A.ROLE_CHANGED)
    assert changed.details == {"role": "Admin", "role_before": "Editor"}
    page = signed_in(cast, "owner").get("/activity/").content.decode()
    assert "Editor → Admin" in page
