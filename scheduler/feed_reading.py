"""Read an RSS or Atom feed over HTTP: a conditional GET through the shared
outbound session, then feedparser on the bytes. No database here: the caller
(scheduler/feeds.py) stores what comes back.

feedparser is given bytes, never the URL, so every request goes through the
session (timeout, no hidden retries, SMO's User-Agent) and the address checks.
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import requests
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import Truncator

from channels.adapters.session import build_session
from channels.words import Words, words
from scheduler import public_urls

# A feed bigger than this is not a feed anyone means to follow, and reading it
# whole would hold a worker's memory.
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}


class FeedError(Exception):
    """The feed could not be read; `words` says why, for people."""

    def __init__(self, message: Words) -> None:
        super().__init__(str(message))
        self.words = message


@dataclass(frozen=True)
class Entry:
    guid: str
    link: str
    title: str
    summary: str
    published_at: datetime | None


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    title: str = ""
    entries: list[Entry] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""


def fetch(url: str, etag: str = "", last_modified: str = "") -> Fetched:
    """GET `url` (conditional when `etag`/`last_modified` are given) and parse it."""
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    response = _get(url, headers)
    if response.status_code == 304:
        return Fetched(not_modified=True, etag=etag, last_modified=last_modified)
    if response.status_code >= 400:
        raise FeedError(
            words("The feed's server answered HTTP %(status)s.", status=response.status_code)
        )
    body = _read(response)
    return Fetched(
        not_modified=False,
        etag=response.headers.get("ETag", "")[:500],
        last_modified=response.headers.get("Last-Modified", "")[:100],
        **parse(body),
    )


def _get(url: str, headers: dict[str, str]) -> requests.Response:
    """Follow redirects by hand, checking that each address is public (SSRF)."""
    session = build_session(settings.SMO_FEED_TIMEOUT)
    for _hop in range(MAX_REDIRECTS + 1):
        _check_address(url)
        try:
            response = session.get(url, headers=headers, allow_redirects=False, stream=True)
        except requests.Timeout as exc:
            raise FeedError(
                words(
                    "The feed's server did not answer within %(seconds)s seconds.",
                    seconds=settings.SMO_FEED_TIMEOUT,
                )
            ) from exc
        except requests.RequestException as exc:
            raise FeedError(
                words(
                    "Could not connect to the feed's server (%(error)s).", error=type(exc).__name__
                )
            ) from exc
        if response.status_code not in REDIRECTS or "Location" not in response.headers:
            return response
        response.close()
        url = urljoin(url, response.headers["Location"])
    raise FeedError(words("The feed's address redirects too many times."))


def _check_address(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError(words("Enter the feed's http or https address."))
    try:
        public_urls.check(url)
    except public_urls.NotPublic as exc:
        # Server-side request forgery: a typed address must not reach SMO's own network.
        raise FeedError(
            words(
                "%(host)s is not a public address; SMO reads feeds only from the internet.",
                host=parts.hostname,
            )
        ) from exc


def _read(response: requests.Response) -> bytes:
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BYTES:
                raise FeedError(words("The feed is larger than 5 MB; SMO does not read it."))
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise FeedError(
            words(
                "The feed's server did not answer within %(seconds)s seconds.",
                seconds=settings.SMO_FEED_TIMEOUT,
            )
        ) from exc
    finally:
        response.close()
    return b"".join(chunks)


def parse(body: bytes) -> dict[str, Any]:
    """Return the feed's title and entries, newest first; raise FeedError for non-feeds."""
    parsed = feedparser.parse(body)
    # A loose parse of broken XML that still found entries is read (feedparser's
    # "bozo" flag); broken XML with nothing in it, or not a feed at all, is an error.
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        raise FeedError(_not_a_feed(parsed, body))
    entries = [e for e in (_entry(raw) for raw in parsed.entries) if e is not None]
    # Newest first where the feed dates its entries; feeds list newest first anyway.
    entries.sort(key=lambda e: e.published_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return {"title": _text(parsed.feed.get("title", ""))[:200], "entries": entries}


def _not_a_feed(parsed: Any, body: bytes) -> Words:
    error = parsed.get("bozo_exception")
    start = body[:1000].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return words("This address serves a web page, not an RSS or Atom feed.")
    if not parsed.get("bozo"):
        return words("This address does not serve an RSS or Atom feed.")
    return words(
        "The feed is not valid XML (%(error)s).",
        error=Truncator(str(error or "")).chars(150) or type(error).__name__,
    )


def _entry(raw: Any) -> Entry | None:
    link = str(raw.get("link", "")).strip()[:1000]
    guid = str(raw.get("id", "") or link).strip()[:1000]
    if not guid:
        return None  # neither id nor link: nothing would tell it apart next time
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
    summary = raw.get("summary", "") or _first_content(raw)
    return Entry(
        guid=guid,
        link=link,
        title=_text(raw.get("title", ""))[:500],
        summary=_text(summary),
        published_at=published,
    )


def _first_content(raw: Any) -> str:
    contents = raw.get("content") or []
    return str(contents[0].get("value", "")) if contents else ""


def _text(value: str) -> str:
    """HTML to plain text on one line per paragraph, entities decoded."""
    text = html.unescape(strip_tags(str(value)))
    return re.sub(r"[ \t\r\f\v]*\n\s*", "\n", re.sub(r"[ \t]+", " ", text)).strip()


def shorten(text: str, chars: int) -> str:
    """Cut `text` at a word boundary to at most `chars` characters, with an ellipsis."""
    if chars <= 0:
        return ""
    return Truncator(text).chars(chars, truncate="…")
