"""Invitations: a hashed token, an e-mailed single-use link that expires."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from scheduler import invites, members
from scheduler.models import Invite, Membership, Role
from tests.conftest import NOW, Cast
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def token_of(message: mail.EmailMessage) -> str:
    match = re.search(r"/invite/([\w-]+)/", message.body)
    assert match, message.body
    return match.group(1)


def invite(cast: Cast, django_capture_on_commit_callbacks, role: str = Role.EDITOR, **kw):  # type: ignore[no-untyped-def]
    actor = kw.pop("actor", cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        made = invites.invite(actor, kw.pop("email", "new@example.com"), role)
    return made, token_of(mail.outbox[-1])


def test_an_invite_emails_a_link_and_stores_only_its_hash(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    made, token = invite(cast, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert message.subject == "[SMO] admin invites you to Acme"
    assert message.body.splitlines()[0] == "admin invites you to join Acme on SMO as Editor."
    assert f"http://127.0.0.1:8000/invite/{token}/" in message.body
    made.refresh_from_db()
    assert made.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {made.token_hash, made.email}
    assert (made.expires_at, made.sent_at, made.invited_by) == (
        NOW + timedelta(days=7),
        NOW,
        cast.admin.user,
    )


def test_the_email_is_in_the_inviters_language(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    cast.admin.user.language = "sv"
    cast.admin.user.save()
    invite(cast, django_capture_on_commit_callbacks)
    # The sentences are translated after merging; the role's name already is.
    assert "Redaktör" in mail.outbox[0].body


def test_accepting_adds_the_person_with_the_role_once(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    _, token = invite(cast, django_capture_on_commit_callbacks, Role.CONTRIBUTOR)
    person = UserFactory(username="newbie")
    membership, new = invites.accept(token, person)
    assert (membership.workspace, membership.role, new) == (cast.workspace, Role.CONTRIBUTOR, True)
    assert Invite.objects.get().accepted_by == person
    with pytest.raises(invites.Unusable, match="already used"):
        invites.accept(token, UserFactory(username="second"))
    assert not Membership.objects.filter(user__username="second").exists()


def test_a_member_following_a_link_keeps_their_role(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    _, token = invite(cast, django_capture_on_commit_callbacks, Role.VIEWER)
    membership, new = invites.accept(token, cast.editor.user)
    assert (membership.pk, membership.role, new) == (cast.editor.pk, Role.EDITOR, False)


def test_an_expired_link_says_so(cast: Cast, django_capture_on_commit_callbacks) -> None:
    _, token = invite(cast, django_capture_on_commit_callbacks)
    with time_machine.travel(NOW + timedelta(days=7, seconds=1), tick=False):
        with pytest.raises(invites.Unusable) as expired:
            invites.look_up(token)
    assert str(expired.value) == "This invitation expired. Ask for a new one."


def test_a_revoked_link_says_so(cast: Cast, django_capture_on_commit_callbacks) -> None:
    made, token = invite(cast, django_capture_on_commit_callbacks)
    invites.revoke(cast.owner, made)
    with pytest.raises(invites.Unusable, match="This invitation was revoked"):
        invites.look_up(token)
    assert invites.pending(cast.workspace.pk) == []


def test_an_unknown_link_says_so(cast: Cast) -> None:
    with pytest.raises(invites.Unusable, match="not valid"):
        invites.look_up("nonsense")


def test_resending_replaces_the_link_and_the_expiry(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    made, old = invite(cast, django_capture_on_commit_callbacks)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            invites.resend(cast.owner, made)
    new = token_of(mail.outbox[-1])
    assert new != old
    made.refresh_from_db()
    assert made.expires_at == NOW + timedelta(days=10)
    with pytest.raises(invites.Unusable, match="not valid"):
        invites.look_up(old)
    assert invites.look_up(new) == made


def test_an_admin_cannot_invite_an_owner(cast: Cast) -> None:
    with pytest.raises(members.Refused) as refused:
        invites.invite(cast.admin, "boss@example.com", Role.OWNER)
    assert (refused.value.field, refused.value.message) == (
        "role",
        "Only an owner can make someone an owner.",
    )
    assert Invite.objects.count() == 0


def test_an_admin_cannot_revoke_or_resend_an_owners_invitation(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    made, _ = invite(cast, django_capture_on_commit_callbacks, Role.OWNER, actor=cast.owner)
    for action in (invites.revoke, invites.resend):
        with pytest.raises(members.Refused):
            action(cast.admin, made)
    assert invites.pending(cast.workspace.pk) == [made]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not an address", "Enter a valid e-mail address."),
        ("EDITOR@example.com", "EDITOR@example.com is already a member."),
        (
            "twice@example.com",
            "twice@example.com is already invited; resend that invitation instead.",
        ),
    ],
)
def test_bad_or_duplicate_addresses_are_refused(
    cast: Cast, email: str, message: str, django_capture_on_commit_callbacks
) -> None:
    invite(cast, django_capture_on_commit_callbacks, email="twice@example.com")
    with pytest.raises(members.Refused) as refused:
        invites.invite(cast.admin, email, Role.EDITOR)
    assert (refused.value.field, refused.value.message) == ("email", message)


def test_a_failed_send_is_logged_without_the_token(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("smtp down")

    monkeypatch.setattr("scheduler.invites.send_mail", broken)
    made = Invite.objects.create(
        workspace=cast.workspace, email="x@example.com", token_hash="h", expires_at=NOW
    )
    assert invites.send(made.pk, "the-secret-token") is False
    assert "the-secret-token" not in caplog.text
    made.refresh_from_db()
    assert made.sent_at is None
