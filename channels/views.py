from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from channels import disconnect, health, manual, oauth, sandbox_visitors
from channels.adapters import base, registry
from channels.models import SandboxPost, SocialAccount
from channels.words import say
from scheduler import public_urls
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
    entries = list(
        SandboxPost.objects.filter(account_ref__in=list(accounts)).annotate(
            comment_count=Count(
                "comments", filter=Q(comments__deleted=False, comments__hidden=False)
            )
        )[:FEED_LENGTH]
    )
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
    sandbox_visitors.seen(entry)
    comments = sandbox_visitors.visible_comments(entry)
    return render(request, "channels/sandbox_post.html", {"entry": entry, "comments": comments})


@workspace_page()
def accounts(request: HttpRequest) -> HttpResponse:
    """Connected accounts, and each network: connect it, or what it still needs."""
    return _accounts_page(request)


def _accounts_page(
    request: HttpRequest, manual_form: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    connected = list(
        health.with_health(SocialAccount.objects.filter(workspace=membership.workspace))
    )
    for account in connected:
        account.health = health.health(account)  # type: ignore[attr-defined]
        account.reconnects_here = disconnect.reconnects_without_credentials(account)  # type: ignore[attr-defined]
        login = oauth.login_for(account.network)
        account.login_flow = login if login in oauth.LOGINS else ""  # type: ignore[attr-defined]
        # Networks signed in to with a password reconnect through their form below.
        account.password_login = registry.adapter_class(account.network).connects_by == "password"  # type: ignore[attr-defined]
        # Networks connected by a pasted webhook URL reconnect by pasting a new one.
        account.webhook_login = registry.adapter_class(account.network).connects_by == "webhook"  # type: ignore[attr-defined]
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
                "manual": cls.connects_by == "manual",
                "asks_for_server": cls.asks_for_server,
                "password": cls.connects_by == "password",
                "webhook": cls.connects_by == "webhook",
                "server": registry.network_config(network).get("pds_url", ""),
                "form": manual_form if manual_form and manual_form["network"] == network else {},
            }
        )
    return render(
        request,
        "channels/accounts.html",
        {
            "accounts": connected,
            "networks": networks,
            "can_manage": membership.can_manage_accounts,
            "publishing_choices": SocialAccount.Publishing.choices,
        },
        status=status,
    )


@require_POST
@workspace_page("can_manage_accounts")
def add_manual_account(request: HttpRequest, network: str) -> HttpResponse:
    """Add a profile of a network SMO posts to by reminder (no sign-in, no credentials)."""
    name, handle = request.POST.get("name", ""), request.POST.get("handle", "")
    try:
        account = manual.add_account(request.membership, network, name, handle)  # type: ignore[attr-defined]
    except manual.AccountRefused as exc:
        if exc.field == "network":
            raise Http404(exc.message) from None
        form = {
            "network": network,
            "name": name,
            "handle": handle,
            "errors": {exc.field: exc.message},
        }
        return _accounts_page(request, form, status=400)
    messages.success(
        request,
        _("Added %(name)s. SMO will remind you to post to it by hand.") % {"name": account.name},
    )
    return redirect(reverse("accounts") + f"#account-{account.pk}")


@require_POST
@workspace_page("can_manage_accounts")
def account_publishing(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch an account between publishing automatically and sending reminders."""
    membership = request.membership  # type: ignore[attr-defined]
    account = get_object_or_404(SocialAccount, pk=pk, workspace=membership.workspace)
    choice = request.POST.get("publishing", "")
    try:
        changed = manual.set_publishing(membership, account, choice)
    except manual.AccountRefused as exc:
        messages.error(request, exc.message)
    else:
        if changed and choice == SocialAccount.Publishing.REMINDER:
            messages.success(
                request,
                _("%(name)s now sends a reminder when a post is due; you post it by hand.")
                % {"name": account.name},
            )
        elif changed:
            messages.success(
                request, _("%(name)s now publishes automatically.") % {"name": account.name}
            )
    return redirect(reverse("accounts") + f"#account-{account.pk}")


# Error reports (Django's 500 page and mails) show neither the posted app
# password nor any local variable here or in the adapter code it calls.
@sensitive_post_parameters("password")
@sensitive_variables()
@require_POST
@workspace_page("can_manage_accounts")
def connect_password(request: HttpRequest, network: str) -> HttpResponse:
    """Connect an account with its handle and an app password (Bluesky), on the
    configured server or one the admin names. The password is never shown back."""
    if (
        network not in registry.ADAPTERS
        or registry.adapter_class(network).connects_by != "password"
    ):
        raise Http404(_("This network does not connect with a password."))
    handle = request.POST.get("handle", "").strip()
    password = request.POST.get("password", "")
    server = request.POST.get("server", "").strip()
    adapter = registry.get_adapter(network)
    try:
        url = public_urls.server(server, example="https://bsky.social") if server else ""
        connection = adapter.connect_password(handle, password, url)
    except public_urls.NotPublic as exc:
        return _password_refused(request, network, handle, server, "server", str(exc))
    except base.AdapterError as error:
        field = error.code if error.code in ("handle", "password") else "server"
        message = say(error.words)
        if field == "server" and not isinstance(error, base.Permanent):
            message = _("Could not sign in at that server: %(detail)s") % {"detail": message}
        return _password_refused(request, network, handle, server, field, message)
    [account] = oauth.save_connections(request.membership, [connection])  # type: ignore[attr-defined]
    messages.success(request, _("Connected %(name)s.") % {"name": account.name})
    return redirect(reverse("accounts") + f"#account-{account.pk}")


def _password_refused(
    request: HttpRequest, network: str, handle: str, server: str, field: str, message: str
) -> HttpResponse:
    # What was typed comes back, except the password.
    form = {"network": network, "handle": handle, "server": server, "errors": {field: message}}
    return _accounts_page(request, form, status=400)


# The webhook URL holds the webhook's token: error reports show neither it nor
# any local variable here or in the adapter code it calls.
@sensitive_post_parameters("url")
@sensitive_variables()
@require_POST
@workspace_page("can_manage_accounts")
def connect_webhook(request: HttpRequest, network: str) -> HttpResponse:
    """Connect a channel by its webhook URL (Discord), checked with the network
    before it is saved. The URL is never shown back: it holds a secret."""
    if network not in registry.ADAPTERS or registry.adapter_class(network).connects_by != "webhook":
        raise Http404(_("This network does not connect with a webhook."))
    adapter = registry.get_adapter(network)
    try:
        connection = adapter.connect_webhook(request.POST.get("url", ""))  # type: ignore[attr-defined]
    except base.AdapterError as error:
        message = say(error.words)
        if not isinstance(error, base.Permanent):
            message = _("Could not check the webhook: %(detail)s") % {"detail": message}
        form = {"network": network, "errors": {"url": message}}
        return _accounts_page(request, form, status=400)
    [account] = oauth.save_connections(request.membership, [connection])  # type: ignore[attr-defined]
    messages.success(request, _("Connected %(name)s.") % {"name": account.name})
    return redirect(reverse("accounts") + f"#account-{account.pk}")


@require_POST
@workspace_page("can_manage_accounts")
def account_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Disconnect an account: wipe its credentials, hold its waiting posts."""
    membership = request.membership  # type: ignore[attr-defined]
    account = get_object_or_404(SocialAccount, pk=pk, workspace=membership.workspace)
    held = disconnect.disconnect(membership, account)
    messages.success(
        request,
        ngettext(
            "Disconnected %(name)s. %(count)s scheduled post is held until it is reconnected.",
            "Disconnected %(name)s. %(count)s scheduled posts are held until it is reconnected.",
            held,
        )
        % {"name": account.name, "count": held},
    )
    return redirect(reverse("accounts") + f"#account-{account.pk}")


@require_POST
@workspace_page("can_manage_accounts")
def account_reconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Connect again an account that needs no sign-in (added by hand, the sandbox)."""
    membership = request.membership  # type: ignore[attr-defined]
    account = get_object_or_404(SocialAccount, pk=pk, workspace=membership.workspace)
    if not disconnect.reconnects_without_credentials(account):
        raise Http404(_("This account reconnects by signing in to its network."))
    released = disconnect.reactivate(membership, account)
    messages.success(
        request,
        ngettext(
            "Reconnected %(name)s and released %(count)s held post; "
            "if its time has passed, it goes out now.",
            "Reconnected %(name)s and released %(count)s held posts; "
            "those whose time has passed go out now.",
            released,
        )
        % {"name": account.name, "count": released},
    )
    return redirect(reverse("accounts") + f"#account-{account.pk}")
