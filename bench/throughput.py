"""Throughput: N deliveries all due at the same second, through beat's dispatcher,
the broker and the workers, with no network latency; then bare Celery on the same
broker and worker running no-op tasks, for the ratio.

Accounts are many enough that no X account is asked for more than
population.X_POSTS_PER_ACCOUNT posts, under the engine's budget of 100 per 15
minutes, so the budget never holds the burst back.
"""

from __future__ import annotations

import math
import os
import time
from datetime import timedelta
from typing import Any

from bench.fakenet import Faults
from bench.part import Context
from bench.stack import note

SIZES = {"full": 10_000, "quick": 500, "smoke": 150}
# The embedded default takes the same 10,000; BENCH_EMBEDDED_N changes it (fewer
# on a slow machine, to keep `make bench` inside its 15 minutes).
EMBEDDED_FULL = 10_000


def settings_env(mode: str) -> dict[str, str]:
    return {}


def faults(mode: str) -> Faults:
    return Faults()


def run(ctx: Context) -> dict[str, Any]:
    """Run the part (Django is set up by now; bench/part.py)."""
    n = SIZES[ctx.mode]
    if ctx.mode == "full" and ctx.backend == "embedded":
        n = int(os.environ.get("BENCH_EMBEDDED_N", EMBEDDED_FULL))
    ctx.stack.start_worker("bench1")
    bare = bare_celery(ctx, n)
    note(f"bare Celery: {bare['per_s']} tasks/s")
    ctx.stack.start_beat()
    ours = smo(ctx, n)
    ratio = ours["per_s"] / bare["per_s"] if bare["per_s"] else None
    return {
        "deliveries": n,
        "concurrency": ctx.concurrency,
        "throughput_per_s": ours["per_s"],
        "bare_celery_per_s": bare["per_s"],
        "throughput_ratio": round(ratio, 3) if ratio else None,
        "smo": ours,
        "bare": bare,
    }


def bare_celery(ctx: Context, n: int) -> dict[str, Any]:
    """Send n no-op tasks and time them until the last has run."""
    from bench import noop

    path = str(ctx.folder / "noop.log")
    started = time.monotonic()
    for _ in range(n):
        noop.noop.apply_async((path,))
    sent = time.monotonic() - started
    deadline = started + max(120.0, n / 20)
    while noop.done(path) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    done = noop.done(path)
    return {
        "tasks": n,
        "ran": done,
        "send_s": round(sent, 2),
        "seconds": round(elapsed, 2),
        "per_s": round(done / elapsed, 1),
    }


def smo(ctx: Context, n: int) -> dict[str, Any]:
    from bench import outcome, population

    fleet = population.make_fleet(ctx.net, population.accounts_needed(n))
    # A whole second, as people schedule, just after the rows are written.
    due = population.schedule_at_once(fleet, n, "throughput", lead=timedelta(seconds=2))
    note(f"{n} deliveries written, due at {due:%H:%M:%S}")
    settled = outcome.wait_until_settled(time.monotonic() + max(180.0, n / 10))
    tally = outcome.tally(ctx.net)
    seconds = (tally.last_published - due).total_seconds() if tally.last_published else float("nan")
    published = tally.states.get("published", 0)
    return {
        "accounts": fleet.describe(),
        "x_posts_per_account_max": math.ceil(n / 3 / len(fleet.accounts["x"])),
        "settled": settled,
        "seconds": round(seconds, 2),
        "per_s": round(published / seconds, 1) if seconds > 0 else 0.0,
        **tally.figures(),
    }
