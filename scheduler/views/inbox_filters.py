"""The inbox's filters: a GET form whose choices come from the workspace."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.adapters import registry
from channels.adapters.registry import UnknownNetwork, adapter_class
from channels.models import SocialAccount
from scheduler.inbox import ALL_STATES, Filters
from scheduler.models import Campaign, InboxItem, Membership

ME = "me"
NOBODY = "nobody"


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int)
    network = forms.ChoiceField(label=_("Network"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int)
    assigned = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, workspace: Any, user: Any, data: Any = None) -> None:
        super().__init__(data or None)
        self.user = user
        accounts = list(SocialAccount.objects.filter(workspace=workspace).order_by("name"))
        # The workspace's networks first; any known network is still a valid filter.
        present = sorted({a.network for a in accounts})
        networks = present + [n for n in registry.networks() if n not in present]
        self.fields["state"].choices = [
            ("", _("Needs an answer")),
            *InboxItem.State.choices,
            (ALL_STATES, _("All")),
        ]
        self.fields["account"].choices = [("", _("All accounts"))] + [
            (a.pk, a.name) for a in accounts
        ]
        self.fields["network"].choices = [("", _("All networks"))] + [
            (n, _display(n)) for n in networks
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *InboxItem.Kind.choices]
        self.fields["campaign"].choices = [("", _("All campaigns"))] + [
            (c.pk, c.name) for c in Campaign.objects.filter(workspace=workspace).order_by("name")
        ]
        members = (
            Membership.objects.filter(workspace=workspace, role__in=Membership.CAN_SCHEDULE)
            .select_related("user")
            .order_by("user__username")
        )
        self.fields["assigned"].choices = [
            ("", _("Anyone")),
            (ME, _("Me")),
            (NOBODY, _("Nobody")),
        ] + [(str(m.user_id), m.user.get_username()) for m in members]

    def filters(self) -> Filters:
        """What the list shows; a filter that does not make sense is left out, not an error."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        assigned = data.get("assigned") or ""
        if assigned == ME:
            assigned_to: int | None = self.user.pk
        elif assigned == NOBODY:
            assigned_to = 0
        else:
            assigned_to = int(assigned) if assigned.isdigit() else None
        return Filters(
            account=data.get("account") or None,
            network=data.get("network") or "",
            kind=data.get("kind") or "",
            campaign=data.get("campaign") or None,
            state=data.get("state") or "",
            assigned_to=assigned_to,
            search=(data.get("q") or "").strip(),
        )


def _display(network: str) -> str:
    try:
        return adapter_class(network).display_name
    except UnknownNetwork:
        return network
