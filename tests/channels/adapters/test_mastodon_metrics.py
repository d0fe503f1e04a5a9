"""MastodonAdapter's analytics against FakeMastodon, through Mastodon.py: each
status's counts read 20 at a time on Mastodon 4.3+, one at a time on older
servers or where the batch route is missing, deleted statuses skipped, and the
account's followers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from channels.adapters import metrics as m
from channels.adapters.base import AuthExpired, Content, RateLimited
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.metrics import PostMetrics
from tests.fakes.mastodon_contract import ContractCase, adapter_for, contract_case


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def publish(case: ContractCase, count: int) -> list[str]:
    return [
        case.publish(Content(f"Batch {n} of cardamom buns"), key=f"k{n}").external_id
        for n in range(count)
    ]


def fetch(case: ContractCase, ids: list[str]) -> dict[str, PostMetrics]:
    return {p.external_id: p for p in case.adapter.fetch_metrics(case.creds, ids)}


def test_counts_map_to_figures_and_views_stay_none(case: ContractCase) -> None:
    [post] = publish(case, 1)
    case.fake.set_metrics(post, favourites=12, replies=3, reblogs=4, quotes=2)

    found = fetch(case, [post])

    assert found[post] == PostMetrics(post, likes=12, comments=3, shares=6)
    assert found[post].impressions is None and found[post].link_clicks is None
    assert MastodonAdapter.metrics.figures == {m.LIKES, m.COMMENTS, m.SHARES}
    assert "impressions" in str(MastodonAdapter.metrics.note)


def test_a_server_without_quotes_counts_boosts_only(case: ContractCase) -> None:
    [post] = publish(case, 1)
    case.fake.set_metrics(post, favourites=1, replies=0, reblogs=5)

    assert fetch(case, [post])[post] == PostMetrics(post, likes=1, comments=0, shares=5)


def test_a_deleted_status_is_skipped(case: ContractCase) -> None:
    first, gone = publish(case, 2)
    case.fake.set_metrics(first, favourites=2)
    del case.fake.statuses[gone]

    assert list(fetch(case, [first, gone])) == [first]


def test_twenty_five_statuses_take_two_batch_calls(case: ContractCase) -> None:
    posts = publish(case, 25)
    for n, post in enumerate(posts):
        case.fake.set_metrics(post, favourites=n)

    found = fetch(case, posts)

    assert [found[p].likes for p in posts] == list(range(25))
    calls = case.fake.calls("GET", "/api/v1/statuses")
    assert [len(c.pairs) for c in calls] == [20, 5]
    assert {k for c in calls for k, _ in c.pairs} == {"id[]"}
    assert not [r for r in case.fake.requests if r.path.startswith("/api/v1/statuses/")]


def test_a_server_lacking_the_batch_route_is_read_one_by_one(case: ContractCase) -> None:
    first, gone, last = publish(case, 3)
    case.fake.set_metrics(last, reblogs=7)
    del case.fake.statuses[gone]
    case.fake.no_batch_route = True

    found = fetch(case, [first, gone, last])

    assert list(found) == [first, last]
    assert found[last].shares == 7
    assert len(case.fake.calls("GET", "/api/v1/statuses")) == 1  # the 404, once
    singles = [r.path for r in case.fake.requests if r.path.startswith("/api/v1/statuses/")]
    assert singles == [f"/api/v1/statuses/{i}" for i in (first, gone, last)]


def test_a_server_older_than_4_3_is_not_asked_for_a_batch(case: ContractCase) -> None:
    [post] = publish(case, 1)
    case.fake.set_metrics(post, replies=9)
    creds = replace(case.creds, options={**case.creds.options, "version": "4.2.10"})
    adapter = adapter_for(case.fake, creds)

    found = list(adapter.fetch_metrics(creds, [post]))

    assert found == [PostMetrics(post, likes=0, comments=9, shares=0)]
    assert case.fake.calls("GET", "/api/v1/statuses") == []


def test_rate_limit_is_rate_limited_until_the_reset(case: ContractCase) -> None:
    [post] = publish(case, 1)
    fake = case.fake
    fake.rate_limit = len(fake.requests)  # the window is spent
    with pytest.raises(RateLimited) as limited:
        fetch(case, [post])
    start, _ = fake._windows[fake.tokens[case.creds.secrets["access_token"]]]
    reset = datetime.fromtimestamp(start + 300, UTC)
    assert abs((limited.value.retry_at - reset).total_seconds()) < 2


def test_a_bad_token_is_auth_expired(case: ContractCase) -> None:
    [post] = publish(case, 1)
    bad = replace(case.creds, secrets={"access_token": "revoked"})
    with pytest.raises(AuthExpired):
        list(case.adapter.fetch_metrics(bad, [post]))
    with pytest.raises(AuthExpired):
        case.adapter.fetch_followers(bad)


def test_followers_come_from_verify_credentials(case: ContractCase) -> None:
    case.fake.set_followers(case.account, 321)

    assert case.adapter.fetch_followers(case.creds) == 321
    assert len(case.fake.calls("GET", "/api/v1/accounts/verify_credentials")) == 1
