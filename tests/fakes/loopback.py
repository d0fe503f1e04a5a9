"""The loopback plumbing every fake network shares: HTTP servers on 127.0.0.1,
each served from a thread while the fake is open as a context manager, and the
test knobs they all offer: a fault queue (`fail_next`), lost answers
(`timeout_after_receive`, `drop_after_receive`) and `calls()`."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Fault:
    """An answer `fail_next` planned: sent instead of doing the request's work."""

    status: int
    body: Any
    headers: dict[str, str | None]  # a header given as None is left out of the answer
    path: str | None  # None: the next request, whatever its path
    skip: int = 0  # matching requests to let through first
    content_type: str = "application/json"  # only fakes that let a test pick it read this


@dataclass
class Hold:
    """A request to carry out and then leave unanswered, as when a response is lost."""

    path: str | None  # None: the next request, whatever its path
    wait: bool  # True: keep the connection open unanswered; False: hang up at once
    final_only: bool = False  # only a request that completes the work (YouTube's last chunk)


class LoopbackHandler(BaseHTTPRequestHandler):
    """Hands every request to its fake's `handle`. GET and POST only: a network that
    takes PUTs says so with `do_PUT = LoopbackHandler.do_POST`, so the others keep
    answering anything else 501, as the standard library does."""

    fake: Any
    protocol_version = "HTTP/1.1"
    # One write per response: headers and body sent apart meet Nagle and delayed ACKs
    # on keep-alive connections, about 40 ms per request.
    wbufsize = -1
    disable_nagle_algorithm = True

    @classmethod
    def bound_to(cls, fake: Any, **attrs: Any) -> type[Self]:
        """A subclass serving `fake` (`attrs`: more class attributes, e.g. `host`); a
        server builds a handler per request from a class, so the fake rides on it."""
        return type("Handler", (cls,), {"fake": fake, **attrs})

    def do_GET(self) -> None:
        self.fake.handle(self)

    def do_POST(self) -> None:
        self.fake.handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the fake records every request


class LoopbackFake:
    """Base of the fakes. `__init__` opens each server with `serve()`; entering
    starts them, and leaving wakes any request held unanswered (`_release`, the
    lost-answer knobs wait on it) before closing them.

    A fake's `handle` uses the knobs by taking what is planned for a request under
    `_lock`: `_take_fault(path)` before doing its work, `_take_hold(path)` (after
    it, unless the fake says otherwise) and, outside the lock, `_withhold()`."""

    hold_path: str | None = None  # what the lost-answer knobs hold by default; None: any
    hold_seconds = 10.0  # how long a timed-out request waits; past any client's timeout
    requests: list[Any]  # every fake records what it receives here

    def __init__(self) -> None:
        self._release = threading.Event()
        self._servers: list[ThreadingHTTPServer] = []
        self._lock = threading.RLock()
        self._faults: list[Fault] = []
        self._holds: list[Hold] = []

    def serve(
        self,
        handler: type[BaseHTTPRequestHandler],
        server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer,
    ) -> ThreadingHTTPServer:
        """Bind a server for `handler` on a free port; it answers once entered."""
        server = server_class(("127.0.0.1", 0), handler)
        self._servers.append(server)
        return server

    def __enter__(self) -> Self:
        for server in self._servers:
            # A short poll keeps shutdown() quick; the default 0.5 s would end every test.
            threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()

    # --- Knobs ---

    def fail_next(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str | None] | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next request (to `path`, if given) with this, doing nothing else.
        A header given as None is left out. With no body, the network's error body."""
        self._plan(Fault(status, body, dict(headers or {}), path))

    def timeout_after_receive(self, path: str | None = None) -> None:
        """Carry out the next request to `path` (default `hold_path`), then never
        answer: a lost response."""
        self._hold(path, wait=True)

    def drop_after_receive(self, path: str | None = None) -> None:
        """Carry out the next request to `path` (default `hold_path`), then close the
        connection unanswered."""
        self._hold(path, wait=False)

    def calls(self, method: str, path: str) -> list[Any]:
        """Return the requests made to `path`; a trailing * matches any rest."""
        prefix = path.rstrip("*")
        return [
            r
            for r in self.requests
            if r.method == method
            and (r.path == path or (path.endswith("*") and r.path.startswith(prefix)))
        ]

    # --- What the knobs plan, and the request pipeline's side of them ---

    def fault_body(self, status: int) -> Any:
        """The body an error fault gets when `fail_next` names none. None leaves it to
        the fake's answer (several build a whole reply from the status there)."""
        return None

    def _matches(self, wanted: str, name: str) -> bool:
        """Whether a knob's `path` names a request going by `name`. Exact here; Graph
        matches any part of the path, Threads its end."""
        return wanted == name

    def _plan(self, fault: Fault) -> None:
        if fault.body is None and fault.status >= 400:
            fault.body = self.fault_body(fault.status)
        with self._lock:
            self._faults.append(fault)

    def _hold(self, path: str | None, wait: bool, final_only: bool = False) -> None:
        with self._lock:
            self._holds.append(Hold(self.hold_path if path is None else path, wait, final_only))

    def _wanted(self, wanted: str | None, names: tuple[str, ...]) -> bool:
        return wanted is None or any(self._matches(wanted, name) for name in names)

    def _take_fault(self, *names: str) -> Fault | None:
        """The fault planned for a request going by `names` (its path; YouTube adds
        "METHOD path"), off the queue. The first that matches decides: while it
        still lets requests through (`skip`), this one goes through too."""
        for i, fault in enumerate(self._faults):
            if self._wanted(fault.path, names):
                if fault.skip:
                    fault.skip -= 1
                    return None
                return self._faults.pop(i)
        return None

    def _take_hold(self, *names: str, final: bool = True) -> Hold | None:
        """The hold planned for a request going by `names`, off the list; `final`
        says whether this request completed its work (see Hold.final_only)."""
        for i, hold in enumerate(self._holds):
            if self._wanted(hold.path, names) and (final or not hold.final_only):
                return self._holds.pop(i)
        return None

    def _withhold(self, handler: BaseHTTPRequestHandler, hold: Hold) -> None:
        """Leave a request whose work is done unanswered: wait (until the client gives
        up, or the fake closes), or hang up at once; the connection is closed either way."""
        if hold.wait:
            self._release.wait(self.hold_seconds)
        handler.close_connection = True
