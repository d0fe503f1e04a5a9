"""graph.py: facebook-sdk at the configured version and hosts, and Graph errors mapped."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import facebook
import pytest

from channels.adapters import base
from channels.adapters.graph import (
    Call,
    GraphClient,
    MetaApp,
    build_graph,
    error_for,
    request_error,
    retry_at,
)
from channels.adapters.session import build_session
from tests.fakes.graph import FakeGraph, buc_header, graph_error

TOKEN = "EAAfake-page-token-acme"
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN)
        yield fake
        assert fake.crashes == []  # the fake itself never failed


def client(fake: FakeGraph, timeout: float = 1.0, token: str = TOKEN) -> GraphClient:
    return GraphClient(build_session(timeout), MetaApp.from_config(fake.config()), token)


def test_facebook_sdk_alone_refuses_a_current_graph_version() -> None:
    for version in ("24.0", "v24.0"):
        with pytest.raises(facebook.GraphAPIError, match="Version number should be"):
            facebook.GraphAPI(access_token=TOKEN, version=version)


def test_build_graph_uses_the_configured_version_and_the_fake(fake: FakeGraph) -> None:
    session = build_session(1.0)
    graph = build_graph(session, MetaApp.from_config(fake.config()), TOKEN)

    assert graph.version == "v24.0"
    assert graph.get_object("1001") == {"id": "1001", "name": "Acme Bakery"}
    [call] = fake.requests
    assert (call.method, call.host, call.version, call.path) == ("GET", "graph", "v24.0", "/1001")
    assert call.headers["User-Agent"].startswith("SMO/")  # our session, not facebook-sdk's own
    assert session.routes == {
        "https://graph.facebook.com": fake.url,
        "https://graph-video.facebook.com": fake.video_url,
    }
    assert facebook.FACEBOOK_GRAPH_URL == "https://graph.facebook.com/"  # not patched


def test_the_session_timeout_reaches_facebook_sdk(fake: FakeGraph) -> None:
    # facebook-sdk passes timeout=None explicitly, which would switch the
    # session's default off.
    graph = build_graph(build_session(2.5), MetaApp.from_config(fake.config()), TOKEN)
    assert graph.timeout == 2.5


def test_a_version_without_v_is_accepted_in_config() -> None:
    assert MetaApp.from_config({"version": "25.0"}).version == "v25.0"
    assert MetaApp.from_config({}).version == "v24.0"


def test_video_uploads_go_to_the_graph_video_host(fake: FakeGraph, tmp_path) -> None:  # type: ignore[no-untyped-def]
    movie = tmp_path / "clip.mp4"
    movie.write_bytes(b"\0" * 2048)
    with movie.open("rb") as source:
        answer = client(fake).post_video(
            "1001/videos", {"source": ("clip.mp4", source, "video/mp4")}, description="Hi"
        )
    assert answer == {"id": next(iter(fake.videos))}
    call = fake.requests[-1]
    assert (call.host, call.path, call.params) == (
        "graph-video",
        "/1001/videos",
        {"description": "Hi"},
    )
    assert call.files["source"].size == 2048
    assert client(fake).get("1001")["id"] == "1001"  # back on graph.facebook.com
    assert fake.requests[-1].host == "graph"


def test_paging_follows_next_without_repeating_the_token(fake: FakeGraph) -> None:
    user = _user_token(fake)
    for n in range(5):
        fake.add_page(f"20{n}", f"Page {n}", f"token-{n}")
    fake.accounts_page_size = 2

    ids = [p["id"] for p in client(fake, token=user).paged("me/accounts", fields="id,name")]

    assert ids == ["1001", "200", "201", "202", "203", "204"]
    calls = fake.calls("GET", "/accounts")
    assert [c.params.get("after", "") != "" for c in calls] == [False, True, True]
    assert all(c.query["access_token"] == user for c in calls)


def test_paging_stops_after_max_pages(fake: FakeGraph) -> None:
    for n in range(5):
        fake.add_page(f"20{n}", f"Page {n}", f"token-{n}")
    fake.accounts_page_size = 1
    pages = list(client(fake, token=_user_token(fake)).paged("me/accounts", max_pages=2))
    assert len(pages) == 2


@pytest.mark.parametrize(
    ("status", "code", "subcode", "call", "expected"),
    [
        (400, 190, 463, Call.READ, base.AuthExpired),
        (401, 190, None, Call.CREATE, base.AuthExpired),
        (400, 4, None, Call.CREATE, base.RateLimited),
        (400, 17, None, Call.CREATE, base.RateLimited),
        (400, 32, None, Call.READ, base.RateLimited),
        (400, 613, None, Call.CREATE, base.RateLimited),
        (400, 80001, None, Call.CREATE, base.RateLimited),
        (400, 9, 2207042, Call.CREATE, base.RateLimited),
        (400, 4, 2207051, Call.CREATE, base.Permanent),  # Instagram's spam block
        (500, 2, None, Call.CREATE, base.Unknown),
        (500, 2, None, Call.PREPARE, base.Transient),
        (500, 2, None, Call.READ, base.Transient),
        (400, 1, None, Call.CREATE, base.Unknown),
        (400, -1, 2207001, Call.PREPARE, base.Transient),
        (503, 100, None, Call.CREATE, base.Unknown),  # any 5xx on a create
        (400, 9007, 2207027, Call.CREATE, base.Transient),  # not ready: nothing published
        (400, 506, None, Call.CREATE, base.Permanent),
        (400, 368, None, Call.CREATE, base.Permanent),
        (400, 100, None, Call.CREATE, base.Permanent),
        (400, 10, None, Call.CREATE, base.Permanent),
        (403, 200, None, Call.CREATE, base.Permanent),
        (403, 299, None, Call.CREATE, base.Permanent),
        (400, 9004, 2207052, Call.PREPARE, base.Permanent),
    ],
)
def test_each_graph_error_maps_to_its_class(
    status: int, code: int, subcode: int | None, call: Call, expected: type
) -> None:
    body = graph_error(code, f"(#{code}) Something", subcode=subcode)
    error = error_for(body, status=status, headers={}, call=call, network="Facebook", now=NOW)
    assert type(error) is expected
    assert error.status == status
    assert error.code == (f"{code}/{subcode}" if subcode else str(code))


def test_duplicates_are_permanent_and_flagged() -> None:
    def mapped(code: int, message: str) -> base.AdapterError:
        body = graph_error(code, message)
        return error_for(
            body, status=400, headers={}, call=Call.CREATE, network="Facebook", now=NOW
        )

    duplicate = mapped(506, "(#506) Duplicate status message")
    already = mapped(368, "You've already posted this. Try posting something else.")
    blocked = mapped(368, "It looks like you were misusing this feature by going too fast.")
    assert [e.duplicate for e in (duplicate, already, blocked)] == [True, True, False]  # type: ignore[attr-defined]
    assert blocked.detail == (
        "Facebook refused this: It looks like you were misusing this feature by going too fast."
    )


def test_permanent_errors_show_facebooks_message_for_people() -> None:
    body = graph_error(100, "(#100) Invalid parameter", user_msg="The link is not valid.")
    error = error_for(body, status=400, headers={}, call=Call.CREATE, network="Facebook", now=NOW)
    assert error.detail == "Facebook refused this: The link is not valid."


def test_an_expired_token_asks_to_reconnect_and_keeps_the_subcode() -> None:
    body = graph_error(190, "Error validating access token: Session has expired.", subcode=463)
    error = error_for(body, status=400, headers={}, call=Call.CREATE, network="Facebook", now=NOW)
    assert error.detail == (
        "Facebook no longer accepts this account's access token (Error validating access "
        "token: Session has expired.). Reconnect the account."
    )
    assert error.network_code == "400:190/463"


def test_a_rate_limit_comes_back_when_facebook_says() -> None:
    assert retry_at(buc_header("1001", 30), NOW) == NOW + timedelta(minutes=30)
    assert retry_at({}, NOW) == NOW + timedelta(minutes=15)
    assert retry_at(buc_header("1001", 0), NOW) == NOW + timedelta(minutes=15)
    assert retry_at({"X-Business-Use-Case-Usage": "not json"}, NOW) == NOW + timedelta(minutes=15)
    body = graph_error(32, "(#32) Page request limit reached")
    error = error_for(
        body,
        status=400,
        headers=buc_header("1001", 42),
        call=Call.CREATE,
        network="Facebook",
        now=NOW,
    )
    assert isinstance(error, base.RateLimited)
    assert error.retry_at == NOW + timedelta(minutes=42)


def test_the_instagram_cap_waits_an_hour() -> None:
    body = graph_error(9, "Application request limit reached", subcode=2207042)
    error = error_for(body, status=400, headers={}, call=Call.CREATE, network="Instagram", now=NOW)
    assert isinstance(error, base.RateLimited)
    assert error.retry_at == NOW + timedelta(hours=1)


def test_connection_refused_is_transient_even_for_a_create() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    app = MetaApp.from_config({"graph_url": f"http://127.0.0.1:{port}", "app_secret": "s3cret"})
    graph = GraphClient(build_session(1.0), app, TOKEN)
    with pytest.raises(base.Transient) as raised:
        graph.get("1001")  # a GET puts the token in the URL, which requests' message shows
    with pytest.raises(base.Transient):
        graph.post("1001/feed", Call.CREATE, message="Hi")
    assert (
        raised.value.detail == "Facebook could not be reached (ConnectionError); nothing was sent."
    )
    assert raised.value.__cause__ is None and raised.value.__context__ is None
    assert TOKEN not in repr(raised.value.__dict__)


def test_a_lost_answer_is_unknown_on_a_create_and_transient_on_a_read(fake: FakeGraph) -> None:
    fake.timeout_after_receive(path="/feed")
    with pytest.raises(base.Unknown) as raised:
        client(fake, timeout=0.2).post("1001/feed", Call.CREATE, message="Hello")
    assert raised.value.code == "ReadTimeout"
    assert [p["message"] for p in fake.posts] == ["Hello"]  # it was made

    fake.timeout_after_receive(path="/1001")
    with pytest.raises(base.Transient):
        client(fake, timeout=0.2).get("1001")


@pytest.mark.parametrize(
    ("status", "call", "expected"),
    [
        (502, Call.CREATE, base.Unknown),
        (502, Call.READ, base.Transient),
        (404, Call.CREATE, base.Permanent),
    ],
)
def test_an_answer_that_is_not_graph_json(
    fake: FakeGraph, status: int, call: Call, expected: type
) -> None:
    # facebook-sdk ignores the status and fails on a non-JSON body (platforms.md §14).
    fake.fail_next(status, "<html><body>Bad gateway</body></html>")
    graph = client(fake)
    with pytest.raises(expected) as raised:
        graph.call(call, lambda: graph.api.request("v24.0/1001"))
    assert raised.value.status == status
    assert raised.value.code == "not-json"


def test_request_errors_keep_only_the_class_name() -> None:
    import requests

    exc = requests.ConnectionError(f"Max retries exceeded with url: /me?access_token={TOKEN}")
    error = request_error(exc, call=Call.CREATE, network="Facebook")
    assert isinstance(error, base.Unknown)  # a reset after sending: it may exist
    assert TOKEN not in error.detail


def test_secrets_echoed_by_the_network_are_hidden(fake: FakeGraph) -> None:
    fake.fail_next(400, graph_error(100, f"(#100) Bad token {TOKEN} for {fake.app_secret}"))
    with pytest.raises(base.Permanent) as raised:
        client(fake).get("1001")
    assert raised.value.detail == "Facebook refused this: (#100) Bad token <hidden> for <hidden>"
    assert TOKEN not in str(raised.value.args)


def test_the_app_config_hides_its_secret() -> None:
    app = MetaApp.from_config({"app_id": "1", "app_secret": "s3cret-value"})
    assert "s3cret-value" not in repr(app)


def _user_token(fake: FakeGraph) -> str:
    fake._user_tokens.add("EAAfake-user")
    return "EAAfake-user"


def test_a_connect_timeout_is_transient() -> None:
    import requests

    error = request_error(
        requests.ConnectTimeout("timed out"), call=Call.CREATE, network="Facebook"
    )
    assert isinstance(error, base.Transient)


def test_routing_survives_a_patched_module_constant(
    fake: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    # platforms.md §14 suggests patching FACEBOOK_GRAPH_URL in tests; a test
    # elsewhere doing so must not send these calls astray.
    monkeypatch.setattr(facebook, "FACEBOOK_GRAPH_URL", "http://127.0.0.1:9/")
    assert client(fake).get("1001")["name"] == "Acme Bakery"
