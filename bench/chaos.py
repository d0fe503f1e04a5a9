"""Chaos: deliveries across networks while workers are SIGKILLed every few seconds,
Redis is restarted once (the postgres backend; the embedded broker has no
server), and the fake network fails 10% of calls with 5xx (3 points of them
after the post was made, as Graph's code 2 warns), 5% with timeouts after doing
the work and 2% with rate limits. Sandbox accounts simulate the same kinds of
failure with their own options (channels/adapters/sandbox.py).

Every delivery must settle (published, failed with a reason, or needs_attention)
and none may be on its network twice. The engine's timeouts are shortened for
the run (settings_env) so that lost workers and messages are found in seconds.
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta
from typing import Any

from bench.fakenet import Faults
from bench.part import Context
from bench.stack import note

# (deliveries, seconds over which they fall due)
SIZES = {"full": (2000, 40), "quick": (300, 15), "smoke": (60, 8)}
# (a kill every so many seconds, for so many seconds from when they are written);
# the smoke run kills one worker, before the first falls due.
# BENCH_CHAOS_KILL_EVERY sets the first for a harsher run.
KILLS = {"full": (3.0, 60.0), "quick": (3.0, 15.0), "smoke": (1.0, 1.5)}
SETTLE_SECONDS = {"full": 240, "quick": 150, "smoke": 120}
SANDBOX_FAULTS = (
    {"failure_rate": 0.10, "failure_kind": "transient"},
    {"failure_rate": 0.05, "failure_kind": "unknown"},
    {"failure_rate": 0.02, "failure_kind": "rate_limited", "retry_after_seconds": 5},
)


def settings_env(mode: str) -> dict[str, str]:
    # The timeout ladder still holds (smo.E003): 2 s HTTP < 5 s soft limit
    # < 35 s hard limit < 40 s stuck-after < 3600 s visibility timeout.
    return {
        "SMO_HTTP_TIMEOUT": "2",
        "SMO_TASK_SOFT_TIME_LIMIT": "5",
        "SMO_STUCK_AFTER_SECONDS": "40",
        "SMO_REQUEUE_AFTER_SECONDS": "10",
        "SMO_RECONCILE_SECONDS": "5",
        "SMO_RETRY_BASE_SECONDS": "1",
        "SMO_RETRY_MAX_SECONDS": "10",
    }


def faults(mode: str) -> Faults:
    return Faults(
        # 10% 5xx: most before anything is done, some after the post is made.
        server_error=0.07,
        server_error_after_work=0.03,
        timeout=0.05,
        rate_limited=0.02,
        # Graph's shortest wait is a whole minute: only the full run can afford it.
        rate_limited_networks=("x", "facebook") if mode == "full" else ("x",),
        reset_seconds=5,
        hold_seconds=3,  # past the 2 s client timeout
    )


def run(ctx: Context) -> dict[str, Any]:
    """Run the part (Django is set up by now; bench/part.py)."""
    from bench import outcome, population

    mode = ctx.mode
    n, window = SIZES[mode]
    stack = ctx.stack
    stack.concurrency = max(1, ctx.concurrency // 2)
    nodes = ["chaos1", "chaos2"]
    for name in nodes:
        stack.start_worker(name)
    stack.start_beat()
    # Enough accounts that each holds few posts: the lookups read an account's
    # latest 100 (X) or 50 (Facebook) posts.
    counts = population.accounts_needed(n, floor=30)
    fleet = population.make_fleet(ctx.net, counts, SANDBOX_FAULTS)
    _, margin = population.schedule(
        fleet, [i * window / n for i in range(n)], "chaos", lead=timedelta(seconds=3)
    )
    note(f"{n} deliveries written, the first due in {margin:.1f} s")
    began = time.monotonic()
    kill_every, kill_for = KILLS[mode]
    kill_every = float(os.environ.get("BENCH_CHAOS_KILL_EVERY", kill_every))
    kills_end = began + kill_for
    redis_at = began + window / 3 if stack.redis_port is not None else None
    rng = random.Random(11)  # noqa: S311 - which worker to kill
    events = {"pool_kills": 0, "node_kills": 0, "redis_restarts": 0}
    next_kill = began + kill_every

    def tick() -> None:
        nonlocal next_kill, redis_at
        now = time.monotonic()
        if now >= next_kill and now < kills_end:
            victim = rng.choice(nodes)
            if (events["pool_kills"] + events["node_kills"]) % 2 == 0:
                stack.kill_node(victim)
                events["node_kills"] += 1
                stack.start_worker(victim)  # a supervisor starts it again
            else:
                events["pool_kills"] += stack.kill_pool_process(victim)
            next_kill = time.monotonic() + kill_every
        if redis_at is not None and now >= redis_at:
            stack.restart_redis()
            events["redis_restarts"] += 1
            redis_at = None
        stack.revive()

    settled = outcome.wait_until_settled(
        began + window + SETTLE_SECONDS[mode], every=0.5, tick=tick
    )
    settle_s = round(time.monotonic() - began, 1)
    stuck = list(outcome.unsettled_rows()[:20])
    stack.stop()  # nothing may publish after the count
    tally = outcome.tally(ctx.net)
    figures = tally.figures()
    return {
        "deliveries": n,
        "window_s": window,
        "accounts": fleet.describe(),
        "settled": settled,
        "schedule_margin_s": round(margin, 2),
        "settle_s": settle_s,
        "chaos_published_once": tally.published_once,
        "chaos_duplicates": tally.duplicates,
        "chaos_lost": tally.lost,
        **events,
        "unplanned_restarts": stack.restarts,
        "network_faults": dict(ctx.net.counts),
        "stuck_sample": stuck,
        **figures,
    }
