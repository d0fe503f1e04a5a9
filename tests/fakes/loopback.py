"""The loopback plumbing every fake network shares: HTTP servers on 127.0.0.1,
each served from a thread while the fake is open as a context manager."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LoopbackFake:
    """Base of the fakes. `__init__` opens each server with `serve()`; entering
    starts them, and leaving wakes any request held unanswered (`_release`, the
    lost-answer knobs wait on it) before closing them."""

    def __init__(self) -> None:
        self._release = threading.Event()
        self._servers: list[ThreadingHTTPServer] = []

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
