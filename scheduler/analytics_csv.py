"""The analytics report as CSV: one row per published delivery in the scope, with
every figure the network gave (empty where it gives none), engagement and the
clicks on SMO's short links in the period. Dates are in the workspace's zone."""

from __future__ import annotations

import csv
from typing import Any

from django.db.models import Count

from channels.adapters.metrics import FIGURES
from scheduler import analytics

HEADER = ("date", "time", "account", "network", "text", "url", *FIGURES, "engagement", "smo_clicks")
EXCERPT = 200


def rows(scope: analytics.Scope) -> list[tuple[object, ...]]:
    clicked = dict(
        analytics.clicks(scope)
        .values("link__delivery_id")
        .annotate(n=Count("pk"))
        .values_list("link__delivery_id", "n")
    )
    found = []
    for d in (
        analytics.deliveries(scope)
        .select_related("account", "post", "metrics")
        .order_by("published_at", "pk")
    ):
        local = d.published_at.astimezone(scope.zone)  # type: ignore[union-attr]
        metrics = getattr(d, "metrics", None)
        figures = [getattr(metrics, name) if metrics else None for name in FIGURES]
        found.append(
            (
                local.date().isoformat(),
                local.strftime("%H:%M"),
                d.account.name,
                d.account.network,
                " ".join(d.post.text.split())[:EXCERPT],
                d.external_url,
                *["" if v is None else v for v in figures],
                d.engagement,  # type: ignore[attr-defined]
                clicked.get(d.pk, 0),
            )
        )
    return found


def write(scope: analytics.Scope, out: Any) -> None:
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows(scope))
