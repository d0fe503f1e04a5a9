"""How fast the inbox stores what a fetch brings, and how fast its page answers.

    .venv/bin/python bench/inbox_store.py                   # 10,000 items, 5 runs
    .venv/bin/python bench/inbox_store.py --items 50000 --runs 3

Builds a throwaway SQLite database (or uses DATABASE_URL when --use-env is given),
then times `inbox_sync.store` over --items new comments (insert), the same items
again (each found stored: the de-duplication a re-fetch pays), and the inbox page
(first 50 of all of them) through Django's test client, with its query count.
A benchmark, not a test: it reports.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import throwaway  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--use-env", action="store_true", help="keep DATABASE_URL as set")
    args = parser.parse_args()

    throwaway.setup("inbox", use_env=args.use_env)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from channels.adapters.engagement import COMMENT, Engagement
    from channels.models import SocialAccount
    from scheduler import inbox_sync
    from scheduler.models import InboxItem, Membership, Role, User, Workspace

    start = datetime(2026, 11, 1, tzinfo=UTC)
    print(f"database: {connection.vendor}; {args.items:,} items; median of {args.runs} runs")

    def items(run: int) -> list[Engagement]:
        return [
            Engagement(
                external_id=f"r{run}-c{n}",
                kind=COMMENT,
                text=f"Comment number {n}, with a few words like a real one would have.",
                created_at=start + timedelta(seconds=n),
                author_name=f"Person {n % 500}",
                author_handle=f"person{n % 500}",
                parent_post_id=f"post-{n % 40}",
            )
            for n in range(args.items)
        ]

    inserts, repeats = [], []
    for run in range(args.runs):
        workspace = Workspace.objects.create(name=f"Bench {run}")
        account = SocialAccount.objects.create(
            workspace=workspace, network="sandbox", external_id=f"bench-{run}", name="Bench"
        )
        batch = items(run)
        began = time.perf_counter()
        assert inbox_sync.store(account, batch) == args.items
        inserts.append(time.perf_counter() - began)
        began = time.perf_counter()
        assert inbox_sync.store(account, batch) == 0
        repeats.append(time.perf_counter() - began)
    assert InboxItem.objects.filter(account=account).count() == args.items

    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
    client = Client()
    client.force_login(user)
    client.get("/inbox/")
    pages = []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            assert client.get("/inbox/").status_code == 200
            pages.append(time.perf_counter() - began)

    def line(name: str, seconds: list[float], per: int = 0) -> None:
        median = statistics.median(seconds)
        rate = f"  ({per / median:,.0f} items/s)" if per else ""
        print(f"{name:<34} {median * 1000:9.1f} ms  min {min(seconds) * 1000:.1f}{rate}")

    line("store, all new", inserts, args.items)
    line("store again, all known", repeats, args.items)
    line(f"inbox page ({len(queries)} queries)", pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
