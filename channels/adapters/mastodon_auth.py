"""Connecting a Mastodon account: SMO registers itself on the instance, then OAuth.

Any instance will do, so there is no app to configure in advance: the first
connection to an instance registers SMO there (POST /api/v1/apps) and the
registration is kept (channels.instance_apps, client secret encrypted) for the
next. Then /oauth/authorize and the code exchange at /oauth/token
(platforms.md §10). These calls go straight over the session: Mastodon.py's
`create_app` does not look at the status of the answer, and `log_in` folds
every failure into one exception, so neither can say what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import requests

from channels.adapters.base import Permanent, Transient, scrub
from channels.adapters.session import nothing_sent
from channels.words import Words, words

# What SMO does on an account: read its profile and its posts (the reconciler's
# lookup), its mentions (the inbox), upload media and post statuses. Granular
# scopes exist since 2.4.3. A registration made for other scopes is made again
# (channels/instance_apps.py), since a server refuses scopes its app lacks.
SCOPES = "read:accounts read:statuses read:notifications write:media write:statuses"


@dataclass(frozen=True, repr=False)
class App:
    """SMO's registration on one instance."""

    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"App(client_id={self.client_id!r}, client_secret=<hidden>)"


class AppStore(Protocol):
    """Where registrations are kept between connections (channels.instance_apps)."""

    def get(self, server: str, redirect_uri: str) -> App | None: ...

    def save(self, server: str, redirect_uri: str, app: App) -> None: ...


class MemoryApps:
    """An AppStore in a dict, for adapters built without Django (tests)."""

    def __init__(self) -> None:
        self.apps: dict[tuple[str, str], App] = {}

    def get(self, server: str, redirect_uri: str) -> App | None:
        return self.apps.get((server, redirect_uri))

    def save(self, server: str, redirect_uri: str, app: App) -> None:
        self.apps[(server, redirect_uri)] = app


def register(
    session: requests.Session, server: str, redirect_uri: str, name: str, website: str
) -> App:
    form = {
        "client_name": name,
        "redirect_uris": redirect_uri,
        "scopes": SCOPES,
    }
    if website:
        form["website"] = website
    body = _post(session, f"{server}/api/v1/apps", form, words("SMO's registration"), ())
    if not body.get("client_id") or not body.get("client_secret"):
        raise Transient(words("The Mastodon instance registered SMO but sent no client id."))
    return App(str(body["client_id"]), str(body["client_secret"]))


def authorize_url(server: str, app: App, redirect_uri: str, state: str) -> str:
    query = {
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": SCOPES,
        "state": state,
    }
    return f"{server}/oauth/authorize?{urlencode(query)}"


def exchange(session: requests.Session, server: str, app: App, code: str, redirect_uri: str) -> str:
    """Return the access token for the callback's code (it never expires, §10)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
    }
    body = _post(
        session, f"{server}/oauth/token", form, words("the sign-in"), (code, app.client_secret)
    )
    if not body.get("access_token"):
        raise Transient(words("The Mastodon instance's token endpoint answered without a token."))
    return str(body["access_token"])


def _post(
    session: requests.Session,
    url: str,
    form: Mapping[str, str],
    what: Words,
    hidden: Iterable[str],
) -> dict[str, Any]:
    try:
        response = session.post(url, data=dict(form), headers={"Accept": "application/json"})
    except requests.RequestException as error:
        name = type(error).__name__
        if nothing_sent(error):
            detail = words("Could not reach the Mastodon instance (%(error)s).", error=name)
        else:
            detail = words("The Mastodon instance did not answer (%(error)s).", error=name)
        raise Transient(detail, code=name) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.ok and isinstance(body, dict):
        return body
    status = response.status_code
    reason = ""
    if isinstance(body, dict):
        reason = str(body.get("error_description") or body.get("error") or "")
    reason = scrub(reason or f"HTTP {status} {response.reason}", hidden)
    if response.ok or status == 429 or status >= 500:
        raise Transient(
            words(
                "The Mastodon instance could not handle %(what)s (%(reason)s); try again.",
                what=what,
                reason=reason,
            ),
            status=status,
        )
    raise Permanent(
        words("The Mastodon instance refused %(what)s: %(reason)s", what=what, reason=reason),
        status=status,
    )
