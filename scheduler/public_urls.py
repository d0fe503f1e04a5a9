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


def check(url: str) -> None:
    """Raise NotPublic unless every address `url`'s host resolves to is a public one."""
    if settings.SMO_FETCH_PRIVATE_URLS:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        found = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise NotPublic(
            _("The media URL's host name %(host)s is unknown.") % {"host": host}
        ) from exc
    for *_rest, address in found:
        ip = ipaddress.ip_address(address[0].split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise NotPublic(
                _(
                    "The media URL points inside a private network (%(host)s); SMO does not fetch from there."
                )
                % {"host": host}
            )
