"""Refuse URLs that point inside the server's own network before fetching them.

The CSV import downloads media from addresses people type. Without a check, a
row could make the server fetch http://169.254.169.254/ (a cloud's metadata
service) or an admin page on localhost and show what it found (server-side
request forgery). Every address the host name resolves to must be public;
`SMO_FETCH_PRIVATE_URLS` lets a self-hosted install on a private network (or the
tests' local server) fetch from it anyway.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class NotPublic(ValueError):
    pass


def check(url: str, message: str = "") -> None:
    """Raise NotPublic unless every address `url`'s host resolves to is a public one.

    `message` (translated, with %(host)s) says why for a URL that is not a media URL.
    """
    if settings.SMO_FETCH_PRIVATE_URLS:
        return
    host = urlsplit(url).hostname or ""
    if not _public(url):
        raise NotPublic(
            (
                message
                or _(
                    "The media URL points inside a private network (%(host)s); SMO does not fetch from there."
                )
            )
            % {"host": host}
        )


def server(url: str, example: str = "https://mastodon.social") -> str:
    """Return the base URL ("https://host[:port]") of a server an admin typed in
    (a Mastodon instance, a Bluesky PDS), or raise NotPublic saying what is wrong.

    SMO calls that server from its own network, so the rule for media URLs
    applies, and it must be https: tokens and passwords travel to it.
    """
    typed = url.strip()
    if "://" not in typed:
        typed = f"https://{typed}"
    parts = urlsplit(typed)
    allowed = {"https", "http"} if settings.SMO_FETCH_PRIVATE_URLS else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise NotPublic(
            _("Enter the server's https address, such as %(example)s.") % {"example": example}
        )
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        raise NotPublic(_("Enter only the server's address, without a path."))
    base = f"{parts.scheme}://{parts.netloc.lower()}"
    if not settings.SMO_FETCH_PRIVATE_URLS and not _public(base):
        raise NotPublic(
            _("%(host)s is not a public server; SMO does not connect there.")
            % {"host": parts.hostname}
        )
    return base


def _public(url: str) -> bool:
    """Say whether every address `url`'s host resolves to is public; raise
    NotPublic when the name does not resolve."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        found = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise NotPublic(_("The host name %(host)s is unknown.") % {"host": host}) from exc
    return all(
        (ip := ipaddress.ip_address(address[0].split("%")[0])).is_global and not ip.is_multicast
        for *_rest, address in found
    )
