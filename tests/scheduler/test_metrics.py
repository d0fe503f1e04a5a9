"""GET /metrics: what the engine records, the deliveries by state, and who may read it.

The counters live in this process's default registry (no PROMETHEUS_MULTIPROC_DIR
in tests) and grow across tests, so each test compares a scrape before and after.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from channels.adapters import base, registry
from channels.models import SocialAccount
from scheduler import engine, tasks
from scheduler.models import Delivery
from tests.factories import DeliveryFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: Client, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    text = response.content.decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def queued(scheduled_at: datetime, **options: object) -> Delivery:
    return DeliveryFactory(
        state=S.QUEUED,
        post__scheduled_at=scheduled_at,
        account__options=options,
        post__text="Launch day: the secret recipe",
    )


def test_the_endpoint_serves_prometheus_text_with_every_metric(client: Client) -> None:
    DeliveryFactory()
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.content.decode()
    for line in (
        "# TYPE smo_deliveries gauge",
        "# TYPE smo_publish_duration_seconds histogram",
        "# TYPE smo_publish_lateness_seconds histogram",
        "# TYPE smo_adapter_errors_total counter",
        "# TYPE smo_dispatch_duration_seconds histogram",
        "# TYPE smo_dispatch_claimed_deliveries histogram",
        'smo_deliveries{network="sandbox",state="scheduled"} 1.0',
    ):
        assert line in text


def test_a_scraper_that_asks_for_openmetrics_gets_it(client: Client) -> None:
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.decode().endswith("# EOF\n")


def test_a_published_delivery_counts_in_the_latency_and_lateness_histograms(
    client: Client,
) -> None:
    delivery = queued(NOW - timedelta(seconds=90))
    before = scrape(client)
    with time_machine.travel(NOW, tick=False):
        assert engine.publish(delivery.pk) == "published"
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    published = {"network": "sandbox", "outcome": "published"}
    assert grew("smo_publish_duration_seconds_count", **published) == 1
    assert grew("smo_publish_duration_seconds_bucket", le="+Inf", **published) == 1
    assert grew("smo_publish_lateness_seconds_count", network="sandbox") == 1
    # The sandbox stamps the post with the (frozen) clock: exactly 90 s late.
    assert grew("smo_publish_lateness_seconds_sum", network="sandbox") == 90
    assert grew("smo_publish_lateness_seconds_bucket", network="sandbox", le="60.0") == 0
    assert grew("smo_publish_lateness_seconds_bucket", network="sandbox", le="300.0") == 1
    assert grew("smo_adapter_errors_total", network="sandbox", error_class="Transient") == 0


@pytest.mark.parametrize(
    ("failure_kind", "outcome", "error_class"),
    [
        ("transient", "transient", "Transient"),
        ("rate_limited", "rate_limited", "RateLimited"),
        ("unknown", "unknown", "Unknown"),
        ("auth_expired", "auth_expired", "AuthExpired"),
        ("permanent", "permanent", "Permanent"),
    ],
)
def test_an_adapter_error_is_counted_by_its_class(
    client: Client, failure_kind: str, outcome: str, error_class: str
) -> None:
    delivery = queued(NOW, failure_rate=1, failure_kind=failure_kind)
    before = scrape(client)
    assert engine.publish(delivery.pk) != "published"
    after = scrape(client)
    errors = {
        cls.__name__: value(
            after, "smo_adapter_errors_total", network="sandbox", error_class=cls.__name__
        )
        - value(before, "smo_adapter_errors_total", network="sandbox", error_class=cls.__name__)
        for cls in (
            base.RateLimited,
            base.Transient,
            base.Unknown,
            base.AuthExpired,
            base.Permanent,
        )
    }
    assert errors == {name: (1 if name == error_class else 0) for name in errors}
    labels = {"network": "sandbox", "outcome": outcome}
    assert (
        value(after, "smo_publish_duration_seconds_count", **labels)
        - value(before, "smo_publish_duration_seconds_count", **labels)
        == 1
    )
    # Not published, so not late.
    assert value(after, "smo_publish_lateness_seconds_count", network="sandbox") == value(
        before, "smo_publish_lateness_seconds_count", network="sandbox"
    )


def test_an_exception_outside_the_taxonomy_is_timed_as_an_error_but_not_counted_as_one(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = queued(NOW)
    adapter = registry.get_adapter("sandbox")

    def broken(*args: object) -> base.Published:
        raise RuntimeError("adapter bug")

    monkeypatch.setattr(adapter, "publish", broken)
    monkeypatch.setattr(engine, "adapter_for", lambda account: adapter)
    before = scrape(client)
    assert engine.publish(delivery.pk) == "unknown"
    after = scrape(client)
    labels = {"network": "sandbox", "outcome": "error"}
    assert (
        value(after, "smo_publish_duration_seconds_count", **labels)
        - value(before, "smo_publish_duration_seconds_count", **labels)
        == 1
    )
    error_totals = [
        (name, v) for (name, _), v in after.items() if name == "smo_adapter_errors_total"
    ]
    assert error_totals == [
        (name, v) for (name, _), v in before.items() if name == "smo_adapter_errors_total"
    ]


def test_a_delivery_the_reconciler_finds_published_counts_in_lateness(client: Client) -> None:
    delivery = queued(NOW - timedelta(seconds=3), failure_rate=1, failure_kind="unknown")
    with time_machine.travel(NOW, tick=False):
        assert engine.publish(delivery.pk) == "unknown"
    before = scrape(client)
    assert engine.resolve_unknown(delivery.pk) == "published"
    after = scrape(client)
    lateness = "smo_publish_lateness_seconds"
    assert (
        value(after, f"{lateness}_count", network="sandbox")
        - value(before, f"{lateness}_count", network="sandbox")
        == 1
    )
    # published_at is when the network wrote the post, not when the lookup found it.
    assert (
        value(after, f"{lateness}_sum", network="sandbox")
        - value(before, f"{lateness}_sum", network="sandbox")
        == 3
    )


def test_each_dispatch_tick_is_timed_with_the_deliveries_it_claimed(client: Client) -> None:
    now = NOW
    for _ in range(3):
        DeliveryFactory(post__scheduled_at=now - timedelta(seconds=1))
    DeliveryFactory(post__scheduled_at=now + timedelta(hours=1))
    before = scrape(client)
    with time_machine.travel(now, tick=False):
        assert tasks.dispatch_due.run() == 3
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("smo_dispatch_duration_seconds_count") == 1
    assert grew("smo_dispatch_claimed_deliveries_count") == 1
    assert grew("smo_dispatch_claimed_deliveries_sum") == 3
    assert grew("smo_dispatch_claimed_deliveries_bucket", le="1.0") == 0
    assert grew("smo_dispatch_claimed_deliveries_bucket", le="5.0") == 1


def test_the_state_gauge_matches_the_database_with_zeros_for_empty_states(client: Client) -> None:
    x_account = SandboxAccountFactory(network="x")
    for state in (S.SCHEDULED, S.SCHEDULED, S.PUBLISHED, S.FAILED, S.NEEDS_ATTENTION):
        DeliveryFactory(state=state)
    for state in (S.PUBLISHED, S.RETRY_WAIT):
        DeliveryFactory(state=state, account=x_account, post__workspace=x_account.workspace)

    samples = scrape(client)

    gauge = {
        (dict(labels)["network"], dict(labels)["state"]): v
        for (name, labels), v in samples.items()
        if name == "smo_deliveries"
    }
    in_db = Counter(Delivery.objects.values_list("account__network", "state"))
    assert gauge == {
        (network, state): in_db[(network, state)]
        for network in ("sandbox", "x")
        for state in Delivery.State.values
    }
    assert gauge[("sandbox", "scheduled")] == 2
    assert gauge[("x", "retry_wait")] == 1
    assert gauge[("x", "cancelled")] == 0


def test_the_state_gauge_costs_one_query_however_many_deliveries(
    client: Client, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for network in ("sandbox", "x", "facebook"):
        account = SandboxAccountFactory(network=network)
        for state in (S.SCHEDULED, S.PUBLISHED, S.FAILED, S.QUEUED):
            DeliveryFactory(state=state, account=account, post__workspace=account.workspace)
    with django_assert_num_queries(1):
        response = client.get("/metrics")
    assert response.status_code == 200


def test_the_scrape_names_no_account_post_or_secret(client: Client) -> None:
    delivery = queued(NOW)
    assert engine.publish(delivery.pk) == "published"
    account = SocialAccount.objects.get(pk=delivery.account_id)
    text = client.get("/metrics").content.decode()
    for private in (
        account.credentials["token"],
        account.name,
        account.handle,
        account.external_id,
        delivery.post.text,
        str(delivery.idempotency_key),
    ):
        assert private not in text


def test_with_a_token_set_a_scrape_must_bring_it(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_METRICS_TOKEN = "scrape-token-7"
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic c2NyYXBlLXRva2VuLTc="},
        {"Authorization": "scrape-token-7"},
        {"Authorization": "Bearer scrape-token-7x"},
    ):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"smo_" not in response.content
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-7"})
    assert response.status_code == 200
    assert b"# TYPE smo_deliveries gauge" in response.content


def test_without_a_token_anyone_who_reaches_it_may_scrape(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 200


def test_only_get_and_head_are_answered(client: Client) -> None:
    assert client.head("/metrics").status_code == 200
    assert client.post("/metrics").status_code == 405
