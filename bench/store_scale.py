"""How the store scales: dispatch_due's tick, the calendar month and the API list at 1M deliveries.

    python bench/store_scale.py             # 1,000,000 deliveries
    python bench/store_scale.py --quick     # 100,000
    python bench/store_scale.py --rows 5000 --small 1000 --keep

Needs PostgreSQL: the server of $SMO_BENCH_DATABASE_URL, else of $DATABASE_URL when
that names PostgreSQL, else postgres://postgres@127.0.0.1:5432. Creates a database
of its own (--database, smo_store; dropped at the end unless --keep) and fills it
through bench/store_fill.py in stages: 10,000 deliveries, 100,000, then all of them.
At each stage it times dispatch_due's tick, idle (nothing due) and with 100 due
(`dispatch_tick_ms_*`, the headline), and runs EXPLAIN ANALYZE on its claiming
query. At the last stage it times the calendar's month view of the current month
(an editor of a workspace holding 1/8 of the store, through Django's test client)
and the first page of /api/v1/posts/, and EXPLAINs the queries they make. The
broker is kombu's in-memory transport, so a tick's time is the database's and
Celery's (building a message costs about 0.3 ms), not Redis's.

`run(quick)` runs all this in a child process (Django is set up once per process,
and the caller's may point at another database) and returns the figures, or
{"skipped": why} when PostgreSQL cannot be reached. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
# Plans that read these tables whole would grow with the store.
BIG_TABLES = ("scheduler_delivery", "scheduler_post")


def run(
    quick: bool,
    *,
    rows: int | None = None,
    small: int | None = None,
    runs: int | None = None,
    database: str = "smo_store",
) -> dict[str, Any]:
    """Run the benchmark in a child process; return its figures."""
    args = ["--quick"] if quick else []
    if runs is not None:
        args += ["--runs", str(runs)]
    if rows is not None:
        args += ["--rows", str(rows)]
    if small is not None:
        args += ["--small", str(small)]
    with tempfile.TemporaryDirectory(prefix="smo-store-") as folder:
        out = Path(folder) / "store_scale.json"
        command = [sys.executable, str(Path(__file__).resolve()), *args, "--database", database]
        done = subprocess.run([*command, "--json", str(out)], cwd=ROOT, check=False)  # noqa: S603
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"bench/store_scale.py exited with status {done.returncode}")
        return json.loads(out.read_text())


def server_url() -> str:
    for name in ("SMO_BENCH_DATABASE_URL", "DATABASE_URL"):
        value = os.environ.get(name, "")
        if value.startswith(("postgres://", "postgresql://")):
            return value
    return DEFAULT_SERVER


def stage_sizes(rows: int, small: int) -> list[int]:
    return sorted({n for n in (small, 100_000) if n < rows} | {rows})


def label(rows: int) -> str:
    return {10_000: "10k", 100_000: "100k", 1_000_000: "1m"}.get(rows, str(rows))


def log(message: str) -> None:
    print(f"store_scale: {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100,000 deliveries")
    parser.add_argument("--rows", type=int, help="deliveries in the end (1,000,000)")
    parser.add_argument("--small", type=int, default=10_000, help="the first stage's size")
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each measurement")
    parser.add_argument("--database", default="smo_store")
    parser.add_argument("--keep", action="store_true", help="leave the database for a look")
    parser.add_argument("--json", type=Path, help="write the figures here, not a table")
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        parser.error("--database: lower-case letters, digits and _ only")

    server = server_url()
    try:
        create_database(server, args.database)
    except Exception as error:  # any failure to reach or use the server
        figures: dict[str, Any] = {"skipped": f"PostgreSQL unreachable: {error}".strip()}
    else:
        try:
            figures = measure(server, args.database, rows, args.small, args.runs)
        finally:
            if not args.keep:
                drop_database(server, args.database)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    else:
        print_table(figures)
    return 0


def create_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, dbname="postgres", autocommit=True, connect_timeout=5) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {name}")


def drop_database(server: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(server, dbname="postgres", autocommit=True, connect_timeout=5) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup_django(server: str, name: str) -> None:
    os.environ["DATABASE_URL"] = urlsplit(server)._replace(path=f"/{name}").geturl()
    # The in-memory broker keeps Redis out of the tick's time; DEBUG serves static
    # files without collectstatic, which the calendar's template needs.
    os.environ.update(
        CELERY_BROKER_URL="memory://localhost/", CACHE_URL="locmemcache://", DEBUG="true"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "smo.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("SMO_ENCRYPTION_KEYS", "GK4b1abWZxT5RYVOjvT5mSMFZ65ddWdfKCJ2UtteZe4=")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def measure(server: str, name: str, rows: int, small: int, runs: int) -> dict[str, Any]:
    setup_django(server, name)
    from django.utils import timezone

    from bench import store_fill, store_timing

    store = store_fill.create_people(store_fill.Shape())
    now = timezone.now()
    store_fill.add_due(store, now)
    figures: dict[str, Any] = {"rows": rows, "load_seconds": 0.0, "vacuum_seconds": 0.0}
    plans: dict[str, list[str]] = {}
    sizes = stage_sizes(rows, small)
    figures["stages"] = sizes
    for size in sizes:
        started = time.perf_counter()
        store_fill.fill_to(store, size, now)
        figures["load_seconds"] += time.perf_counter() - started
        log(f"{store.deliveries:,} deliveries in {figures['load_seconds']:.1f} s")
        started = time.perf_counter()
        store_timing.vacuum_analyze()
        figures["vacuum_seconds"] += time.perf_counter() - started
        idle, busy, plan = store_timing.ticks(store, runs)
        log(f"tick at {size:,}: idle {idle:.2f} ms, {len(store.due_ids)} due {busy:.2f} ms")
        figures[f"dispatch_tick_ms_{label(size)}"] = busy
        figures[f"dispatch_idle_tick_ms_{label(size)}"] = idle
        figures[f"dispatch_claim_query_ms_{label(size)}"] = float(plan[0].split()[0])
        plans[f"dispatch_due at {size:,}"] = plan
    for key, size in (("10k", sizes[0]), ("1m", sizes[-1])):
        for name in ("dispatch_tick_ms", "dispatch_idle_tick_ms", "dispatch_claim_query_ms"):
            figures[f"{name}_{key}"] = figures[f"{name}_{label(size)}"]
        figures[f"dispatch_tick_rows_{key}"] = size
    figures["dispatch_due_batch"] = len(store.due_ids)
    figures["load_rows_per_s"] = round(rows / figures["load_seconds"])
    figures.update(store_timing.calendar_month(store, runs, plans))
    figures.update(store_timing.api_list(store, runs, plans))
    figures["plans"] = plans
    figures["postgresql"] = store_timing.server_version()
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    figures["big_table_seq_scans"] = sorted(
        {f"{where}: {node}" for where, nodes in plans.items() for node in nodes if _seq(node)}
    )
    for key in ("load_seconds", "vacuum_seconds"):
        figures[key] = round(figures[key], 2)
    return figures


def _seq(node: str) -> bool:
    return node.lstrip().startswith("Seq Scan") and any(
        f"on {t} " in f"{node} " for t in BIG_TABLES
    )


def print_table(figures: dict[str, Any]) -> None:
    if "skipped" in figures:
        print(f"store scale: skipped ({figures['skipped']})")
        return
    print(
        f"Store scale: {figures['rows']:,} deliveries in PostgreSQL {figures['postgresql']} "
        f"(load average at the end {figures['load_average']})"
    )
    print(
        f"  load (COPY)        {figures['load_seconds']:8.1f} s   "
        f"({figures['load_rows_per_s']:,} deliveries/s; VACUUM ANALYZE "
        f"{figures['vacuum_seconds']:.1f} s)"
    )
    for size in figures["stages"]:
        print(
            f"  dispatch_due @{size:>9,}  {figures[f'dispatch_tick_ms_{label(size)}']:6.2f} ms"
            f" with {figures['dispatch_due_batch']} due, "
            f"{figures[f'dispatch_idle_tick_ms_{label(size)}']:.2f} ms idle, "
            f"claim query {figures[f'dispatch_claim_query_ms_{label(size)}']:.2f} ms"
        )
    print(
        f"  calendar month     {figures['calendar_month_ms']:8.1f} ms   "
        f"({figures['calendar_month_deliveries']:,} deliveries, "
        f"{figures['calendar_month_queries']} queries)"
    )
    print(
        f"  API posts list     {figures['api_list_ms']:8.1f} ms   "
        f"(first {figures['api_list_page']} of {figures['api_list_total']:,} posts, "
        f"{figures['api_list_queries']} queries)"
    )
    print("  EXPLAIN ANALYZE (execution time: scans):")
    for where, nodes in figures["plans"].items():
        print(f"    {where}")
        for node in nodes:
            print(f"      {node}")
    print(f"  seq scans of big tables: {figures['big_table_seq_scans'] or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
