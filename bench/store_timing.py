"""The timings of bench/store_scale.py, run inside its Django process against the filled store.

Each returns medians in milliseconds and adds the EXPLAIN ANALYZE of the queries it
timed to `plans`, one line per query and one per table it reads, so a reader sees
which index answered and how many rows it touched.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.store_fill import Store
from scheduler import calendar as cal
from scheduler import engine
from scheduler.models import Delivery, Post

S = Delivery.State


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0]).split()[0]


def vacuum_analyze() -> None:
    """What autovacuum does after a big load: statistics, and the visibility map."""
    with connection.cursor() as cursor:
        for model in (Post, Delivery):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def ticks(store: Store, runs: int) -> tuple[float, float, list[str]]:
    """Median ms of an idle tick and of a tick with `store.due_ids` due; the claim's plan.

    The busy tick's time is mostly Celery's: building and sending 100 messages
    costs about 0.3 ms each even to the in-memory broker, the claim well under 1 ms.
    """
    _set_due(store.due_ids, due=False)
    idle = []
    for _ in range(runs):
        started = time.perf_counter()
        claimed = engine.dispatch_due()
        idle.append(time.perf_counter() - started)
        assert claimed == 0, f"an idle tick claimed {claimed}"
    busy = []
    for run in range(runs + 1):
        _set_due(store.due_ids, due=True)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            claimed = engine.dispatch_due()
            elapsed = time.perf_counter() - started
        assert claimed == len(store.due_ids), f"claimed {claimed} of {len(store.due_ids)}"
        if run:  # the first run warms the plan cache and the broker's connection
            busy.append(elapsed)
    claim = next(q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"])
    _set_due(store.due_ids, due=True)
    plan = explain(claim)
    _set_due(store.due_ids, due=False)
    return _median(idle), _median(busy), plan


def _set_due(ids: list[int], due: bool) -> None:
    # Puts the same rows back each run, so every busy tick claims the same batch;
    # parked, they look dispatched and an idle tick finds nothing.
    rows = Delivery.objects.filter(pk__in=ids)
    if due:
        rows.update(state=S.SCHEDULED, due_at=timezone.now(), queued_at=None)
    else:
        rows.update(state=S.QUEUED, queued_at=timezone.now())


def calendar_month(store: Store, runs: int, plans: dict[str, list[str]]) -> dict[str, Any]:
    """The month view of the current month, as the editor of the first workspace sees it."""
    member = store.member
    today = timezone.now().astimezone(member.zone).date()
    start, end = cal.Period.for_view("month", today).bounds(member.zone)
    in_month = Delivery.objects.filter(
        post__workspace_id=store.workspaces[0],
        scheduled_at__gte=start,
        scheduled_at__lt=end,
        state__in=cal.SHOWN_STATES,
    ).count()
    timings, queries = _get(member, f"/calendar/?view=month&date={today}", runs)
    plans["calendar month"] = explain_all(queries)
    return {
        "calendar_month_ms": _median(timings),
        "calendar_month_deliveries": in_month,
        "calendar_month_queries": len(queries),
    }


def api_list(store: Store, runs: int, plans: dict[str, list[str]]) -> dict[str, Any]:
    """The first page of /api/v1/posts/ (LimitOffsetPagination's default page)."""
    timings, queries = _get(store.member, "/api/v1/posts/", runs)
    page = Client()
    page.force_login(store.member)
    body = page.get("/api/v1/posts/").json()
    plans["API /api/v1/posts/"] = explain_all(queries)
    return {
        "api_list_ms": _median(timings),
        "api_list_total": body["count"],
        "api_list_page": len(body["results"]),
        "api_list_queries": len(queries),
    }


def _get(user: Any, url: str, runs: int) -> tuple[list[float], list[dict[str, str]]]:
    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm up templates, session, plan cache
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
    return timings, captured.captured_queries


def explain_all(queries: list[dict[str, str]]) -> list[str]:
    """EXPLAIN ANALYZE each query that reads posts or deliveries."""
    lines = []
    for number, query in enumerate(queries, 1):
        sql = query["sql"]
        if sql.startswith("SELECT") and any(
            t in sql for t in ('"scheduler_delivery"', '"scheduler_post"')
        ):
            plan = explain(sql)
            lines += [f"query {number}: {plan[0]}", *plan[1:]]
    return lines


def explain(sql: str) -> list[str]:
    """The execution time, then one line per table or index read, with rows and loops."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (result,) = cursor.fetchone()
    top = result[0]
    lines = [f"{top['Execution Time']:.2f} ms"]
    stack = [top["Plan"]]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.get("Plans", [])))
        if "Relation Name" in node or "Index Name" in node:
            using = f" using {node['Index Name']}" if "Index Name" in node else ""
            table = f" on {node['Relation Name']}" if "Relation Name" in node else ""
            loops = f" x{node['Actual Loops']}" if node["Actual Loops"] > 1 else ""
            lines.append(f"  {node['Node Type']}{using}{table} (rows {node['Actual Rows']}{loops})")
    return lines


def _median(timings: list[float]) -> float:
    return round(statistics.median(timings) * 1000, 2)
