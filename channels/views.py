from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from channels.models import SandboxPost, SocialAccount
from scheduler.views.access import workspace_page

FEED_LENGTH = 50


@workspace_page()
def sandbox_feed(request: HttpRequest) -> HttpResponse:
    """The sandbox network's timeline for this workspace's sandbox accounts."""
    accounts = {
        a.external_id: a
        for a in SocialAccount.objects.filter(
            workspace=request.membership.workspace,
            network="sandbox",  # type: ignore[attr-defined]
        )
    }
    entries = list(SandboxPost.objects.filter(account_ref__in=list(accounts))[:FEED_LENGTH])
    for entry in entries:
        entry.account = accounts[entry.account_ref]  # type: ignore[attr-defined]
    template = "channels/_feed_entries.html" if request.htmx else "channels/sandbox_feed.html"  # type: ignore[attr-defined]
    return render(request, template, {"entries": entries, "accounts": accounts.values()})


@workspace_page()
def sandbox_post(request: HttpRequest, public_id: str) -> HttpResponse:
    refs = SocialAccount.objects.filter(
        workspace=request.membership.workspace,
        network="sandbox",  # type: ignore[attr-defined]
    ).values_list("external_id", flat=True)
    entry = get_object_or_404(SandboxPost, public_id=public_id, account_ref__in=list(refs))
    entry.account = SocialAccount.objects.get(
        external_id=entry.account_ref, network="sandbox", workspace=request.membership.workspace
    )  # type: ignore[attr-defined]
    return render(request, "channels/sandbox_post.html", {"entry": entry})
