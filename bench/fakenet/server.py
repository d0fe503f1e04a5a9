"""The load fake: one HTTP server on 127.0.0.1 that speaks X and the Graph API.

    with FakeNet(Faults(server_error=0.1, timeout=0.05, rate_limited=0.02)) as net:
        net.add_x_user("1001", "acme", token="x-token-1001")
        net.add_page("2001", "Acme", token="page-token-2001")
        os.environ.update(net.env())        # X_API_URL, FACEBOOK_GRAPH_URL, app keys
        ...
        net.log.duplicates()                # posts beyond the first per delivery

It serves what XAdapter and FacebookAdapter call to publish a text post and to
look one up (find_published): X's `POST /2/tweets` and `GET /2/users/:id/tweets`
under /x, Graph's `POST /{page}/feed`, `GET /{post}` and
`GET /{page}/published_posts` under /graph. Answers are built with the test
fakes' code (tests/fakes/x.py, tests/fakes/graph_wire.py), so they have the
shapes platforms.md §1 and §2 describe; unlike those fakes it keeps indexes
instead of scanning lists and checks no contract, so it keeps up with a burst.

Faults are drawn per API call from a seeded generator: a 5xx before anything is
done, a timeout after the work is done (the answer is held until the client
gives up, then the connection closes), a 5xx after the work is done, or a rate
limit with the network's reset headers. `latency_ms` is added to every answer.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bench.fakenet.graph import GraphNetwork
from bench.fakenet.log import PostLog
from bench.fakenet.wire import Network, Request
from bench.fakenet.x import XNetwork
from tests.fakes.x import Reply, send_reply

FAULTS = ("server_error", "server_error_after_work", "timeout", "rate_limited")


@dataclass
class Faults:
    """Shares of API calls that fail, and how the failures behave."""

    server_error: float = 0.0  # 5xx, nothing done
    # 5xx after the work is done: Graph's code 2 "the post may still have been
    # created" (platforms.md §2); X's 503s can do the same.
    server_error_after_work: float = 0.0
    timeout: float = 0.0  # done, then no answer: the client's read timeout fires
    rate_limited: float = 0.0  # X 429 / Graph code 32, with reset headers
    # Graph's shortest wait is a whole minute; short runs leave it out.
    rate_limited_networks: tuple[str, ...] = ("x", "facebook")
    latency_ms: float = 0.0  # added before every answer
    reset_seconds: float = 5.0  # how far ahead a rate limit's reset is (Graph: whole minutes)
    hold_seconds: float = 10.0  # how long a timed-out call is held; above the client timeout

    def draw(self, rng: random.Random) -> str:
        """Return the fault for one call: one of FAULTS, or "" for none."""
        roll = rng.random()
        for name in FAULTS:
            share = getattr(self, name)
            if roll < share:
                return name
            roll -= share
        return ""


class FakeNet:
    def __init__(
        self,
        faults: Faults | None = None,
        *,
        seed: int = 0,
        refuse_duplicates: bool = False,
        port: int = 0,
    ) -> None:
        self.faults = faults or Faults()
        self.log = PostLog()
        # Off by default: the real networks refuse a repeated text (X's 403, Graph's
        # 506), which would hide a second publish from the count instead of showing it.
        self.x = XNetwork(self.log, refuse_duplicates=refuse_duplicates)
        self.graph = GraphNetwork(self.log, refuse_duplicates=refuse_duplicates)
        self.counts: Counter[str] = Counter()  # calls, and faults injected by kind
        self._rng = random.Random(seed)  # noqa: S311 - a simulation
        self._lock = threading.Lock()
        self._release = threading.Event()
        handler = type("Handler", (_Handler,), {"net": self})
        self._server = _Server(("127.0.0.1", port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- Lifecycle and wiring ---

    def __enter__(self) -> FakeNet:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self) -> dict[str, str]:
        """The settings (smo/settings.py SMO_NETWORKS) that point the adapters here."""
        return {
            "X_API_URL": f"{self.url}/x",
            "X_CLIENT_ID": "fakenet-x-client",
            "X_CLIENT_SECRET": "fakenet-x-secret",
            "FACEBOOK_GRAPH_URL": f"{self.url}/graph",
            "FACEBOOK_GRAPH_VIDEO_URL": f"{self.url}/graph-video",
            "FACEBOOK_APP_ID": "424242",
            "FACEBOOK_APP_SECRET": "fakenet-app-secret",
        }

    def x_config(self) -> dict[str, Any]:
        """An XAdapter config pointing here, for use without Django settings."""
        env = self.env()
        return {
            "client_id": env["X_CLIENT_ID"],
            "client_secret": env["X_CLIENT_SECRET"],
            "api_url": env["X_API_URL"],
        }

    def graph_config(self) -> dict[str, Any]:
        """A FacebookAdapter config pointing here, for use without Django settings."""
        env = self.env()
        return {
            "app_id": env["FACEBOOK_APP_ID"],
            "app_secret": env["FACEBOOK_APP_SECRET"],
            "graph_url": env["FACEBOOK_GRAPH_URL"],
            "graph_video_url": env["FACEBOOK_GRAPH_VIDEO_URL"],
        }

    def add_x_user(self, user_id: str, username: str, *, token: str) -> None:
        self.x.add_user(user_id, username, token)

    def add_page(self, page_id: str, name: str, *, token: str) -> None:
        self.graph.add_page(page_id, name, token)

    # --- Requests ---

    def handle(self, http: BaseHTTPRequestHandler) -> None:
        received = time.time()
        url = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        request = Request(
            method=http.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in http.headers.items()},
            body=http.rfile.read(length) if length else b"",
        )
        network = self._network(request.path)
        if network is None:
            send_reply(http, Reply(404, {"detail": "not a fakenet path"}))
            return
        with self._lock:
            fault = self.faults.draw(self._rng)
            if fault == "rate_limited" and network.name not in self.faults.rate_limited_networks:
                fault = ""
            self.counts["calls"] += 1
            if fault:
                self.counts[fault] += 1
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000)
        if fault == "server_error":
            reply = network.server_error()
        elif fault == "rate_limited":
            reply = network.rate_limited(request, time.time() + self.faults.reset_seconds)
        else:
            reply = network.route(request, received, answered=not fault)
            if fault == "server_error_after_work":
                reply = network.server_error()
        if fault == "timeout":
            # The work is done; the answer never comes, as when a response is lost.
            self._release.wait(self.faults.hold_seconds)
            http.close_connection = True
            return
        send_reply(http, reply)

    def _network(self, path: str) -> Network | None:
        if path.startswith("/x/"):
            return self.x
        if path.startswith(("/graph/", "/graph-video/")):
            return self.graph
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a burst of new connections must not be refused


class _Handler(BaseHTTPRequestHandler):
    net: FakeNet
    protocol_version = "HTTP/1.1"
    # One write per answer: headers and body sent apart meet Nagle and delayed
    # ACKs on keep-alive connections (tests/fakes/x.py says the same).
    wbufsize = -1
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.net.handle(self)

    def do_POST(self) -> None:
        self.net.handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the log and counts have what matters
