from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

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
        raise Http404("No such sandbox post in this workspace.")
    entry.account = accounts[entry.account_ref]  # type: ignore[attr-defined]
    return render(request, "channels/sandbox_post.html", {"entry": entry})
