"""The load fake (bench/fakenet) against the real X and Facebook adapters: posts
land in its log, duplicates are counted, and each fault does what it says."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bench.fakenet import FakeNet, Faults
from channels.adapters.base import Content, Credentials, Progress, RateLimited, Unknown
from channels.adapters.facebook import FacebookAdapter
from channels.adapters.session import build_session
from channels.adapters.x import XAdapter

X_CREDS = Credentials("1001", "acme", {"access_token": "x-token-1001"})
PAGE_CREDS = Credentials("2001", "Acme", {"access_token": "page-token-2001"})


@pytest.fixture
def net() -> Iterator[FakeNet]:
    with FakeNet(Faults(hold_seconds=1.0)) as fake:
        fake.add_x_user("1001", "acme", token="x-token-1001")
        fake.add_page("2001", "Acme", token="page-token-2001")
        yield fake


def x_adapter(net: FakeNet, timeout: float = 2.0) -> XAdapter:
    return XAdapter(net.x_config(), build_session(timeout))


def facebook(net: FakeNet, timeout: float = 2.0) -> FacebookAdapter:
    return FacebookAdapter(net.graph_config(), build_session(timeout))


def test_x_posts_are_logged_and_found_again(net: FakeNet) -> None:
    adapter = x_adapter(net)
    published = adapter.publish(X_CREDS, Content("Bench 1"), "key-1", Progress())
    [entry] = net.log.entries()
    assert (entry.network, entry.account, entry.text, entry.post_id) == (
        "x",
        "1001",
        "Bench 1",
        published.external_id,
    )
    assert entry.answered is True
    found = adapter.find_published(X_CREDS, Content("Bench 1"), "key-1", Progress())
    assert found is not None and found.external_id == published.external_id
    assert adapter.find_published(X_CREDS, Content("Bench 2"), "key-2", Progress()) is None


def test_facebook_posts_are_logged_and_found_again(net: FakeNet) -> None:
    adapter = facebook(net)
    published = adapter.publish(PAGE_CREDS, Content("Bench 1"), "key-1", Progress())
    [entry] = net.log.entries()
    assert (entry.network, entry.account, entry.text) == ("facebook", "2001", "Bench 1")
    assert published.external_id == entry.post_id
    assert published.url == f"https://www.facebook.com/2001/posts/{entry.post_id.split('_')[1]}"
    progress = Progress({"started_at": datetime.now(UTC).isoformat()})
    found = adapter.find_published(PAGE_CREDS, Content("Bench 1"), "key-1", progress)
    assert found is not None and found.external_id == published.external_id
    assert adapter.find_published(PAGE_CREDS, Content("Other"), "key-2", Progress()) is None


def test_the_log_counts_a_text_posted_twice_as_one_duplicate(net: FakeNet) -> None:
    x, fb = x_adapter(net), facebook(net)
    for _ in range(2):
        x.publish(X_CREDS, Content("Twice"), "key", Progress())
    fb.publish(PAGE_CREDS, Content("Twice"), "key", Progress())
    fb.publish(PAGE_CREDS, Content("Once"), "key", Progress())
    assert net.log.copies() == Counter(
        {("x", "Twice"): 2, ("facebook", "Twice"): 1, ("facebook", "Once"): 1}
    )
    assert net.log.duplicates() == 1


def test_a_server_error_does_nothing_and_leaves_the_post_uncertain(net: FakeNet) -> None:
    net.faults.server_error = 1.0
    with pytest.raises(Unknown):
        x_adapter(net).publish(X_CREDS, Content("Not made"), "key", Progress())
    with pytest.raises(Unknown):
        facebook(net).publish(PAGE_CREDS, Content("Not made"), "key", Progress())
    assert len(net.log) == 0
    assert net.counts["server_error"] == 2


def test_a_server_error_after_the_work_leaves_a_post_behind(net: FakeNet) -> None:
    net.faults.server_error_after_work = 1.0
    with pytest.raises(Unknown):
        x_adapter(net).publish(X_CREDS, Content("Made anyway"), "key", Progress())
    with pytest.raises(Unknown):
        facebook(net).publish(PAGE_CREDS, Content("Made anyway"), "key", Progress())
    assert [(e.network, e.text, e.answered) for e in net.log.entries()] == [
        ("x", "Made anyway", False),
        ("facebook", "Made anyway", False),
    ]


def test_a_timeout_makes_the_post_then_keeps_the_answer(net: FakeNet) -> None:
    net.faults.timeout = 1.0
    with pytest.raises(Unknown):
        x_adapter(net, timeout=0.3).publish(X_CREDS, Content("Made"), "key", Progress())
    [entry] = net.log.entries()
    assert (entry.text, entry.answered) == ("Made", False)


def test_rate_limits_carry_each_networks_reset(net: FakeNet) -> None:
    net.faults.rate_limited = 1.0
    net.faults.reset_seconds = 30
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as x_error:
        x_adapter(net).publish(X_CREDS, Content("Later"), "key", Progress())
    assert before + timedelta(seconds=29) <= x_error.value.retry_at
    assert x_error.value.retry_at <= before + timedelta(seconds=32)
    with pytest.raises(RateLimited) as fb_error:
        facebook(net).publish(PAGE_CREDS, Content("Later"), "key", Progress())
    # Graph says how long in whole minutes.
    assert before + timedelta(seconds=59) <= fb_error.value.retry_at
    assert fb_error.value.retry_at <= datetime.now(UTC) + timedelta(seconds=61)
    assert len(net.log) == 0


def test_rate_limits_can_be_left_to_some_networks(net: FakeNet) -> None:
    net.faults.rate_limited = 1.0
    net.faults.rate_limited_networks = ("x",)
    with pytest.raises(RateLimited):
        x_adapter(net).publish(X_CREDS, Content("Later"), "key", Progress())
    facebook(net).publish(PAGE_CREDS, Content("Now"), "key", Progress())
    assert [e.text for e in net.log.entries()] == ["Now"]
    assert net.counts["rate_limited"] == 1


def test_fault_shares_are_drawn_as_configured() -> None:
    faults = Faults(
        server_error=0.07, server_error_after_work=0.03, timeout=0.05, rate_limited=0.02
    )
    rng = random.Random(1)
    drawn = Counter(faults.draw(rng) for _ in range(20_000))
    assert abs(drawn["server_error"] / 20_000 - 0.07) < 0.01
    assert abs(drawn["server_error_after_work"] / 20_000 - 0.03) < 0.005
    assert abs(drawn["timeout"] / 20_000 - 0.05) < 0.01
    assert abs(drawn["rate_limited"] / 20_000 - 0.02) < 0.005
    assert set(drawn) == {"", "server_error", "server_error_after_work", "timeout", "rate_limited"}


def test_an_error_rate_over_http_fails_that_share_of_publishes(net: FakeNet) -> None:
    net.faults.server_error = 0.2
    adapter = x_adapter(net)
    failed = 0
    for number in range(400):
        try:
            adapter.publish(X_CREDS, Content(f"Post {number}"), "key", Progress())
        except Unknown:
            failed += 1
    assert failed == net.counts["server_error"]
    assert 50 <= failed <= 110  # 80 expected
    assert len(net.log) == 400 - failed
    assert net.log.duplicates() == 0


def test_latency_is_added_to_every_answer(net: FakeNet) -> None:
    net.faults.latency_ms = 150
    started = time.monotonic()
    x_adapter(net).publish(X_CREDS, Content("Slow"), "key", Progress())
    assert time.monotonic() - started >= 0.15
