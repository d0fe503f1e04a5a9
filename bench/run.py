"""`make bench`: every part of the benchmark on this machine, one table, one JSON file.

    make bench                 # full: about 15 minutes
    make bench QUICK=1         # every part small, side by side: about 3 minutes
    python -m bench.run --parts chaos --backends postgres

Parts (issue 5): throughput (N due at once, and bare Celery beside it), lateness
(a steady stream), chaos (killed workers, a Redis restart, a faulty network),
and store scale (bench/store_scale.py, when present). Each runs in a process of
its own (bench/part.py) with its own workers, beat and fake network; the logs
stay in var/bench/ until the next run. The figures go to
bench/results/latest.json; the headline keys come from PostgreSQL + Redis where
it ran, else from the embedded default.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import backends, machine, table  # noqa: E402

PARTS = ("throughput", "lateness", "chaos", "store_scale")
# The full lateness stream takes five minutes and chaos two (and restarts Redis,
# which the embedded default has not): on the embedded default too they would
# not fit the 15-minute budget, so there they run only in QUICK mode.
FULL_ONLY_ON_POSTGRES = ("lateness", "chaos")
PART_TIMEOUT = {"full": 900, "quick": 300, "smoke": 180}
RESULTS = ROOT / "bench" / "results" / "latest.json"
HEADLINE_KEYS = {
    "throughput": ("throughput_per_s", "bare_celery_per_s", "throughput_ratio"),
    "lateness": ("lateness_p50_s", "lateness_p95_s", "lateness_p99_s", "lateness_max_s"),
    "chaos": ("chaos_published_once", "chaos_duplicates", "chaos_lost"),
    "store_scale": (
        "dispatch_tick_ms_10k",
        "dispatch_tick_ms_1m",
        "calendar_month_ms",
        "api_list_ms",
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=("full", "quick", "smoke"), default="full")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--backends", default="postgres,embedded")
    parser.add_argument("--concurrency", type=int, default=4, help="processes per worker")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started = time.monotonic()
    parts = [p for p in args.parts.split(",") if p]
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)

    results: dict[str, Any] = {
        "mode": args.mode,
        "machine": machine.describe(ROOT),
        "configuration": {
            "parts_side_by_side": args.mode != "full",
            "worker": f"one Celery prefork worker, --concurrency={args.concurrency} "
            "(chaos: two of half as many), --without-mingle --without-gossip",
            "beat": "one, dispatch_due every second (look-ahead 2 s)",
            "fake_network": "bench/fakenet, a threaded server in the part's process",
            "conn_max_age": os.environ.get("CONN_MAX_AGE", "0 (default)"),
            "log_level": os.environ.get("LOG_LEVEL", "INFO (default)"),
            "postgres_server": backends.server_version(),
            "redis_server_port": backends.REDIS_PORT,
        },
        "backends": {},
    }
    # The full run takes one part at a time, so each has the machine to itself
    # (but for whatever else runs on it). QUICK and smoke runs go side by side:
    # PostgreSQL's parts in turn, the embedded parts together, store scale.
    lanes: list[Callable[[], None]] = []
    for name in [b for b in args.backends.split(",") if b]:

        def lane(name: str = name) -> None:
            make = backends.postgres if name == "postgres" else backends.embedded
            results["backends"][name] = run_backend(make(args.work), parts, args)

        lanes.append(lane)
    if "store_scale" in parts:
        lanes.append(lambda: results.update(store_scale=run_store_scale(args)))
    if args.mode == "full":
        for lane in lanes:
            lane()
    else:
        with ThreadPoolExecutor(len(lanes) or 1) as pool:
            for done in [pool.submit(lane) for lane in lanes]:
                done.result()
    results["backends"] = {
        name: results["backends"][name] for name in args.backends.split(",") if name
    }
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    results["wall_seconds"] = round(time.monotonic() - started, 1)
    results.update(headline(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    print(table.render(results))
    print(f"\nfigures written to {args.out}")
    problems = table.problems(results)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


def run_backend(backend: backends.Backend, parts: list[str], args: Any) -> dict[str, Any]:
    if backend.skipped:
        print(f"{backend.label}: skipped ({backend.skipped})", flush=True)
        return {"label": backend.label, "skipped": backend.skipped}
    found: dict[str, Any] = {"label": backend.label}
    wanted = [p for p in parts if p != "store_scale"]
    if args.mode == "full" and backend.name != "postgres":
        wanted = [p for p in wanted if p not in FULL_ONLY_ON_POSTGRES]
        for part in set(parts) & set(FULL_ONLY_ON_POSTGRES):
            found[part] = {"skipped": "runs on PostgreSQL + Redis only in the full run"}

    def one(part: str) -> tuple[str, dict[str, Any]]:
        folder = args.work / backend.name / part
        return part, run_part(part, backend.name, backend.part_env(folder), folder, args)

    if args.mode != "full" and backend.template is not None:
        with ThreadPoolExecutor(len(wanted) or 1) as pool:
            found.update(dict(pool.map(one, wanted)))
    else:
        found.update(dict(one(part) for part in wanted))
    return found


def run_store_scale(args: Any) -> dict[str, Any]:
    if not (ROOT / "bench" / "store_scale.py").exists():
        return {"skipped": "bench/store_scale.py not present"}
    folder = args.work / "store_scale"
    env = backends.base_env()
    if backends.server_version() is not None:
        env["DATABASE_URL"] = f"{backends.PG_SERVER}/{backends.PG_DATABASE}"
    return run_part("store_scale", "postgres", env, folder, args)


def run_part(
    part: str, backend: str, env: dict[str, str], folder: Path, args: Any
) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "figures.json"
    command = [
        sys.executable,
        "-m",
        "bench.part",
        part,
        *("--backend", backend, "--folder", str(folder), "--out", str(out)),
        *("--mode", args.mode, "--concurrency", str(args.concurrency)),
    ]
    print(f"{backend}: {part} ...", flush=True)
    log = folder / "part.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command
            command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            code = process.wait(timeout=PART_TIMEOUT[args.mode])
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGTERM)  # bench.part stops its stack on SIGTERM
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            return {"error": f"timed out after {PART_TIMEOUT[args.mode]} s; see {log}"}
    if code != 0 or not out.exists():
        tail = log.read_text(errors="replace")[-1500:]
        return {"error": f"exit status {code}; see {log}", "log_tail": tail}
    figures: dict[str, Any] = json.loads(out.read_text())
    print(f"{backend}: {part} done in {figures.get('seconds')} s", flush=True)
    return figures


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The keys issue 5 asks for, from PostgreSQL + Redis where it ran, else embedded."""
    ran = [
        name
        for name in ("postgres", "embedded")
        if name in results["backends"] and not results["backends"][name].get("skipped")
    ]
    backend = results["backends"][ran[0]] if ran else {}
    figures: dict[str, Any] = {"headline_backend": ran[0] if ran else None}
    for part, keys in HEADLINE_KEYS.items():
        found = results.get("store_scale", {}) if part == "store_scale" else backend.get(part, {})
        figures.update({key: found.get(key) for key in keys})
    return figures


if __name__ == "__main__":
    sys.exit(main())
