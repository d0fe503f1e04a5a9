"""Signing in to a PDS with a handle and an app password, and keeping the session
fresh (platforms.md §11: com.atproto.server.createSession, refreshSession).

An app password (Settings > Privacy and security > App passwords) looks like
xxxx-xxxx-xxxx-xxxx and can be revoked on its own; SMO refuses what is plainly
an account's main password, which would give it the whole account. The
session's access token lives about 2 hours and its refresh token about 2
months; both are JWTs whose `exp` says when. When the refresh token is refused
SMO signs in again with the app password, and only when that is refused too
(the app password was revoked) must a person reconnect.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from atproto_client import models

from channels.adapters.base import AdapterError, AuthExpired, Connection, Credentials, Permanent
from channels.adapters.bluesky_xrpc import Pds, jwt_expiry
from channels.words import words

if TYPE_CHECKING:
    from channels.adapters.bluesky import BlueskyAdapter

APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
HANDLE = re.compile(
    r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"
)


def is_app_password(password: str) -> bool:
    return bool(APP_PASSWORD.match(password.strip().lower()))


def normal_handle(handle: str) -> str:
    """A handle as typed ("@Alice.bsky.social ") in the form the PDS knows it."""
    return handle.strip().removeprefix("@").lower()


def create_session(pds: Pds, identifier: str, password: str) -> dict[str, Any]:
    data = models.ComAtprotoServerCreateSession.Data(identifier=identifier, password=password)
    return pds.procedure("com.atproto.server.createSession", words("the sign-in"), data)


def refresh_session(pds: Pds, refresh_jwt: str) -> dict[str, Any]:
    return pds.procedure(
        "com.atproto.server.refreshSession",
        words("the session refresh"),
        headers={"Authorization": f"Bearer {refresh_jwt}"},
    )


def session_credentials(session: dict[str, Any], app_password: str, pds_url: str) -> Credentials:
    """Credentials from a createSession or refreshSession answer."""
    access, refresh = str(session["accessJwt"]), str(session["refreshJwt"])
    secrets = {
        "app_password": app_password,
        "access_jwt": access,
        "refresh_jwt": refresh,
        "pds_url": pds_url,
    }
    return Credentials(
        str(session["did"]),
        str(session.get("handle") or ""),
        secrets,
        expires_at=jwt_expiry(access),
    )


def renewed(pds: Pds, creds: Credentials) -> Credentials:
    """Fresh credentials: refreshSession, else a new session with the app password."""
    secrets = creds.secrets
    app_password = str(secrets.get("app_password") or "")
    pds_url = str(secrets.get("pds_url") or pds.base_url)
    refresh = str(secrets.get("refresh_jwt") or "")
    if refresh:
        try:
            return session_credentials(refresh_session(pds, refresh), app_password, pds_url)
        except AuthExpired:
            pass  # refresh token expired or revoked: sign in again below
    if not app_password:
        raise AuthExpired(words("This Bluesky account has no app password; reconnect it."))
    try:
        session = create_session(pds, creds.external_id or creds.handle, app_password)
    except AuthExpired as error:
        raise AuthExpired(
            words(
                "Bluesky no longer accepts the app password (it was revoked or changed); "
                "reconnect the account with a new one."
            ),
            status=error.status,
            code=error.code,
        ) from None
    return session_credentials(session, app_password, pds_url)


def connect(adapter: BlueskyAdapter, handle: str, password: str, url: str) -> Connection:
    """Sign in at `url` (checked already) with what a person typed.

    Raises Permanent whose `code` names the field at fault ("handle",
    "password"), or another AdapterError when the server cannot be used.
    """
    handle = normal_handle(handle)
    if not HANDLE.match(handle):
        raise Permanent(
            words("Enter the account's handle, such as alice.bsky.social."), code="handle"
        )
    if not is_app_password(password):
        raise Permanent(
            words(
                "Use an app password (four groups of four letters or digits, such as "
                "abcd-efgh-ijkl-mnop), not the account's own password. Make one in "
                "Bluesky under Settings, Privacy and security, App passwords."
            ),
            code="password",
        )
    password = password.strip().lower()
    url = url.rstrip("/")
    pds = Pds(adapter.session, url, now=adapter.now, hidden=[password])
    try:
        session = create_session(pds, handle, password)
    except AdapterError as error:
        if error.status == 401:
            raise Permanent(
                words("Bluesky did not accept that handle and app password."), code="password"
            ) from None
        raise
    creds = session_credentials(session, password, url)
    pds.use_token(str(creds.secrets["access_jwt"]))
    return Connection(adapter.network, creds, display_name(pds, creds) or creds.handle)


def display_name(pds: Pds, creds: Credentials) -> str:
    """The profile's display name, from its record on the PDS (no app view needed)."""
    params = models.ComAtprotoRepoGetRecord.Params(
        repo=creds.external_id, collection="app.bsky.actor.profile", rkey="self"
    )
    try:
        profile = pds.query("com.atproto.repo.getRecord", words("the profile"), params)
    except AdapterError:
        return ""  # no profile record yet: the handle names the account
    value = profile.get("value") if isinstance(profile.get("value"), dict) else {}
    return str(value.get("displayName") or "").strip()
