"""The outbound session: a timeout on every call, and hard-coded hosts routed."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import BaseAdapter

from channels.adapters.session import build_session


class Recorder(BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, Any]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append((request.url or "", kwargs.get("timeout")))
        response = requests.Response()
        response.status_code = 204
        response.request = request
        return response

    def close(self) -> None:
        pass


def session_with_recorder() -> tuple[Any, Recorder]:
    session = build_session(7.5)
    recorder = Recorder()
    session.mount("http://", recorder)
    session.mount("https://", recorder)
    return session, recorder


def test_every_call_gets_the_timeout_even_when_a_library_passes_none() -> None:
    session, recorder = session_with_recorder()
    session.get("https://graph.facebook.com/v24.0/me", timeout=None)  # as facebook-sdk does
    session.get("https://graph.facebook.com/v24.0/me")
    session.get("https://graph.facebook.com/v24.0/me", timeout=2)
    assert [t for _, t in recorder.sent] == [7.5, 7.5, 2]


def test_a_routed_host_goes_to_the_configured_url_and_others_are_untouched() -> None:
    session, recorder = session_with_recorder()
    session.route("https://api.twitter.com", "http://127.0.0.1:9999/")
    session.get("https://api.twitter.com/2/tweets?x=1")
    session.get("https://api.twitter.com")
    session.get("https://api.twitter.com.evil.example/2/tweets")
    session.get("https://upload.twitter.com/1.1/media/upload.json")
    assert [u for u, _ in recorder.sent] == [
        "http://127.0.0.1:9999/2/tweets?x=1",
        "http://127.0.0.1:9999/",
        "https://api.twitter.com.evil.example/2/tweets",
        "https://upload.twitter.com/1.1/media/upload.json",
    ]


def test_routing_a_host_to_itself_changes_nothing() -> None:
    session, _ = session_with_recorder()
    session.route("https://api.x.com/", "https://api.x.com")
    assert session.routes == {}
