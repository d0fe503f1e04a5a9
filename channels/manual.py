"""Accounts SMO posts to by reminder: added by a form, and the per-account setting.

A network with no posting API open to SMO (Snapchat, platforms.md §9) connects by
"manual": a person names the profile, and no credentials are kept, because SMO
never calls the network for it. Any account can also be set to send a reminder
instead of publishing (`SocialAccount.publishing`); scheduler/reminders.py does
the rest when its deliveries come due.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from channels.adapters.registry import UnknownNetwork, adapter_class
from channels.models import SocialAccount
from scheduler import audit

if TYPE_CHECKING:
    from scheduler.models import Membership

Publishing = SocialAccount.Publishing
HANDLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class AccountRefused(ValueError):
    """The form's input is refused; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def manual_networks() -> list[str]:
    from channels.adapters.registry import networks

    return [n for n in networks() if adapter_class(n).connects_by == "manual"]


def _check(membership: Membership) -> None:
    if not membership.can_manage_accounts:
        raise PermissionDenied(_("Only owners and admins connect accounts."))


def add_account(membership: Membership, network: str, name: str, handle: str = "") -> SocialAccount:
    """Add a profile on a network connected by hand; it always publishes by reminder."""
    _check(membership)
    if network not in manual_networks():
        raise AccountRefused("network", _("This network is not added by hand."))
    name = " ".join(name.split())
    handle = handle.strip().removeprefix("@")
    if not name:
        raise AccountRefused("name", _("Give the profile's name."))
    if len(name) > 200:
        raise AccountRefused("name", _("Keep the name to 200 characters."))
    if handle and not HANDLE.match(handle):
        raise AccountRefused(
            "handle", _("A username has letters, digits, dots, dashes and underscores.")
        )
    # The handle names the profile on the network; without one, nothing can
    # tell two profiles apart, so each gets an id of its own.
    external_id = handle.lower() if handle else f"manual-{uuid.uuid4().hex}"
    try:
        with transaction.atomic():
            account = SocialAccount.objects.create(
                workspace=membership.workspace,
                network=network,
                external_id=external_id,
                name=name,
                handle=handle,
                publishing=Publishing.REMINDER,
                connected_by=membership.user,
            )
            audit.account_event(audit.A.ACCOUNT_CONNECTED, account, membership, again=False)
            return account
    except IntegrityError:
        raise AccountRefused(
            "handle", _("This profile is already connected to this workspace.")
        ) from None


def set_publishing(membership: Membership, account: SocialAccount, publishing: str) -> bool:
    """Set how an account's deliveries go out; return False if nothing changed.

    Deliveries already waiting as reminders stay reminders; the next ones follow
    the new setting.
    """
    _check(membership)
    if account.workspace_id != membership.workspace_id:
        raise PermissionDenied(_("This account belongs to another workspace."))
    if publishing not in Publishing.values:
        raise AccountRefused("publishing", _("Choose automatic publishing or reminders."))
    try:
        cls = adapter_class(account.network)
    except UnknownNetwork:
        raise AccountRefused("publishing", _("SMO no longer knows this network.")) from None
    if publishing == Publishing.AUTO and not cls.can_publish:
        raise AccountRefused(
            "publishing",
            _("SMO cannot post to %(network)s itself, so its accounts always send reminders.")
            % {"network": cls.display_name},
        )
    return bool(
        SocialAccount.objects.filter(pk=account.pk)
        .exclude(publishing=publishing)
        .update(publishing=publishing)
    )
