"""How long the server takes to render a busy month of the calendar.

    .venv/bin/python bench/calendar_month.py                  # 5,000 posts, 7 runs
    .venv/bin/python bench/calendar_month.py --posts 20000 --runs 11

Builds a throwaway SQLite database in a temporary folder, creates --posts posts in
one month (each to one of --accounts sandbox accounts, a third of them in a
campaign), then renders the month, week and list views through Django's test
client and prints the median, min and max server time of each, and its SQL
query count. A benchmark, not a test: it reports.
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
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    throwaway.setup("calendar")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from channels.models import SocialAccount
    from scheduler.models import Campaign, Delivery, Membership, Post, Role, User, Workspace

    workspace = Workspace.objects.create(name="Bench", timezone="Europe/Stockholm")
    user = User.objects.create_user("bench", timezone="Europe/Stockholm")
    membership = Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
    accounts = [
        SocialAccount.objects.create(
            workspace=workspace, network="sandbox", external_id=f"b{i}", name=f"Account {i}"
        )
        for i in range(args.accounts)
    ]
    campaign = Campaign.objects.create(workspace=workspace, name="Launch", color="#e11d48")
    month = datetime(2031, 3, 1, tzinfo=UTC)  # in the future: every post is still scheduled
    step = timedelta(days=30) / args.posts
    posts = Post.objects.bulk_create(
        Post(
            workspace=workspace,
            author=membership.user,
            campaign=campaign if i % 3 == 0 else None,
            text=f"Bench post {i}: a line of text about something worth sharing today.",
            scheduled_at=month + i * step,
        )
        for i in range(args.posts)
    )
    Delivery.objects.bulk_create(
        Delivery(
            post=p,
            account=accounts[i % len(accounts)],
            state=Delivery.State.SCHEDULED,
            scheduled_at=p.scheduled_at,
            due_at=p.scheduled_at,
        )
        for i, p in enumerate(posts)
    )

    client = Client()
    client.force_login(user)
    print(f"{args.posts} posts in March 2031, SQLite, {args.runs} runs each (server time)")
    for view in ("month", "week", "list"):
        url = f"/calendar/?view={view}&date=2031-03-12"
        assert client.get(url).status_code == 200  # warm up templates and the session
        timings = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"  {view:5}  median {statistics.median(timings):7.1f} ms   "
            f"min {min(timings):7.1f}   max {max(timings):7.1f}   "
            f"{len(queries.captured_queries)} queries   {len(response.content) // 1024} KiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
