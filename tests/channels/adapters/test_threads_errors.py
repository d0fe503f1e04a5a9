"""What Threads' error answers and lost answers mean for a publish (platforms.md §4:
the Graph error envelope, assumed)."""

from __future__ import annotations

import pytest

from channels.adapters import base
from channels.adapters.threads import ThreadsAdapter
from tests.channels.adapters import threads_support
from tests.fakes.graph_wire import buc_header, graph_error
from tests.fakes.threads import FakeThreads

fake, creds, sleeps, adapter = (
    threads_support.fake,
    threads_support.creds,
    threads_support.sleeps,
    threads_support.adapter,
)
CONTENT = base.Content("Fresh bread at 7")


def publish(adapter: ThreadsAdapter, creds: base.Credentials) -> base.Published:
    return adapter.publish(creds, CONTENT, "k", base.Progress())


def test_a_dead_token_is_auth_expired(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.expire_token(creds.secrets["access_token"])
    with pytest.raises(base.AuthExpired) as raised:
        publish(adapter, creds)
    assert raised.value.detail == (
        "Threads no longer accepts this account's access token "
        "(Error validating access token: Session has expired.). Reconnect the account."
    )
    assert raised.value.network_code == "400:190/463"


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_rate_limit_codes_wait_for_the_usage_headers_reset(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, code: int
) -> None:
    fake.fail_next(400, graph_error(code, "limit reached"), buc_header(creds.external_id, 30))
    with pytest.raises(base.RateLimited) as raised:
        publish(adapter, creds)
    wait = raised.value.retry_at - fake.now()
    assert 29 * 60 < wait.total_seconds() <= 30 * 60


def test_a_rate_limit_without_usage_headers_waits_15_minutes(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.fail_next(400, graph_error(4, "(#4) Application request limit reached"))
    with pytest.raises(base.RateLimited) as raised:
        publish(adapter, creds)
    assert 14 * 60 < (raised.value.retry_at - fake.now()).total_seconds() <= 15 * 60


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, graph_error(1, "An unknown error occurred", transient=True)),
        (500, graph_error(2, "An unexpected error has occurred.", transient=True)),
        (502, "<html>Bad gateway</html>"),
    ],
)
def test_server_trouble_before_the_publish_call_is_transient(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, status: int, body: object
) -> None:
    fake.fail_next(status, body)  # hits the container: nothing is public yet
    with pytest.raises(base.Transient):
        publish(adapter, creds)
    assert fake.threads == []


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, graph_error(2, "An unexpected error has occurred.", transient=True)),
        (400, graph_error(1, "An unknown error occurred", transient=True)),
    ],
)
def test_server_trouble_on_threads_publish_is_unknown(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, status: int, body: object
) -> None:
    fake.fail_next(status, body, path="/threads_publish")
    with pytest.raises(base.Unknown):
        publish(adapter, creds)


def test_a_lost_answer_to_threads_publish_is_unknown(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.timeout_after_receive("/threads_publish")
    progress = base.Progress()
    with pytest.raises(base.Unknown) as raised:
        adapter.publish(creds, CONTENT, "k", progress)
    assert raised.value.code == "ReadTimeout"
    [post] = fake.threads  # it was published all the same
    assert progress.get("container") == {"step": 0, "id": post["container_id"]}


def test_a_lost_answer_to_the_container_is_transient(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.timeout_after_receive("/threads")
    with pytest.raises(base.Transient):
        publish(adapter, creds)
    assert fake.threads == []


def test_other_refusals_are_permanent_with_threads_message(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.fail_next(400, graph_error(100, "(#100) The parameter text is too long"))
    with pytest.raises(base.Permanent) as raised:
        publish(adapter, creds)
    assert raised.value.detail == "Threads refused this: (#100) The parameter text is too long"
    assert not raised.value.duplicate


def test_an_unreachable_server_is_transient(creds: base.Credentials) -> None:
    from channels.adapters.session import build_session

    unreachable = ThreadsAdapter(
        {"api_url": "http://127.0.0.1:9", "sleep": lambda s: None}, build_session(0.5)
    )
    with pytest.raises(base.Transient) as raised:
        publish(unreachable, creds)
    assert "nothing was sent" in raised.value.detail


def test_no_error_shows_the_token_or_the_app_secret(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    token = creds.secrets["access_token"]
    fake.fail_next(400, graph_error(100, f"Bad token {token} for app {fake.app_secret}"))
    with pytest.raises(base.Permanent) as raised:
        publish(adapter, creds)
    for secret in (token, fake.app_secret):
        assert secret not in str(raised.value)
        assert secret not in raised.value.detail


def test_an_account_without_a_token_must_reconnect(adapter: ThreadsAdapter) -> None:
    with pytest.raises(base.AuthExpired):
        publish(adapter, base.Credentials("1", "acme"))
