"""Connecting LinkedIn: OAuth 2 authorization code, the member and the Pages they
administer, and token refresh (platforms.md §5; learn.microsoft.com/linkedin/
shared/authentication/authorization-code-flow, .../community-management/
organizations/organization-access-control-by-role).

- Access tokens last 60 days. Refresh tokens (365 days, their lifetime does not
  restart on refresh) come only to apps LinkedIn approved for them, as
  `refresh_token` and `refresh_token_expires_in`; without one a person
  reconnects every 60 days.
- The member is `urn:li:person:{sub}` from the OpenID userinfo endpoint.
- Pages: `GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`
  lists the organisations the member administers, and `GET /rest/organizations/{id}`
  names each. Both need the Community Management API product; when the app or
  the member lacks it (403, or the scope was not granted) only the member is
  offered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import requests

from channels.adapters.base import AuthExpired, Authorization, Connection, Credentials, Permanent
from channels.adapters.linkedin_http import LinkedInAPI, token_request
from channels.words import words

# openid profile: who signed in; w_member_social: post as them; w_organization_social:
# post as their Pages; rw_organization_admin: list the Pages they administer and
# their names; r_organization_social: read a Page's posts, to find a post whose
# answer was lost. A config "scopes" (space-separated) replaces these, for apps
# without the Community Management API ("openid profile w_member_social").
SCOPES = (
    "openid",
    "profile",
    "w_member_social",
    "w_organization_social",
    "r_organization_social",
    "rw_organization_admin",
)
ACCESS_LIFETIME = 60 * 86400  # seconds, when LinkedIn does not say
PAGE_SCOPES = frozenset({"w_organization_social"})
PERSON = "urn:li:person:"
ORGANIZATION = "urn:li:organization:"


def scopes(config: Mapping[str, Any]) -> tuple[str, ...]:
    own = str(config.get("scopes") or "").split()
    return tuple(own) or SCOPES


def authorization(
    config: Mapping[str, Any], oauth_url: str, redirect_uri: str, state: str
) -> Authorization:
    query = {
        "response_type": "code",
        "client_id": str(config.get("client_id") or ""),
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": " ".join(scopes(config)),
    }
    url = f"{oauth_url.rstrip('/')}/authorization?{urlencode(query, quote_via=quote)}"
    return Authorization(url)


def connect(
    session: requests.Session,
    config: Mapping[str, Any],
    api: Callable[[str], LinkedInAPI],
    oauth_url: str,
    now: Callable[[], datetime],
    code: str,
    redirect_uri: str,
) -> list[Connection]:
    """Exchange the code; offer the member and each Page they administer."""
    secret = str(config.get("client_secret") or "")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": str(config.get("client_id") or ""),
        "client_secret": secret,
    }
    tokens = token_request(session, oauth_url, form, hidden=[code, secret])
    secrets_, expires_at, options = kept(tokens, now)
    client = api(secrets_["access_token"])
    me = client.get("/v2/userinfo", words("the member's profile"))
    sub = str(me.get("sub") or "")
    if not sub:
        raise Permanent(words("LinkedIn did not say who signed in."), code="no-sub")
    person = f"{PERSON}{sub}"
    name = str(
        me.get("name") or " ".join(str(me.get(k) or "") for k in ("given_name", "family_name"))
    ).strip()
    found = [
        Connection(
            "linkedin",
            # userinfo has no vanity name for a member, so no handle.
            Credentials(person, "", secrets_, expires_at=expires_at, options=options),
            name or sub,
            str(me.get("picture") or ""),
        )
    ]
    granted = set(str(tokens.get("scope") or "").replace(",", " ").split())
    if granted and not PAGE_SCOPES <= granted:
        return found  # the app has no Community Management API: the member only
    for urn, page, vanity in pages(client):
        creds = Credentials(
            urn, vanity, secrets_, expires_at=expires_at, options={**options, "member": person}
        )
        found.append(Connection("linkedin", creds, page))
    return found


def pages(client: LinkedInAPI) -> list[tuple[str, str, str]]:
    """(URN, name, vanity name) of each organisation the member administers; none
    when LinkedIn refuses to list them (the app lacks the product or the scope)."""
    try:
        acls = client.get(
            "/rest/organizationAcls",
            words("the member's Pages"),
            {"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED", "count": 100},
        )
    except Permanent:
        return []
    found = []
    urns = [
        str(e.get("organization") or "") for e in acls.get("elements") or [] if isinstance(e, dict)
    ]
    for urn in dict.fromkeys(u for u in urns if u.startswith(ORGANIZATION)):
        org_id = urn.removeprefix(ORGANIZATION)
        try:
            org = client.get(f"/rest/organizations/{org_id}", words("a Page's name"))
        except Permanent:
            org = {}
        name = str(org.get("localizedName") or org.get("vanityName") or urn)
        found.append((urn, name, str(org.get("vanityName") or "")))
    return found


def refresh(
    session: requests.Session,
    config: Mapping[str, Any],
    oauth_url: str,
    now: Callable[[], datetime],
    creds: Credentials,
) -> Credentials:
    old = str(creds.secrets.get("refresh_token") or "")
    if not old:
        raise AuthExpired(
            words(
                "LinkedIn gives this app no refresh tokens, so its access ends after 60 days; "
                "reconnect the account."
            ),
            code="no-refresh-token",
        )
    ends = creds.options.get("refresh_expires_at")
    if ends and datetime.fromisoformat(str(ends)) <= now():
        raise AuthExpired(
            words("The account's LinkedIn refresh token has expired; reconnect the account."),
            code="refresh-expired",
        )
    secret = str(config.get("client_secret") or "")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": old,
        "client_id": str(config.get("client_id") or ""),
        "client_secret": secret,
    }
    tokens = token_request(session, oauth_url, form, hidden=[old, secret])
    secrets_, expires_at, options = kept(tokens, now, old)
    return Credentials(
        creds.external_id,
        creds.handle,
        secrets_,
        expires_at=expires_at,
        options={**creds.options, **options},
    )


def kept(
    tokens: Mapping[str, Any], now: Callable[[], datetime], old_refresh: str = ""
) -> tuple[dict[str, str], datetime, dict[str, Any]]:
    """The secrets, expiry and options to store from a token answer."""
    secrets_ = {"access_token": str(tokens["access_token"])}
    refresh_token = str(tokens.get("refresh_token") or old_refresh)
    if refresh_token:
        secrets_["refresh_token"] = refresh_token
    options: dict[str, Any] = {}
    if tokens.get("refresh_token_expires_in"):
        # Counts down from the first grant; each refresh answers with what is left.
        seconds = _seconds(tokens.get("refresh_token_expires_in"), 0)
        options["refresh_expires_at"] = (now() + timedelta(seconds=seconds)).isoformat()
    expires = now() + timedelta(seconds=_seconds(tokens.get("expires_in"), ACCESS_LIFETIME))
    return secrets_, expires, options


def _seconds(value: Any, default: int) -> int:
    try:
        return int(value or default)
    except (TypeError, ValueError):
        return default
