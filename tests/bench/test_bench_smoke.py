"""`make bench`'s parts, run tiny on the embedded default: every figure is there
and sane, and the chaos run (a worker SIGKILLed, a faulty network) neither loses
a delivery nor publishes one twice. Speed is not asserted: the bench reports it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(300)
def test_the_benchmark_runs_small_and_loses_and_doubles_nothing(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    command = [
        sys.executable,
        *("-m", "bench.run", "--mode", "smoke", "--backends", "embedded"),
        *("--parts", "throughput,lateness,chaos", "--concurrency", "2"),
        *("--work", str(tmp_path / "work"), "--out", str(out)),
    ]
    done = subprocess.run(
        command, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=280
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["headline_backend"] == "embedded"
    assert figures["machine"]["cores"] >= 1 and figures["machine"]["python"]

    throughput = figures["backends"]["embedded"]["throughput"]
    assert throughput["smo"]["published_once"] == throughput["deliveries"] == 150
    assert figures["throughput_per_s"] > 0 and figures["bare_celery_per_s"] > 0
    assert 0 < figures["throughput_ratio"] < 1  # no-op tasks must be the faster

    lateness = figures["backends"]["embedded"]["lateness"]
    assert lateness["published_once"] == lateness["deliveries"] == 80
    assert (lateness["duplicates"], lateness["lost"]) == (0, 0)
    p50, p99, most = (figures[f"lateness_{k}_s"] for k in ("p50", "p99", "max"))
    assert 0 <= p50 <= p99 <= most

    chaos = figures["backends"]["embedded"]["chaos"]
    assert (figures["chaos_duplicates"], figures["chaos_lost"]) == (0, 0)
    assert chaos["settled"] is True
    assert chaos["node_kills"] == 1
    assert chaos["network_faults"]["server_error"] + chaos["network_faults"]["timeout"] > 0
    settled = chaos["states"].get("failed", 0) + chaos["states"].get("needs_attention", 0)
    assert figures["chaos_published_once"] + settled == chaos["deliveries"] == 60
    assert chaos["failed_but_posted"] == chaos["phantom"] == 0
