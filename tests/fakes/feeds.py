"""A feed server on 127.0.0.1 for the feed tests: RSS 2.0 and Atom 1.0 built from
the items it is given, ETag and Last-Modified with 304 on a matching
conditional request, and fault knobs (broken XML, a web page, 404/500, slow).

    with FeedServer() as server:
        server.items = [Item("a", "First", "https://blog.example/a")]
        server.url("/rss") ... server.requests[-1].headers["If-None-Match"]
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

LAST_MODIFIED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    link: str
    summary: str = "<p>Read <b>all</b> about it &amp; more.</p>"
    # Minutes before LAST_MODIFIED; items are listed in the order given.
    age: int = 0


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class FeedServer:
    title: str = "Acme Blog"
    items: list[Item] = field(default_factory=list)
    # path -> status answered instead of the feed (404, 500).
    statuses: dict[str, int] = field(default_factory=dict)
    slow_seconds: float = 0.0  # /slow waits this long before answering
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = server._answer(self.path, dict(self.headers.items()))
                server.requests.append(Seen(self.path, dict(self.headers.items()), status))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/rss") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what each path serves ------------------------------------------------------

    def _answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        path = path.split("?")[0]
        if path in self.statuses:
            return self.statuses[path], {"Content-Type": "text/html"}, b"<h1>No</h1>"
        if path == "/slow":
            time.sleep(self.slow_seconds)
            path = "/rss"
        if path == "/broken":
            return (
                200,
                {"Content-Type": "application/rss+xml"},
                b'<?xml version="1.0"?><rss version="2.0"><channel><title>Oops</titl',
            )
        if path == "/page":
            page = b"<!DOCTYPE html><html><head><title>Blog</title></head><body>Hi</body></html>"
            return 200, {"Content-Type": "text/html"}, page
        if path == "/moved":
            return 301, {"Location": "/atom"}, b""
        body = self._atom() if path == "/atom" else self._rss()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = format_datetime(LAST_MODIFIED, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": modified}
        if headers.get("If-None-Match") == etag or (
            "If-None-Match" not in headers and headers.get("If-Modified-Since") == modified
        ):
            return 304, validators, b""
        kind = "application/atom+xml" if path == "/atom" else "application/rss+xml"
        return 200, {"Content-Type": kind, **validators}, body

    def _when(self, item: Item) -> datetime:
        return LAST_MODIFIED - timedelta(minutes=item.age)

    def _rss(self) -> bytes:
        entries = "".join(
            f'<item><guid isPermaLink="false">{escape(i.guid)}</guid>'
            f"<title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
            f"<description>{escape(i.summary)}</description>"
            f"<pubDate>{format_datetime(self._when(i), usegmt=True)}</pubDate></item>"
            for i in self.items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(self.title)}</title><link>https://blog.example/</link>"
            f"<description>News</description>{entries}</channel></rss>"
        ).encode()

    def _atom(self) -> bytes:
        entries = "".join(
            f"<entry><id>{escape(i.guid)}</id><title>{escape(i.title)}</title>"
            f'<link href="{escape(i.link)}"/>'
            f'<summary type="html">{escape(i.summary)}</summary>'
            f"<updated>{self._when(i).isoformat()}</updated></entry>"
            for i in self.items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(self.title)}</title><id>urn:acme</id>"
            f"<updated>{LAST_MODIFIED.isoformat()}</updated>{entries}</feed>"
        ).encode()
