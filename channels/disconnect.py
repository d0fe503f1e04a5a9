"""Disconnecting an account, and connecting it again.

A disconnected account keeps its row and its history (published deliveries point
at it); its stored credentials are wiped. Its waiting deliveries are held: the
engine neither claims nor publishes deliveries of an account that is not active
(scheduler/engine.py `_held_accounts` and `publish`). Connecting the same account
again (same network and external id) makes it active, which releases them:
OAuth and app-password accounts through oauth.save_connections, accounts with no
credentials (added by hand, the sandbox) through `reactivate`.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.adapters.registry import UnknownNetwork, adapter_class
from channels.health import held_count
from channels.models import SocialAccount
from channels.words import words
from scheduler import audit

if TYPE_CHECKING:
    from scheduler.models import Membership

Status = SocialAccount.Status
# Networks whose accounts hold no credentials, so reconnecting asks for nothing.
WITHOUT_CREDENTIALS = ("manual", "builtin")


def _check(membership: Membership, account: SocialAccount) -> None:
    if not membership.can_manage_accounts:
        raise PermissionDenied(_("Only owners and admins connect and disconnect accounts."))
    if account.workspace_id != membership.workspace_id:
        raise PermissionDenied(_("This account belongs to another workspace."))


def disconnect(membership: Membership, account: SocialAccount) -> int:
    """Disconnect `account`; return how many of its deliveries are now held."""
    _check(membership, account)
    reason = words("Disconnected by %(person)s.", person=membership.user.username)
    with transaction.atomic():
        changed = (
            SocialAccount.objects.filter(pk=account.pk)
            .exclude(status=Status.DISCONNECTED)
            .update(
                status=Status.DISCONNECTED,
                status_detail=str(reason),
                status_words=reason.as_json(),
                disconnected_at=timezone.now(),
                credentials={},
                credentials_expire_at=None,
                rate_limited_until=None,
            )
        )
        held = held_count(account.pk)
        if changed:
            audit.account_event(audit.A.ACCOUNT_DISCONNECTED, account, membership, held=held)
        return held


def reconnects_without_credentials(account: SocialAccount) -> bool:
    try:
        return adapter_class(account.network).connects_by in WITHOUT_CREDENTIALS
    except UnknownNetwork:
        return False


def reactivate(membership: Membership, account: SocialAccount) -> int:
    """Connect again an account that needs no credentials; return how many
    held deliveries it releases."""
    _check(membership, account)
    if not reconnects_without_credentials(account):
        raise PermissionDenied(_("This account reconnects by signing in to its network."))
    fields: dict[str, object] = {}
    if adapter_class(account.network).connects_by == "builtin":
        # The sandbox's token is SMO's own invention (smo_setup makes one the same way).
        fields["credentials"] = {"token": secrets.token_urlsafe(24)}
    with transaction.atomic():
        released = held_count(account.pk) if not account.is_active else 0
        SocialAccount.objects.filter(pk=account.pk).update(
            **fields,
            status=Status.ACTIVE,
            status_detail="",
            status_words={},
            disconnected_at=None,
            connected_by=membership.user,
            updated_at=timezone.now(),
        )
        audit.account_event(audit.A.ACCOUNT_CONNECTED, account, membership, again=True)
    return released
