from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from channels import oauth
from channels.adapters import registry
from channels.models import SandboxPost, SocialAccount
from scheduler.views.access import workspace_page

FEED_LENGTH = 50


def _sandbox_accounts(request: HttpRequest) -> dict[str, SocialAccount]:
    """This workspace's sandbox accounts, by the external id the feed knows them by."""
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    return {
        a.external_id: a
        for a in SocialAccount.objects.filter(workspace=workspace, network="sandbox")
    }


@workspace_page()
def sandbox_feed(request: HttpRequest) -> HttpResponse:
    """The sandbox network's timeline for this workspace's sandbox accounts."""
    accounts = _sandbox_accounts(request)
    entries = list(SandboxPost.objects.filter(account_ref__in=list(accounts))[:FEED_LENGTH])
    for entry in entries:
        entry.account = accounts[entry.account_ref]  # type: ignore[attr-defined]
    template = "channels/_feed_entries.html" if request.htmx else "channels/sandbox_feed.html"  # type: ignore[attr-defined]
    return render(request, template, {"entries": entries, "accounts": accounts.values()})


@workspace_page()
def sandbox_post(request: HttpRequest, public_id: str) -> HttpResponse:
    accounts = _sandbox_accounts(request)
    entry = SandboxPost.objects.filter(public_id=public_id, account_ref__in=list(accounts)).first()
    if entry is None:
        raise Http404(_("No such sandbox post in this workspace."))
    entry.account = accounts[entry.account_ref]  # type: ignore[attr-defined]
    return render(request, "channels/sandbox_post.html", {"entry": entry})


@workspace_page()
def accounts(request: HttpRequest) -> HttpResponse:
    """Connected accounts, and each network: connect it, or what it still needs."""
    membership = request.membership  # type: ignore[attr-defined]
    connected = list(SocialAccount.objects.filter(workspace=membership.workspace))
    for account in connected:
        login = oauth.login_for(account.network)
        account.login_flow = login if login in oauth.LOGINS else ""  # type: ignore[attr-defined]
    networks = []
    for network in registry.networks():
        if network == "sandbox":
            continue
        cls = registry.adapter_class(network)
        login = oauth.login_for(network)
        networks.append(
            {
                "key": network,
                "name": cls.display_name,
                "login": login,
                "login_name": registry.adapter_class(login).display_name,
                "missing": registry.missing_settings(network),
                "redirect_uri": oauth.redirect_uri(login),
            }
        )
    return render(
        request,
        "channels/accounts.html",
        {"accounts": connected, "networks": networks, "can_manage": membership.can_manage_accounts},
    )
