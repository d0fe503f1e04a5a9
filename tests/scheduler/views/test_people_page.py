"""The People page, creating and switching workspaces, and following an invitation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from scheduler import invites
from scheduler.models import Invite, Membership, Role, User
from tests.conftest import NOW, Cast
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def signed_in(cast: Cast, role: str) -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def invite_link(
    cast: Cast, capture, role: str = Role.EDITOR, email: str = "new@example.com"
) -> str:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = signed_in(cast, "owner").post("/people/invite/", {"email": email, "role": role})
    assert response.status_code == 302
    return re.search(r"http://127.0.0.1:8000(/invite/[\w-]+/)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]


def test_managers_see_members_with_roles_addresses_and_invites(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    invite_link(cast, django_capture_on_commit_callbacks)
    page = signed_in(cast, "admin").get("/people/")
    html = page.content.decode()
    assert page.status_code == 200
    names = re.findall(r'<tr id="member-\d+">\s*<th scope="row">(\w+)', html)
    assert names == ["owner", "admin", "editor", "contributor", "viewer"]
    assert "editor@example.com" in html
    assert "new@example.com" in html
    assert "Send invitation" in html
    # An admin is offered every role but owner, and no buttons on the owner's row.
    assert '<option value="owner"' not in html
    assert f'action="/people/{cast.owner.pk}/role/"' not in html
    assert f'action="/people/{cast.editor.pk}/role/"' in html


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_other_members_see_who_is_in_but_nothing_to_manage(cast: Cast, role: str) -> None:
    html = signed_in(cast, role).get("/people/").content.decode()
    assert "contributor" in html and "Viewer" in html
    assert "@example.com" not in html
    assert "Send invitation" not in html and "/role/" not in html and "Pending" not in html


def test_the_people_page_costs_the_same_queries_however_many_people(
    cast: Cast, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:
    client = signed_in(cast, "owner")
    client.get("/people/")
    # Fixed costs include the navigation's counts (needs a look, reminders, inbox).
    with django_assert_num_queries(9):
        client.get("/people/")
    for n in range(8):
        MembershipFactory(workspace=cast.workspace, role=Role.VIEWER)
        invite_link(cast, django_capture_on_commit_callbacks, email=f"p{n}@example.com")
    with django_assert_num_queries(9):
        client.get("/people/")


def test_a_refused_invitation_keeps_what_was_typed(cast: Cast) -> None:
    response = signed_in(cast, "admin").post(
        "/people/invite/", {"email": "editor@EXAMPLE.com", "role": "owner"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="editor@EXAMPLE.com"' in html
    assert "Select a valid choice. owner is not one of the available choices." in html
    response = signed_in(cast, "admin").post(
        "/people/invite/", {"email": "editor@EXAMPLE.com", "role": "viewer"}
    )
    assert response.status_code == 400
    assert "editor@EXAMPLE.com is already a member." in response.content.decode()
    assert Invite.objects.count() == 0


def test_an_owner_changes_a_role_and_removes_a_member(cast: Cast) -> None:
    client = signed_in(cast, "owner")
    response = client.post(f"/people/{cast.editor.pk}/role/", {"role": "viewer"}, follow=True)
    assert "editor is now Viewer." in response.content.decode()
    response = client.post(f"/people/{cast.contributor.pk}/remove/", follow=True)
    assert "contributor is no longer a member. Their posts stay." in response.content.decode()
    assert dict(
        Membership.objects.filter(workspace=cast.workspace).values_list("user__username", "role")
    ) == {"owner": "owner", "admin": "admin", "editor": "viewer", "viewer": "viewer"}


def test_the_last_owner_is_told_why_they_cannot_step_down(cast: Cast) -> None:
    response = signed_in(cast, "owner").post(
        f"/people/{cast.owner.pk}/role/", {"role": "admin"}, follow=True
    )
    assert "owner is the last owner; make someone else an owner first." in (
        response.content.decode()
    )
    assert Membership.objects.get(pk=cast.owner.pk).role == Role.OWNER


def test_another_workspaces_member_or_invitation_is_404(cast: Cast) -> None:
    theirs = Invite.objects.create(
        workspace=cast.outsider.workspace, email="x@example.com", token_hash="x", expires_at=NOW
    )
    client = signed_in(cast, "owner")
    assert client.post(f"/people/{cast.outsider.pk}/role/", {"role": "viewer"}).status_code == 404
    assert client.post(f"/people/{cast.outsider.pk}/remove/").status_code == 404
    assert client.post(f"/people/invites/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/people/invites/{theirs.pk}/resend/").status_code == 404


def test_revoke_and_resend_from_the_page(cast: Cast, django_capture_on_commit_callbacks) -> None:
    old = invite_link(cast, django_capture_on_commit_callbacks)
    made = Invite.objects.get()
    client = signed_in(cast, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/invites/{made.pk}/resend/", follow=True)
    assert "A new link went to new@example.com" in response.content.decode()
    assert Client().get(old).status_code == 410
    response = client.post(f"/people/invites/{made.pk}/revoke/", follow=True)
    assert "The invitation to new@example.com is revoked" in response.content.decode()
    assert "No pending invitations." in response.content.decode()


def test_anyone_signed_in_creates_a_workspace_and_lands_in_it(cast: Cast) -> None:
    client = signed_in(cast, "viewer")
    response = client.post("/workspaces/new/", {"name": "Client B", "timezone": "Asia/Tokyo"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    page = client.get("/people/").content.decode()
    assert "People in Client B" in page
    # Both workspaces are in the switcher now, the new one chosen.
    options = re.findall(r'<option value="(\d+)" (selected)?>([^<]+)</option>', page)
    assert [(o[2], o[1]) for o in options] == [("Acme", ""), ("Client B", "selected")]
    acme = str(cast.workspace.pk)
    assert client.post("/workspace/", {"workspace": acme}).status_code == 302
    assert "People in Acme" in client.get("/people/").content.decode()


def test_a_workspace_form_with_mistakes_keeps_what_was_typed(cast: Cast) -> None:
    response = signed_in(cast, "viewer").post(
        "/workspaces/new/", {"name": "Kept", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Kept"' in html and "Unknown time zone: Mars/Olympus." in html


def test_a_person_without_a_workspace_is_offered_to_create_one(db: None) -> None:
    client = Client()
    client.force_login(UserFactory(username="loner"))
    page = client.get("/")
    assert page.status_code == 403
    assert 'href="/workspaces/new/"' in page.content.decode()
    client.post("/workspaces/new/", {"name": "Mine", "timezone": "UTC"})
    assert client.get("/").status_code == 200


def test_a_new_person_signs_up_from_the_link_and_lands_in_the_workspace(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    link = invite_link(cast, django_capture_on_commit_callbacks, Role.CONTRIBUTOR)
    client = Client()
    page = client.get(link).content.decode()
    assert "owner invites you to Acme as Contributor." in page
    bad = client.post(link, {"username": "newbie", "password1": "x", "password2": "y"})
    assert bad.status_code == 400
    assert 'value="newbie"' in bad.content.decode()
    response = client.post(
        link, {"username": "newbie", "password1": "a long pass 123", "password2": "a long pass 123"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    person = User.objects.get(username="newbie")
    assert person.email == "new@example.com"
    assert Membership.objects.get(user=person).role == Role.CONTRIBUTOR
    assert "Welcome to Acme: you joined as Contributor." in client.get("/").content.decode()


def test_a_signed_in_person_joins_and_switches_to_the_workspace(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    link = invite_link(cast, django_capture_on_commit_callbacks, Role.VIEWER)
    client = Client()
    client.force_login(cast.outsider.user)
    page = client.get(link).content.decode()
    assert "You are signed in as outsider; the invitation was sent to new@example.com." in page
    client.post(link)
    assert (
        Membership.objects.get(user=cast.outsider.user, workspace=cast.workspace).role == "viewer"
    )
    assert "People in Acme" in client.get("/people/").content.decode()


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("used", "This invitation was already used."),
        ("revoked", "This invitation was revoked. Ask for a new one."),
        ("expired", "This invitation expired. Ask for a new one."),
        ("unknown", "This invitation link is not valid."),
    ],
)
def test_a_link_that_cannot_be_used_says_why(
    cast: Cast, django_capture_on_commit_callbacks, how: str, message: str
) -> None:
    link = invite_link(cast, django_capture_on_commit_callbacks)
    token = link.split("/")[2]
    if how == "used":
        invites.accept(token, UserFactory())
    elif how == "revoked":
        invites.revoke(cast.owner, Invite.objects.get())
    elif how == "unknown":
        link = "/invite/made-up/"
    client = Client()
    with time_machine.travel(NOW + timedelta(days=8 if how == "expired" else 0), tick=False):
        for response in (client.get(link), client.post(link, {"username": "late"})):
            assert response.status_code == 410
            assert message in response.content.decode()
    assert not User.objects.filter(username="late").exists()


def test_the_only_owner_is_offered_no_change_until_there_is_another(cast: Cast) -> None:
    client = signed_in(cast, "owner")
    html = client.get("/people/").content.decode()
    assert f'action="/people/{cast.owner.pk}/role/"' not in html
    assert "The only owner: make someone else an owner before changing this." in html
    client.post(f"/people/{cast.admin.pk}/role/", {"role": "owner"})
    html = client.get("/people/").content.decode()
    assert f'action="/people/{cast.owner.pk}/role/"' in html


def test_an_expired_invitation_is_listed_as_expired_and_can_be_resent(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    invite_link(cast, django_capture_on_commit_callbacks)
    made = Invite.objects.get()
    client = signed_in(cast, "owner")
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        html = client.get("/people/").content.decode()
        assert "Expired" in html and "new@example.com" in html
        # Inviting the same address again points at the resend button instead.
        again = client.post("/people/invite/", {"email": "new@example.com", "role": "viewer"})
        assert "already invited; resend that invitation instead." in again.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/people/invites/{made.pk}/resend/")
        made.refresh_from_db()
        assert made.expires_at == NOW + timedelta(days=15)
        assert "Expired" not in client.get("/people/").content.decode()


def test_a_taken_username_is_refused_whatever_its_case(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    link = invite_link(cast, django_capture_on_commit_callbacks)
    response = Client().post(
        link, {"username": "EDITOR", "password1": "a long pass 123", "password2": "a long pass 123"}
    )
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()
    assert Invite.objects.get().accepted_at is None
