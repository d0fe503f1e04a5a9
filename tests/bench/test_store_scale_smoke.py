"""bench/store_scale.py end to end at a tiny size: it runs and reports every figure.

A smoke test, not a timing: the figures are checked for being there, not for
being fast. It needs PostgreSQL (the benchmark's subject), so it runs when the
suite does, with DATABASE_URL naming it, and creates a database of its own there.
"""

from __future__ import annotations

import os

import pytest

from bench import store_scale

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="bench/store_scale.py measures PostgreSQL; DATABASE_URL names another database",
)

FIGURES = (
    "rows",
    "load_seconds",
    "dispatch_tick_ms_10k",
    "dispatch_idle_tick_ms_10k",
    "dispatch_tick_ms_1m",
    "dispatch_idle_tick_ms_1m",
    "dispatch_claim_query_ms_1m",
    "calendar_month_ms",
    "calendar_month_deliveries",
    "api_list_ms",
    "api_list_total",
)


def test_a_tiny_store_reports_every_figure() -> None:
    figures = store_scale.run(quick=True, rows=3000, small=1000, runs=2, database="smo_store_smoke")

    assert "skipped" not in figures, figures.get("skipped")
    assert figures["rows"] == 3000
    assert (figures["dispatch_tick_rows_10k"], figures["dispatch_tick_rows_1m"]) == (1000, 3000)
    assert figures["dispatch_due_batch"] == 100
    for name in FIGURES:
        assert figures[name] > 0, name
    # Which plans a tiny store gets is the planner's call (tests/scheduler/test_query_plans.py
    # checks the ones that matter); here each measured query has its EXPLAIN.
    assert list(figures["plans"]) == [
        "dispatch_due at 1,000",
        "dispatch_due at 3,000",
        "calendar month",
        "API /api/v1/posts/",
    ]
    assert all(figures["plans"].values())


def test_an_unreachable_server_is_reported_as_skipped(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Port 9 (discard) has no PostgreSQL behind it on 127.0.0.1.
    monkeypatch.setenv("SMO_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:9/postgres")
    figures = store_scale.run(quick=True, rows=1000, database="smo_store_smoke")
    assert list(figures) == ["skipped"]
    assert figures["skipped"].startswith("PostgreSQL unreachable")
