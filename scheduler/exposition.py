"""GET /metrics: Prometheus text of the deliveries by state and what every process recorded.

The deliveries-by-state gauge is counted from the database at scrape time (one
GROUP BY), so it is right whichever process answers and needs no bookkeeping on
each transition. The counters and histograms come from `scheduler.metrics`.

Access: with SMO_METRICS_TOKEN set, a scrape must send `Authorization: Bearer
<token>`; without it /metrics answers anyone who can reach it. It holds counts by
state, network, outcome and error class, and nothing else.
"""

from __future__ import annotations

import glob
import hmac
import os
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

# Imported for its metrics: a process that never published still lists them.
from scheduler import metrics  # noqa: F401
from scheduler.models import Delivery


class DeliveryStates:
    """The `smo_deliveries` gauge: how many deliveries are in each state, per network."""

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "smo_deliveries",
            "Deliveries in each state, by network, counted at scrape time.",
            labels=["state", "network"],
        )
        rows = (
            Delivery.objects.order_by()
            .values_list("state", "account__network")
            .annotate(count=Count("pk"))
        )
        counts = {(state, network): count for state, network, count in rows}
        # Every state of each network that has deliveries, zeros included, so a
        # series doesn't vanish when its last delivery moves on.
        for network in sorted({network for _, network in counts}):
            for state in Delivery.State.values:
                gauge.add_metric([state, network], counts.get((state, network), 0))
        yield gauge


class ProcessFiles:
    """Every process's values from the multiprocess files under `path`, added up.

    Subfolders count too: docker-compose.yml gives each container a folder of its
    own, because process ids repeat across containers and prometheus-client names
    its files by process id (bin/metrics-dir).
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def collect(self) -> Iterable[Metric]:
        files = glob.glob(os.path.join(self.path, "**", "*.db"), recursive=True)
        return MultiProcessCollector.merge(files, accumulate=True)


def registry() -> CollectorRegistry:
    """What one scrape reports: the recorded metrics, then the gauge from the database."""
    scrape = CollectorRegistry()
    if settings.SMO_METRICS_DIR:
        scrape.register(ProcessFiles(settings.SMO_METRICS_DIR))
    else:
        # No shared folder (tests, one process): what this process recorded.
        scrape.register(REGISTRY)
    scrape.register(DeliveryStates())
    return scrape


def authorized(request: HttpRequest) -> bool:
    token = settings.SMO_METRICS_TOKEN
    if not token:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@require_safe
def serve_metrics(request: HttpRequest) -> HttpResponse:
    if not authorized(request):
        response = HttpResponse(
            "A bearer token is required.\n", status=401, content_type="text/plain; charset=utf-8"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(registry()), content_type=content_type)
