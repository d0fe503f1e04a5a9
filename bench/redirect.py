"""The short-link redirect's server time per click, under load.

    .venv/bin/python bench/redirect.py                       # embedded default
    CACHE_URL=redis://127.0.0.1:6379/1 CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/redirect.py --use-env          # the production shape

Builds a throwaway database with --links short links (SQLite, or DATABASE_URL with
--use-env), then sends --clicks requests for random links through Django's WSGI
handler from --threads threads at once, as a server's worker threads would, and
prints the time each request spent in the server (p50, p95, p99, max), the
clicks per second, and the database queries a click made (0 once its link is
cached). Each click goes to the broker as a record_click task, as in production;
then a worker's share is simulated by recording them all, and the count is checked.
A benchmark, not a test: it reports.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from io import BytesIO
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import throwaway  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--clicks", type=int, default=5000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--use-env", action="store_true")
    args = parser.parse_args()

    throwaway.setup("redirect", use_env=args.use_env, embedded_services=True)
    from django.conf import settings
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection, connections, reset_queries

    from channels.models import SocialAccount
    from scheduler import tasks
    from scheduler.models import Delivery, Post, ShortLink, Workspace

    workspace = Workspace.objects.create(name="Bench")
    account = SocialAccount.objects.create(
        workspace=workspace, network="sandbox", external_id="bench", name="Bench"
    )
    post = Post.objects.create(workspace=workspace, text="bench")
    delivery = Delivery.objects.create(post=post, account=account, state="published")
    codes = [
        ShortLink.objects.create(delivery=delivery, url=f"https://acme.example/p/{n}").code
        for n in range(args.links)
    ]
    cache.clear()
    handler = WSGIHandler()
    task = tasks.record_click
    handed = 0
    real_delay = task.delay

    def delay(*task_args: object) -> object:
        nonlocal handed
        handed += 1
        return real_delay(*task_args)

    task.delay = delay  # type: ignore[method-assign]

    def click(code: str) -> float:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/l/{code}",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(),
            "HTTP_REFERER": "https://t.co/x",
            "HTTP_CF_IPCOUNTRY": "SE",
            "HTTP_USER_AGENT": "Mozilla/5.0",
        }
        statuses: list[str] = []
        began = time.perf_counter()
        body = handler(environ, lambda status, headers: statuses.append(status))
        b"".join(body)
        elapsed = time.perf_counter() - began
        assert statuses[0].startswith("302"), statuses
        return elapsed

    # Warm: one click per link fills the cache (the first click of a link reads the database).
    for code in codes:
        click(code)
    settings.DEBUG = True
    reset_queries()
    click(codes[0])
    queries_per_cached_click = len(connection.queries)
    settings.DEBUG = False

    # Each process is one server worker (gunicorn runs one per core or so), each
    # clicking as fast as it can: the machine is fully loaded for the whole run.
    rng = random.Random(1)  # noqa: S311 - which links are clicked, not a secret
    per_worker = args.clicks // args.processes
    plans = [[rng.choice(codes) for _ in range(per_worker)] for _ in range(args.processes)]
    connections.close_all()
    began = time.perf_counter()
    global CLICK  # handed to the forked workers
    CLICK = click
    with ProcessPoolExecutor(args.processes, mp_context=get_context("fork")) as pool:
        results = list(pool.map(run_plan, plans))
    wall = time.perf_counter() - began
    times = sorted(t for found, _ in results for t in found)
    handed = sum(n for _, n in results)

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))] * 1000

    print(
        f"database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"broker: {settings.CELERY_BROKER_URL.split(':', 1)[0]}"
    )
    print(f"{len(times):,} clicks on {args.links:,} links from {args.processes} processes at once")
    print(
        f"server time per click: p50 {pct(0.5):.2f} ms, p95 {pct(0.95):.2f} ms, "
        f"p99 {pct(0.99):.2f} ms, max {times[-1] * 1000:.2f} ms, mean {statistics.mean(times) * 1000:.2f} ms"
    )
    print(
        f"throughput: {len(times) / wall:,.0f} clicks/s; queries per cached click: {queries_per_cached_click}"
    )
    print(f"clicks handed to the broker: {handed:,} of {len(times):,}")
    return 0


CLICK: Any = None  # main()'s click(), inherited by the forked workers


def run_plan(plan: list[str]) -> tuple[list[float], int]:
    """In a worker process: click each code of the plan; the times and how many
    clicks went to the broker."""
    from scheduler import tasks

    sent = 0
    real = tasks.record_click.delay

    def counting(*task_args: object) -> object:
        nonlocal sent
        sent += 1
        return real(*task_args)

    tasks.record_click.delay = counting  # type: ignore[method-assign]
    return [CLICK(code) for code in plan], sent


if __name__ == "__main__":
    raise SystemExit(main())
