"""How late, and how often, posts go out: real worker and beat, the sandbox network.

    make bench                                  # embedded default: SQLite + file broker
    make bench BENCH_ARGS="--posts 2000 --spread 20"
    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... make bench

Creates --posts deliveries spread evenly over --spread seconds across --accounts
sandbox accounts, starts a Celery worker and beat, waits for every delivery to
finish, then prints lateness percentiles (published_at - scheduled_at), the
publish rate, and duplicates/losses counted on the sandbox feed. Writes the
figures to var/bench/publish_lateness.json. A benchmark, not a test: it reports.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument(
        "--spread", type=float, default=10.0, help="seconds over which posts are due"
    )
    parser.add_argument("--lead", type=float, default=5.0, help="seconds before the first is due")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smo.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from channels.models import SandboxPost, SocialAccount
    from scheduler.models import Delivery, Post, Workspace
    from tests.e2e.workers import celery_worker_and_beat, database_url

    call_command("migrate", verbosity=0)
    Delivery.objects.all().delete()
    Post.objects.all().delete()
    SandboxPost.objects.all().delete()
    workspace, _ = Workspace.objects.get_or_create(name="Benchmark")
    accounts = [
        SocialAccount.objects.get_or_create(
            workspace=workspace,
            network="sandbox",
            external_id=f"bench-{i}",
            defaults={"name": f"Bench {i}", "credentials": {"token": "bench"}},
        )[0]
        for i in range(args.accounts)
    ]
    print(
        f"database {database_url().split('@')[-1]}, broker {os.environ.get('CELERY_BROKER_URL', 'filesystem://')}"
    )
    with tempfile.TemporaryDirectory() as tmp, celery_worker_and_beat(Path(tmp)):
        start = timezone.now() + timedelta(seconds=args.lead)
        step = args.spread / max(args.posts - 1, 1)
        posts = Post.objects.bulk_create(
            Post(
                workspace=workspace,
                text=f"Benchmark post {i}",
                scheduled_at=start + timedelta(seconds=i * step),
            )
            for i in range(args.posts)
        )
        Delivery.objects.bulk_create(
            Delivery(
                post=p,
                account=accounts[i % len(accounts)],
                state="scheduled",
                scheduled_at=p.scheduled_at,
                due_at=p.scheduled_at,
            )
            for i, p in enumerate(posts)
        )
        deadline = time.monotonic() + args.lead + args.spread + 120
        done_states = ["published", "failed", "needs_attention"]
        while (
            time.monotonic() < deadline and Delivery.objects.exclude(state__in=done_states).exists()
        ):
            time.sleep(0.5)
    deliveries = list(
        Delivery.objects.filter(post__workspace=workspace).values(
            "state", "scheduled_at", "published_at", "idempotency_key"
        )
    )
    published = [d for d in deliveries if d["state"] == "published"]
    late = [(d["published_at"] - d["scheduled_at"]).total_seconds() * 1000 for d in published]
    copies = SandboxPost.objects.values("idempotency_key").annotate(n=Count("id"))
    duplicates = sum(c["n"] - 1 for c in copies if c["n"] > 1)
    first = min(d["published_at"] for d in published) if published else None
    last = max(d["published_at"] for d in published) if published else None
    rate = len(published) / max((last - first).total_seconds(), 0.001) if published else 0.0
    figures = {
        "posts": args.posts,
        "accounts": args.accounts,
        "spread_s": args.spread,
        "published": len(published),
        "not_published": len(deliveries) - len(published),
        "duplicates_on_feed": duplicates,
        "lateness_ms": {
            "p50": statistics.median(late) if late else None,
            "p95": percentile(late, 95) if late else None,
            "p99": percentile(late, 99) if late else None,
            "max": max(late) if late else None,
            "min": min(late) if late else None,
        },
        "published_per_second": rate,
        "database": database_url().split("://")[0],
        "broker": os.environ.get("CELERY_BROKER_URL", "filesystem://").split("://")[0],
    }
    (OUT / "publish_lateness.json").write_text(json.dumps(figures, indent=2))
    print(f"{'posts':<22}{args.posts}")
    print(f"{'published':<22}{len(published)}")
    print(f"{'not published':<22}{figures['not_published']}")
    print(f"{'duplicates on feed':<22}{duplicates}")
    for key, value in figures["lateness_ms"].items():
        print(
            f"{'lateness ' + key + ' (ms)':<22}{value:.0f}"
            if value is not None
            else f"lateness {key}: -"
        )
    print(f"{'published / second':<22}{rate:.1f}")
    print(f"figures written to {OUT / 'publish_lateness.json'}")
    return 0 if len(published) == args.posts and duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
