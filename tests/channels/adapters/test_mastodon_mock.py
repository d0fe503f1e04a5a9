"""A second opinion: MastodonAdapter against PyPI's mastodon-mock (a third-party mock of
the Mastodon API, FastAPI + SQLite, /work/shared/services.md), not only our own fake.

The token comes the way an admin's would: SMO registers itself (POST /api/v1/apps),
the mock's /oauth/authorize is an account picker whose form POSTs back a
`mockcode_<username>` code, and /oauth/token exchanges it. (The mock also seeds
`testuser` with the token `mock_token`, and POST /api/v1/_mock/login issues one.)

What mastodon-mock 0.6.1 does not do, so these tests cannot check it here (our
FakeMastodon covers each): media is always processed at once (200, never 202/206
or 422 from GET /api/v1/media/:id); an Idempotency-Key never expires (no one-hour
window); text is counted with len() (a URL counts in full, not 23; a content
warning is not counted); a poll with media, poll choice counts and lengths are
not refused; the instance limits are fixed (500 characters, 4 attachments) unless
a config file is written; no X-RateLimit-* headers unless its rate limiting is
switched on (a 429 comes from its fault-injection control plane instead).
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.adapters import mastodon_inbox as inbox
from channels.adapters.base import (
    AuthExpired,
    Content,
    Credentials,
    MediaItem,
    Permanent,
    Progress,
    RateLimited,
    Transient,
)
from channels.adapters.engagement import COMMENT, DELETE, MENTION, MESSAGE, REPLY, PostRef
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.mastodon_auth import MemoryApps
from channels.adapters.session import build_session
from tests.fakes.graph_wire import jpeg

CALLBACK = "https://smo.example/accounts/callback/mastodon/"
SERVE = Path(sys.executable).with_name("mastodon_mock")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    """Start `mastodon_mock serve --in-memory` on a free port; ready when uvicorn says so."""
    port = free_port()
    process = subprocess.Popen(
        [str(SERVE), "serve", "--host", "127.0.0.1", "--port", str(port), "--in-memory"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen = []
    # Read its log until it serves: readline blocks until a line comes, no sleeping.
    for line in process.stderr:
        seen.append(line)
        # Logged once the socket listens ("Application startup complete" comes before).
        if "Uvicorn running on" in line:
            break
    if process.poll() is not None:
        pytest.fail("mastodon_mock did not start:\n" + "".join(seen))
    # Keep reading its log, so a full pipe never stalls it.
    drain = threading.Thread(target=lambda: all(process.stderr or ()), daemon=True)
    drain.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        drain.join(timeout=10)
        process.stderr.close()


@dataclass
class Mock:
    url: str
    adapter: MastodonAdapter
    creds: Credentials

    def status(self, status_id: str) -> dict[str, Any]:
        token = self.creds.secrets["access_token"]
        response = requests.get(
            f"{self.url}/api/v1/statuses/{status_id}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        response.raise_for_status()
        return dict(response.json())

    def fault(self, path: str, effect: dict[str, Any]) -> None:
        rule = {"methods": ["POST"], "path": path, "count": 1, "effect": effect}
        requests.post(f"{self.url}/api/v1/_mock/faults", json=rule, timeout=5).raise_for_status()


def sign_in(adapter: MastodonAdapter, url: str, username: str = "testuser") -> Credentials:
    start = adapter.authorization(CALLBACK, "state-1", server=url)
    query = parse_qs(urlsplit(start.url).query)
    picker = requests.get(start.url, timeout=5)
    assert picker.status_code == 200 and f"@{username}" in picker.text
    chosen = requests.post(
        f"{url}/oauth/authorize",
        data={
            "username": username,
            "redirect_uri": query["redirect_uri"][0],
            "client_id": query["client_id"][0],
            "scope": query["scope"][0],
            "state": "state-1",
        },
        allow_redirects=False,
        timeout=5,
    )
    back = parse_qs(urlsplit(chosen.headers["Location"]).query)
    assert back["state"] == ["state-1"]
    [found] = adapter.connect(back["code"][0], CALLBACK, "", server=url)
    return found.credentials


@pytest.fixture
def mock(mock_url: str, tmp_path: Path) -> Mock:
    adapter = MastodonAdapter({"apps": MemoryApps(), "sleep": lambda s: None}, build_session(5))
    creds = sign_in(adapter, mock_url)
    adapter.limits = adapter.account_limits(creds.options)  # type: ignore[misc]
    return Mock(mock_url, adapter, creds)


def publish(mock: Mock, content: Content, key: str, progress: Progress | None = None) -> Any:
    return mock.adapter.publish(mock.creds, content, key, progress or Progress())


def test_connecting_registers_smo_and_reads_the_instance(mock: Mock) -> None:
    options = mock.creds.options
    assert options["server"] == mock.url
    assert options["limits"]["max_characters"] == 500
    assert options["limits"]["max_media_attachments"] == 4
    assert options["version"]
    assert mock.creds.handle.startswith("@testuser@")
    assert mock.adapter.limits.max_text == 500


def test_a_text_post(mock: Mock) -> None:
    result = publish(mock, Content("Cardamom buns at 7"), "mock-text")
    shown = mock.status(result.external_id)
    assert "Cardamom buns at 7" in shown["content"]
    assert result.url


def test_content_warning_and_visibility(mock: Mock) -> None:
    options = {"spoiler_text": "Food", "visibility": "unlisted", "language": "sv"}
    result = publish(mock, Content("Kardemummabullar", options=options), "mock-cw")
    shown = mock.status(result.external_id)
    assert (shown["spoiler_text"], shown["visibility"], shown["language"]) == (
        "Food",
        "unlisted",
        "sv",
    )


def test_media_with_a_description(mock: Mock, tmp_path: Path) -> None:
    data = jpeg(640, 480)
    path = tmp_path / "buns.jpg"
    path.write_bytes(data)
    photo = MediaItem(str(path), "image/jpeg", "image", len(data), 640, 480, "Buns on a tray")
    progress = Progress()
    result = publish(mock, Content("A photo", media=(photo,)), "mock-media", progress)
    [attached] = mock.status(result.external_id)["media_attachments"]
    assert attached["description"] == "Buns on a tray"
    assert attached["id"] == progress.get("media_ids")[0]


def test_a_poll(mock: Mock) -> None:
    options = {"poll": "Cardamom\nCinnamon", "poll_duration": "3600", "poll_multiple": True}
    result = publish(mock, Content("Which bun?", options=options), "mock-poll")
    poll = mock.status(result.external_id)["poll"]
    assert [o["title"] for o in poll["options"]] == ["Cardamom", "Cinnamon"]
    assert poll["multiple"] is True


def test_a_thread_is_a_reply_chain(mock: Mock) -> None:
    progress = Progress()
    publish(mock, Content("1/3", thread=("2/3", "3/3")), "mock-thread", progress)
    first, second, third = progress.get("status_ids")
    assert mock.status(second)["in_reply_to_id"] == first
    assert mock.status(third)["in_reply_to_id"] == second


def test_the_same_key_gets_the_same_status(mock: Mock) -> None:
    first = publish(mock, Content("Once only"), "mock-same")
    again = publish(mock, Content("Once only"), "mock-same")
    assert again.external_id == first.external_id


def test_the_reconciler_finds_a_post_by_its_text(mock: Mock) -> None:
    made = publish(mock, Content("Find me @someone@elsewhere.example"), "mock-find")
    found = mock.adapter.find_published(
        mock.creds, Content("Find me @someone@elsewhere.example"), "mock-find", Progress()
    )
    assert found is not None and found.external_id == made.external_id
    missing = mock.adapter.find_published(
        mock.creds, Content("Never posted"), "mock-none", Progress()
    )
    assert missing is None


def test_text_over_the_limit_is_refused_with_the_mocks_message(mock: Mock) -> None:
    with pytest.raises(Permanent) as raised:
        publish(mock, Content("a" * 501), "mock-long")
    assert raised.value.status == 422
    assert "Validation failed" in raised.value.detail


def test_a_bad_token_needs_a_reconnect(mock: Mock) -> None:
    creds = Credentials(
        mock.creds.external_id, secrets={"access_token": "revoked"}, options=mock.creds.options
    )
    with pytest.raises(AuthExpired):
        mock.adapter.publish(creds, Content("Hello"), "mock-401", Progress())


def test_a_rate_limit_fault_says_when_to_come_back(mock: Mock) -> None:
    mock.fault("/api/v1/statuses", {"type": "ratelimit"})
    with pytest.raises(RateLimited) as raised:
        publish(mock, Content("Hello"), "mock-429")
    assert raised.value.retry_at.tzinfo is not None


def test_a_server_error_fault_is_transient(mock: Mock) -> None:
    mock.fault("/api/v1/statuses", {"type": "status", "status": 500})
    with pytest.raises(Transient):
        publish(mock, Content("Hello"), "mock-500")


# --- The inbox ---

PEOPLE = itertools.count()


def someone(mock: Mock, name: str) -> str:
    """A second account on the mock (its dev-user shortcut); returns its token."""
    made = requests.post(
        f"{mock.url}/api/v1/_mock/dev_user",
        json={"username": f"{name}_{next(PEOPLE)}", "display_name": name.title()},
        timeout=5,
    )
    made.raise_for_status()
    return str(made.json()["access_token"])


def say(mock: Mock, token: str, text: str, **fields: Any) -> dict[str, Any]:
    said = requests.post(
        f"{mock.url}/api/v1/statuses",
        json={"status": text, **fields},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    said.raise_for_status()
    return dict(said.json())


def test_the_inbox_pages_through_mentions_and_places_them(
    mock: Mock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "PAGE", 2)  # the mock's Link headers, page by page
    since = datetime.now(UTC) - timedelta(seconds=5)
    post = publish(mock, Content("Buns at 7"), "mock-inbox-post").external_id
    alice, bob = someone(mock, "alice"), someone(mock, "bob")
    comment = say(mock, alice, "@testuser lovely", in_reply_to_id=post)
    reply = say(mock, bob, "@testuser agreed", in_reply_to_id=comment["id"])
    mention = say(mock, bob, "Try @testuser")
    message = say(mock, alice, "@testuser open Sunday?", visibility="direct")

    found = {
        i.external_id: i for i in mock.adapter.fetch_engagement(mock.creds, since, [PostRef(post)])
    }

    shape = {k: (v.kind, v.parent_post_id, v.in_reply_to_id, v.own) for k, v in found.items()}
    assert shape == {
        comment["id"]: (COMMENT, post, "", False),
        reply["id"]: (REPLY, post, comment["id"], False),
        mention["id"]: (MENTION, "", "", False),
        message["id"]: (MESSAGE, "", "", False),
    }

    answer = mock.adapter.reply(mock.creds, found[message["id"]], "Yes", "mock-dm", Progress())
    assert mock.status(answer.external_id)["visibility"] == "direct"
    mine = {i.external_id: i for i in mock.adapter.fetch_engagement(mock.creds, since)}
    assert (mine[answer.external_id].own, mine[answer.external_id].kind) == (True, MESSAGE)
    assert (
        mock.adapter.find_reply(mock.creds, found[message["id"]], "Yes", "mock-dm", Progress())
        == answer
    )
    mock.adapter.moderate(mock.creds, mine[answer.external_id], DELETE)
    mock.adapter.moderate(mock.creds, mine[answer.external_id], DELETE)
    gone = {i.external_id for i in mock.adapter.fetch_engagement(mock.creds, since)}
    assert answer.external_id not in gone
