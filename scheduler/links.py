"""SMO's own short links: each link of a delivery goes out as /l/<code> on
SMO_PUBLIC_URL, and each click on it is counted (scheduler/views/links.py).

A link is made once per delivery and target (a retry or the reconciler's lookup
gets the same code), so the post text is the same on every attempt. The target
keeps the campaign's UTM tags (scheduler/utm.py), added before shortening.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from channels.text import url_spans
from scheduler.models import Delivery, LinkClick, ShortLink

CACHE_PREFIX = "smo:link:"

# The pages people click from, by host (and its subdomains): the network they
# were on. Apps that send no Referer count as "".
REFERRERS = {
    "t.co": "x",
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "fb.me": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "tiktok.com": "tiktok",
    "pinterest.com": "pinterest",
    "pin.it": "pinterest",
    "linkedin.com": "linkedin",
    "lnkd.in": "linkedin",
    "threads.net": "threads",
    "threads.com": "threads",
    "bsky.app": "bluesky",
    # Business Profile short links; clicks from Search or Maps arrive as google.com,
    # which organic search shares, so they are not counted as the profile's.
    "g.page": "gbp",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.org": "telegram",  # web.telegram.org, the web client
    "discord.com": "discord",
    "discordapp.com": "discord",
    "reddit.com": "reddit",
    "redd.it": "reddit",
    "slack.com": "slack",
    "slack-redir.net": "slack",
}

# Headers a CDN or proxy in front of SMO sets to the visitor's country.
COUNTRY_HEADERS = (
    "CF-IPCountry",
    "CloudFront-Viewer-Country",
    "X-AppEngine-Country",
    "X-Country-Code",
    "Fastly-Geo-Country",
)

# Link preview fetchers and crawlers: they open every link posted, and are not people.
BOTS = (
    "bot",
    "crawler",
    "spider",
    "facebookexternalhit",
    "facebookcatalog",
    "embedly",
    "slackbot",
    "discordbot",
    "whatsapp",
    "telegrambot",
    "skypeuripreview",
    "bitlybot",
    "preview",
)


def short_url(code: str) -> str:
    return f"{settings.SMO_PUBLIC_URL.rstrip('/')}/l/{code}"


def shorten(delivery: Delivery, url: str) -> str:
    """The short link for `url` in `delivery`, made on first use."""
    if not url or url.startswith(short_url("")):
        return url
    found = ShortLink.objects.filter(delivery=delivery, url=url).values_list("code", flat=True)
    code = found.first()
    if code is None:
        try:
            with transaction.atomic():
                code = ShortLink.objects.create(delivery=delivery, url=url).code
        except IntegrityError:  # made by a worker racing this one
            code = ShortLink.objects.get(delivery=delivery, url=url).code
    return short_url(code)


def shorten_text(delivery: Delivery, text: str) -> str:
    """`text` with every http(s) link replaced by its short link."""
    pieces, position = [], 0
    for start, end in url_spans(text):
        link = text[start:end]
        if urlsplit(link).scheme.lower() not in ("http", "https"):
            continue
        pieces.append(text[position:start])
        pieces.append(shorten(delivery, link))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def target(code: str) -> tuple[int, str] | None:
    """(link id, url) for `code`: from the cache, else the database once, then cached."""
    key = CACHE_PREFIX + code
    found = cache.get(key)
    if found is None:
        row = ShortLink.objects.filter(code=code).values_list("pk", "url").first()
        if row is None:
            return None
        found = (row[0], row[1])
        cache.set(key, found, timeout=settings.SMO_LINK_CACHE_SECONDS)
    return found[0], found[1]


def network_of(referrer: str) -> str:
    host = (urlsplit(referrer).hostname or "").lower() if referrer else ""
    while host:
        if host in REFERRERS:
            return REFERRERS[host]
        host = host.partition(".")[2]
    return ""


def country_of(headers: object) -> str:
    for name in COUNTRY_HEADERS:
        value = str(headers.get(name, "")).strip().upper()  # type: ignore[attr-defined]
        # "XX" (unknown) and "T1" (Tor) are what CDNs send when they cannot tell.
        if len(value) == 2 and value.isalpha() and value != "XX":
            return value
    return ""


def is_bot(user_agent: str) -> bool:
    agent = user_agent.lower()
    return any(word in agent for word in BOTS)


def record(link_id: int, at: datetime, network: str, country: str) -> None:
    LinkClick.objects.create(link_id=link_id, clicked_at=at, network=network, country=country)
