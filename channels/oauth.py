"""Connecting accounts: the OAuth flows an admin runs in the browser.

The network-specific HTTP lives in each adapter (`authorization`, `connect`),
tested against its fake; this module is the Django side: the state check that
stops forged callbacks, the PKCE verifier kept in the session, the picker for
logins that offer several accounts (Facebook Pages and their Instagram
accounts), and saving what was chosen. Tokens waiting in the session for the
picker are encrypted like stored credentials, and nothing here logs them.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels import crypto
from channels.adapters import base
from channels.adapters.registry import (
    CONNECTED_THROUGH,
    adapter_class,
    get_adapter,
    is_configured,
    missing_settings,
)
from channels.models import SocialAccount
from channels.words import say
from scheduler import audit, public_urls
from scheduler.views.access import workspace_page

logger = logging.getLogger(__name__)


def _logins() -> tuple[str, ...]:
    from channels.adapters.registry import networks

    return tuple(n for n in networks() if adapter_class(n).connects_by == "oauth")


# Networks with their own login flow; the others connect through one of these
# or, with no posting API, by a form (connects_by "manual").
LOGINS = _logins()
SESSION_KEY = "smo_oauth"
PICK_KEY = "smo_oauth_pick"


def redirect_uri(network: str) -> str:
    """The callback URL to register with the network's developer app."""
    return f"{settings.SMO_PUBLIC_URL}{reverse('connect-callback', args=[network])}"


def login_for(network: str) -> str:
    return CONNECTED_THROUGH.get(network, network)


@workspace_page("can_manage_accounts")
@require_POST
def connect_start(request: HttpRequest, network: str) -> HttpResponse:
    if network not in LOGINS:
        raise Http404(_("No login flow for this network."))
    if not is_configured(network):
        messages.error(
            request,
            _("%(name)s is not configured: set %(settings)s.")
            % {
                "name": adapter_class(network).display_name,
                "settings": ", ".join(missing_settings(network)),
            },
        )
        return redirect("accounts")
    state = secrets.token_urlsafe(32)
    adapter = get_adapter(network)
    server = ""
    if adapter.asks_for_server:
        # The admin typed the server (a Mastodon instance): SMO will call it.
        typed = request.POST.get("server", "")
        try:
            server = public_urls.server(typed)
            authorization = adapter.authorization(redirect_uri(network), state, server=server)
        except public_urls.NotPublic as error:
            return _server_refused(request, network, typed, str(error))
        except base.AdapterError as error:
            logger.info("connect %s: %s (%s)", network, type(error).__name__, error.network_code)
            return _server_refused(request, network, typed, say(error.words))
    else:
        authorization = adapter.authorization(redirect_uri(network), state)
    request.session[SESSION_KEY] = {
        "network": network,
        "state": state,
        "verifier": authorization.verifier,
        "workspace": request.membership.workspace_id,  # type: ignore[attr-defined]
        "server": server,
    }
    return redirect(authorization.url)


def _server_refused(request: HttpRequest, network: str, typed: str, message: str) -> HttpResponse:
    """The accounts page again, with what was typed and why it was refused."""
    from channels import views  # views builds on this module

    form = {"network": network, "server": typed, "errors": {"server": message}}
    return views._accounts_page(request, form, status=400)


@workspace_page("can_manage_accounts")
def connect_callback(request: HttpRequest, network: str) -> HttpResponse:
    pending = request.session.pop(SESSION_KEY, None)
    membership = request.membership  # type: ignore[attr-defined]
    if (
        not pending
        or pending["network"] != network
        or not secrets.compare_digest(pending["state"], request.GET.get("state", ""))
        or pending["workspace"] != membership.workspace_id
    ):
        # A callback this browser did not start (or started twice): never act on it.
        messages.error(
            request, _("That sign-in link was not started here, or has expired. Try again.")
        )
        return redirect("accounts")
    if "code" not in request.GET:
        reason = request.GET.get("error_description") or request.GET.get("error") or ""
        messages.warning(request, _("Connection cancelled. %(reason)s") % {"reason": reason})
        return redirect("accounts")
    adapter = get_adapter(network)
    try:
        extra = {"server": pending.get("server", "")} if adapter.asks_for_server else {}
        found = adapter.connect(
            request.GET["code"], redirect_uri(network), pending["verifier"], **extra
        )
    except base.AdapterError as error:
        logger.info("connect %s: %s (%s)", network, type(error).__name__, error.network_code)
        messages.error(
            request,
            _("%(name)s did not connect: %(detail)s")
            % {"name": adapter.display_name, "detail": say(error.words)},
        )
        return redirect("accounts")
    if not found:
        messages.warning(
            request, _("%(name)s offered no accounts to connect.") % {"name": adapter.display_name}
        )
        return redirect("accounts")
    if len(found) == 1:
        save_connections(membership, found)
        messages.success(request, _("Connected %(name)s.") % {"name": found[0].name})
        return redirect("accounts")
    request.session[PICK_KEY] = crypto.encrypt_json(
        {
            "network": network,
            "workspace": membership.workspace_id,
            "found": [_dump(c) for c in found],
        }
    )
    return redirect("connect-choose", network=network)


@workspace_page("can_manage_accounts")
def connect_choose(request: HttpRequest, network: str) -> HttpResponse:
    """Let the admin pick which of the offered accounts to connect."""
    membership = request.membership  # type: ignore[attr-defined]
    raw = request.session.get(PICK_KEY)
    data = crypto.decrypt_json(raw) if raw else None
    if not data or data["network"] != network or data["workspace"] != membership.workspace_id:
        messages.error(request, _("Nothing is waiting to be connected. Start again."))
        return redirect("accounts")
    found = [_load(c) for c in data["found"]]
    connected = set(
        SocialAccount.objects.filter(
            workspace=membership.workspace, status=SocialAccount.Status.ACTIVE
        ).values_list("network", "external_id")
    )
    if request.method == "POST":
        keys = set(request.POST.getlist("accounts"))
        chosen = [c for c in found if _key(c) in keys]
        if not chosen:
            messages.error(request, _("Choose at least one account."))
        else:
            save_connections(membership, chosen)
            del request.session[PICK_KEY]
            messages.success(
                request,
                _("Connected %(names)s.") % {"names": ", ".join(c.name for c in chosen)},
            )
            return redirect("accounts")
    options = [
        {
            "key": _key(c),
            "connection": c,
            "display_name": adapter_class(c.network).display_name,
            "connected": (c.network, c.credentials.external_id) in connected,
        }
        for c in found
    ]
    return render(
        request,
        "channels/connect_choose.html",
        {"options": options, "login_name": adapter_class(network).display_name},
        status=400 if request.method == "POST" else 200,
    )


def save_connections(membership: Any, connections: list[base.Connection]) -> list[SocialAccount]:
    """Create or reconnect one account per connection, all or nothing."""
    saved = []
    with transaction.atomic():
        for c in connections:
            account, _created = SocialAccount.objects.update_or_create(
                workspace=membership.workspace,
                network=c.network,
                external_id=c.credentials.external_id,
                defaults={
                    "name": c.name[:200],
                    "handle": c.credentials.handle[:200],
                    "credentials": dict(c.credentials.secrets),
                    "credentials_expire_at": c.credentials.expires_at,
                    "options": dict(c.credentials.options),
                    "status": SocialAccount.Status.ACTIVE,
                    "status_detail": "",
                    "status_words": {},
                    "disconnected_at": None,
                    "connected_by": membership.user,
                },
            )
            audit.account_event(audit.A.ACCOUNT_CONNECTED, account, membership, again=not _created)
            saved.append(account)
    return saved


def _key(c: base.Connection) -> str:
    return f"{c.network}:{c.credentials.external_id}"


def _dump(c: base.Connection) -> dict[str, Any]:
    creds = c.credentials
    return {
        "network": c.network,
        "name": c.name,
        "picture_url": c.picture_url,
        "credentials": {
            "external_id": creds.external_id,
            "handle": creds.handle,
            "secrets": dict(creds.secrets),
            "expires_at": creds.expires_at.isoformat() if creds.expires_at else None,
            "options": dict(creds.options),
        },
    }


def _load(data: dict[str, Any]) -> base.Connection:
    creds = dict(data["credentials"])
    expires = creds.pop("expires_at")
    return base.Connection(
        network=data["network"],
        name=data["name"],
        picture_url=data["picture_url"],
        credentials=base.Credentials(
            **creds, expires_at=datetime.fromisoformat(expires) if expires else None
        ),
    )
