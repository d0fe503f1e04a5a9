"""Invitations by e-mail: an expiring, single-use link that adds a person with a role.

Only the SHA-256 of a link's token is stored. The token exists in the e-mail alone,
so resending makes a new token (and a new expiry) and the old link stops working.
Whoever follows a valid link and is signed in may accept it: the link is the proof
that its holder read the e-mail, and people often sign in with another address than
the one they were invited at. The acceptance records who took it, and the People page
shows that to the workspace's managers.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from scheduler import audit
from scheduler.members import Refused, check_role
from scheduler.models import Invite, Membership, User

logger = logging.getLogger(__name__)

LIFETIME = timedelta(days=7)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def open_queryset(workspace_id: int) -> QuerySet[Invite]:
    """Invitations not used and not revoked: pending, or expired and waiting for a
    "Resend" (the People page lists both, the expired ones marked)."""
    return Invite.objects.filter(
        workspace_id=workspace_id, accepted_at=None, revoked_at=None
    ).select_related("invited_by")


def pending(workspace_id: int) -> list[Invite]:
    """Invitations whose link still works."""
    return list(open_queryset(workspace_id).filter(expires_at__gt=timezone.now()))


def invite(actor: Membership, email: str, role: str) -> Invite:
    """Invite `email` to the actor's workspace as `role` and e-mail the link."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise Refused("email", _("Enter a valid e-mail address.")) from None
    check_role(actor, role)
    workspace_id = actor.workspace_id
    if Membership.objects.filter(workspace_id=workspace_id, user__email__iexact=email).exists():
        raise Refused("email", _("%(email)s is already a member.") % {"email": email})
    if open_queryset(workspace_id).filter(email__iexact=email).exists():
        raise Refused(
            "email",
            _("%(email)s is already invited; resend that invitation instead.") % {"email": email},
        )
    token, digest = _new_token()
    with transaction.atomic():
        made = Invite.objects.create(
            workspace_id=workspace_id,
            email=email,
            role=role,
            token_hash=digest,
            invited_by=actor.user,
            expires_at=timezone.now() + LIFETIME,
        )
        audit.record(
            workspace_id,
            audit.A.MEMBER_INVITED,
            made,
            actor=actor,
            target_label=email,
            role=str(made.get_role_display()),
        )
        transaction.on_commit(lambda: send(made.pk, token))
    return made


def _check_manage(actor: Membership, invitation: Invite) -> None:
    if invitation.workspace_id != actor.workspace_id:
        raise Http404  # never reached through the views, which look up in-workspace
    check_role(actor, invitation.role, field="invite")


def resend(actor: Membership, invitation: Invite) -> Invite:
    """Send a fresh link (a new token, a new week); the old link stops working."""
    _check_manage(actor, invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise Refused("invite", _("This invitation was already used or revoked."))
    token, digest = _new_token()
    with transaction.atomic():
        invitation.token_hash = digest
        invitation.expires_at = timezone.now() + LIFETIME
        invitation.invited_by = actor.user
        invitation.save(update_fields=["token_hash", "expires_at", "invited_by"])
        audit.record(
            invitation.workspace_id,
            audit.A.MEMBER_INVITED,
            invitation,
            actor=actor,
            target_label=invitation.email,
            role=str(invitation.get_role_display()),
            resent=True,
        )
        transaction.on_commit(lambda: send(invitation.pk, token))
    return invitation


def revoke(actor: Membership, invitation: Invite) -> None:
    _check_manage(actor, invitation)
    with transaction.atomic():
        revoked = Invite.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit.record(
                invitation.workspace_id,
                audit.A.INVITE_REVOKED,
                invitation,
                actor=actor,
                target_label=invitation.email,
            )


def link(token: str) -> str:
    return settings.SMO_PUBLIC_URL.rstrip("/") + reverse("invite-accept", args=[token])


def send(invite_id: int, token: str) -> bool:
    """E-mail the link, in the inviter's language; return whether it went out."""
    invitation = Invite.objects.select_related("workspace", "invited_by").get(pk=invite_id)
    inviter = invitation.invited_by
    language = (inviter.language if inviter else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        values = {
            "inviter": inviter.username if inviter else "SMO",
            "workspace": invitation.workspace.name,
            "role": invitation.get_role_display(),
        }
        subject = _("[SMO] %(inviter)s invites you to %(workspace)s") % values
        body = "\n".join(
            [
                _("%(inviter)s invites you to join %(workspace)s on SMO as %(role)s.") % values,
                "",
                _("Accept the invitation: %(url)s") % {"url": link(token)},
                "",
                _("The link works once and expires on %(date)s (UTC).")
                % {"date": invitation.expires_at.strftime("%Y-%m-%d %H:%M")},
                _("If you did not expect this e-mail, ignore it."),
            ]
        )
    try:
        send_mail(subject, body + "\n", None, [invitation.email])
    except (OSError, smtplib.SMTPException):
        # The token is not logged; the People page offers "Resend".
        logger.exception("invite %s: could not send the e-mail", invite_id)
        return False
    Invite.objects.filter(pk=invite_id).update(sent_at=timezone.now())
    return True


class Unusable(Exception):
    """The link cannot be used: unknown, expired, revoked or already used."""


def look_up(token: str) -> Invite:
    """Return the invitation a link's token names, or say why it cannot be used."""
    invitation = (
        Invite.objects.select_related("workspace", "invited_by")
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None:
        raise Unusable(
            _("This invitation link is not valid. It may have been replaced by a newer one.")
        )
    if invitation.revoked_at is not None:
        raise Unusable(_("This invitation was revoked. Ask for a new one."))
    if invitation.accepted_at is not None:
        raise Unusable(_("This invitation was already used. Sign in to reach the workspace."))
    if invitation.expires_at <= timezone.now():
        raise Unusable(_("This invitation expired. Ask for a new one."))
    return invitation


def accept(token: str, user: User) -> tuple[Membership, bool]:
    """Use the link for `user`; return their membership and whether it is new.

    A person already in the workspace keeps their role; the link is used up either way.
    """
    with transaction.atomic():
        invitation = look_up(token)
        # The conditional UPDATE makes the link single-use even when followed twice at once.
        used = Invite.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if not used:
            raise Unusable(_("This invitation was already used. Sign in to reach the workspace."))
        existing = Membership.objects.filter(user=user, workspace_id=invitation.workspace_id)
        if found := existing.first():
            return found, False
        try:
            with transaction.atomic():
                made = Membership.objects.create(
                    user=user, workspace_id=invitation.workspace_id, role=invitation.role
                )
        except IntegrityError:
            return existing.get(), False
        audit.record(
            made.workspace_id,
            audit.A.MEMBER_JOINED,
            made,
            actor=user,
            target_label=user.get_username(),
            role=str(made.get_role_display()),
            invited=invitation.email,
        )
        return made, True
