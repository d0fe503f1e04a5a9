"""Lateness: a steady stream of deliveries due at a fixed rate, spread evenly over
a window, with no network latency and no faults. Reports how late each went out
by SMO's record (published_at - scheduled_at) and by the fake network's clock
(when the request reached it - scheduled_at).

Facebook's published_at is Graph's created_time, in whole seconds, so on that
network the first figure is rounded down; the second is exact everywhere but
the sandbox, which has no fake network in front of it.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from bench.fakenet import Faults
from bench.part import Context
from bench.stack import note

# (deliveries per second, seconds)
STREAMS = {"full": (50, 300), "quick": (20, 15), "smoke": (10, 8)}
LEAD_SECONDS = 3  # first due this long after the rows are written, plus 1 s per 2,000
DRAIN_SECONDS = 120  # how long after the last is due the part waits for stragglers


def settings_env(mode: str) -> dict[str, str]:
    return {}


def faults(mode: str) -> Faults:
    return Faults()


def run(ctx: Context) -> dict[str, Any]:
    """Run the part (Django is set up by now; bench/part.py)."""
    from django.utils import timezone

    from bench import outcome, population

    rate, seconds = STREAMS[ctx.mode]
    n = rate * seconds
    ctx.stack.start_worker("bench1")
    ctx.stack.start_beat()
    fleet = population.make_fleet(ctx.net, population.accounts_needed(n))
    # The rows take a while to write and to schedule on a busy machine: the
    # stream starts a little after, by a margin reported with the figures.
    start, margin = population.schedule(
        fleet,
        [i / rate for i in range(n)],
        "lateness",
        lead=timedelta(seconds=LEAD_SECONDS + n / 2000),
    )
    note(f"{n} deliveries written, the first due in {margin:.1f} s")
    ends = time.monotonic() + (start - timezone.now()).total_seconds() + seconds
    settled = outcome.wait_until_settled(ends + DRAIN_SECONDS, every=1.0)
    figures = outcome.tally(ctx.net).figures()
    return {
        "rate_per_s": rate,
        "window_s": seconds,
        "accounts": fleet.describe(),
        "settled": settled,
        "schedule_margin_s": round(margin, 2),
        **{f"lateness_{k}_s": v for k, v in figures["lateness_s"].items()},
        **figures,
    }
