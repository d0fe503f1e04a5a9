"""The hot queries over deliveries read an index, not the table, once the store is big.

A store where most deliveries are long published (their `due_at` in the past) is
what misled PostgreSQL into looping over every account for dispatch_due's claim;
bench/store_scale.py measures it at 1,000,000 rows. Here a few thousand rows of
that shape, with fresh statistics, are enough for the planner to show its choice.
"""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import calendar as cal
from scheduler import engine, failures, reminders
from scheduler.models import Delivery, Post
from tests.factories import WorkspaceFactory

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def store() -> list[SocialAccount]:
    """Eight workspaces of five accounts, each with 300 days of history and a week ahead.

    Ours is one of eight, and a month one of ten: each alone would leave a big
    read, and only an index on both (account, time) makes the month small.
    """
    now = timezone.now()
    workspaces = [_fill(now, accounts=5, posts=800) for _ in range(8)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return workspaces[0]


def _fill(now, accounts: int, posts: int) -> list[SocialAccount]:  # type: ignore[no-untyped-def]
    """A workspace whose posts each go to one of its accounts; one in 20 lies ahead."""
    workspace = WorkspaceFactory()
    made_accounts = SocialAccount.objects.bulk_create(
        SocialAccount(workspace=workspace, network="sandbox", external_id=str(a), name=str(a))
        for a in range(accounts)
    )
    made = Post.objects.bulk_create(
        Post(
            workspace=workspace,
            text=f"post {i}",
            scheduled_at=now + timedelta(hours=1 + i % 160)
            if i % 20 == 0
            else now - timedelta(hours=1 + (i * 7919) % (300 * 24)),
        )
        for i in range(posts)
    )
    Delivery.objects.bulk_create(
        Delivery(
            post=post,
            account=made_accounts[i % accounts],
            state=S.SCHEDULED
            if post.scheduled_at > now
            else S.FAILED
            if i % 25 == 1
            else S.PUBLISHED,
            scheduled_at=post.scheduled_at,
            due_at=post.scheduled_at,
        )
        for i, post in enumerate(made)
    )
    return made_accounts


def _only_query(call) -> str:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        call()
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1, selects
    return selects[0]


def reads_of_deliveries(sql: str) -> set[str]:
    """How the plan reads scheduler_delivery: "index <name>" for each index, "table" for a scan."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (plan,) = cursor.fetchone()
            nodes, reads = [plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)], set()
            while nodes:
                node = nodes.pop()
                nodes += node.get("Plans", [])
                if node.get("Relation Name") == "scheduler_delivery" or "Index Name" in node:
                    if "Index Name" in node:
                        reads.add(f"index {node['Index Name']}")
                    elif node["Node Type"] == "Seq Scan":
                        reads.add("table")
            return {r for r in reads if r == "table" or "delivery" in r}
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        details = [row[-1] for row in cursor.fetchall()]
    reads = set()
    for detail in details:
        words = detail.split()
        if len(words) > 1 and words[1] == "scheduler_delivery":
            if "INDEX" in words:
                reads.add(f"index {words[words.index('INDEX') + 1]}")
            else:
                reads.add("table")
    return reads


def assert_reads(sql: str, index: str) -> None:
    reads = reads_of_deliveries(sql)
    if connection.vendor == "postgresql":
        assert reads == {f"index {index}"}
    else:
        # SQLite's planner weighs fewer things; an index, not the table, is the point.
        assert reads, sql
        assert "table" not in reads


def test_dispatch_claims_due_deliveries_through_the_due_index(store, settings) -> None:  # type: ignore[no-untyped-def]
    # A batch far smaller than the queue, as 500 is beside a big store's: with a
    # batch larger than the queue, reading every waiting row by state is as cheap.
    settings.SMO_DISPATCH_BATCH = 20
    sql = _only_query(engine.dispatch_due)
    # Held accounts are excluded by a subquery, not joined: given the join, PostgreSQL
    # looped over every account once the store was big (bench/store_scale.py).
    assert 'JOIN "channels_socialaccount" ON ("scheduler_delivery"' not in sql
    assert_reads(sql, "delivery_due_idx")


def test_a_calendar_month_reads_its_workspace_accounts_periods_by_index(store) -> None:  # type: ignore[no-untyped-def]
    workspace = store[0].workspace
    tz = ZoneInfo("Europe/Stockholm")
    today = timezone.now().astimezone(tz).date()
    start, end = cal.Period.for_view("month", today).bounds(tz)
    sql = _only_query(lambda: cal.entries(workspace, cal.Filters(), start, end, tz))
    assert_reads(sql, "delivery_account_time_idx")


def test_the_needs_a_look_count_reads_only_the_partial_index(store) -> None:  # type: ignore[no-untyped-def]
    workspace = store[0].workspace
    sql = _only_query(lambda: failures.count(workspace.pk))
    assert '"scheduler_post"' not in sql
    assert failures.count(workspace.pk) == 32  # one post in 25 failed, none ahead
    assert_reads(sql, "delivery_needs_look_idx")


def test_the_open_reminders_count_reads_only_its_partial_index(store) -> None:  # type: ignore[no-untyped-def]
    workspace = store[0].workspace
    sql = _only_query(lambda: reminders.count(workspace.pk))
    assert '"scheduler_post"' not in sql
    assert reminders.count(workspace.pk) == 0
    assert_reads(sql, "delivery_reminder_idx")
