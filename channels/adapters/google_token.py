"""Google's OAuth token endpoint, shared by the Google networks (YouTube and
Google Business Profile): exchanging a sign-in code and refreshing a token.

A refused refresh is AuthExpired (invalid_grant: revoked, the password changed,
or an app left in "Testing" whose refresh tokens end after 7 days; platforms.md
§6); a refused code exchange is Permanent (the person tries connecting again).
Every failure to reach Google is Transient: Google does not rotate refresh
tokens on use, so a refresh it did receive leaves the old token valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import requests

from channels.adapters.base import AuthExpired, Permanent, Transient, scrub
from channels.adapters.session import nothing_sent
from channels.words import words

TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret


def token_request(
    session: requests.Session,
    config: Mapping[str, Any],
    form: Mapping[str, str],
    *,
    product: str,
    hidden: Iterable[str] = (),
) -> dict[str, Any]:
    """POST `form` to the token endpoint with the client's id and secret; `product`
    ("YouTube") names the token in a refused refresh."""
    body = {
        **form,
        "client_id": str(config.get("client_id") or ""),
        "client_secret": str(config.get("client_secret") or ""),
    }
    hidden = [*hidden, body["client_secret"], form.get("refresh_token", "")]
    refreshing = form.get("grant_type") == "refresh_token"
    try:
        response = session.post(
            str(config.get("token_url") or TOKEN_URL), data=body, allow_redirects=False
        )
    except requests.RequestException as error:
        name = type(error).__name__
        if nothing_sent(error):
            raise Transient(
                words("Could not reach Google's token endpoint (%(error)s).", error=name)
            ) from None
        raise Transient(
            words("No answer from Google's token endpoint (%(error)s).", error=name)
        ) from None
    tokens = _json(response)
    status = response.status_code
    if response.ok:
        if tokens.get("access_token"):
            return tokens
        raise Transient(
            words("Google's token endpoint answered without a token."),
            status=status,
            code="no-token",
        )
    code = str(tokens.get("error") or "")
    reason = scrub(str(tokens.get("error_description") or code or status), hidden)
    if status >= 500 or status == 429:
        raise Transient(
            words("Google's token endpoint had a temporary problem (%(status)s).", status=status),
            status=status,
            code=code,
        )
    if refreshing:
        raise AuthExpired(
            words(
                "Google would not refresh the %(product)s token (%(reason)s); "
                "reconnect the account.",
                product=product,
                reason=reason,
            ),
            status=status,
            code=code,
        )
    raise Permanent(
        words(
            "Google did not accept the sign-in (%(reason)s); try connecting again.", reason=reason
        ),
        status=status,
        code=code,
    )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
