"""Run one part of the benchmark in this process and write its figures as JSON.

    python -m bench.part throughput --backend postgres --folder var/bench/pg/throughput \\
        --out var/bench/pg/throughput.json [--mode quick]

bench/run.py starts one of these per part and backend, with the backend's
DATABASE_URL, CELERY_BROKER_URL and CACHE_URL in the environment (already
migrated). The part starts the fake network first, so its address is in the
environment that Django's settings and the workers read, then empties the
database and starts its own stack (bench/stack.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fakenet import FakeNet, Faults  # noqa: E402
from bench.stack import Stack, note  # noqa: E402

PARTS = ("throughput", "lateness", "chaos")


MODES = ("full", "quick", "smoke")


@dataclass
class Context:
    backend: str  # "embedded" or "postgres"
    mode: str  # "full", "quick" (make bench QUICK=1) or "smoke" (the test suite)
    folder: Path
    concurrency: int
    net: FakeNet
    stack: Stack


class Part(Protocol):
    """A part module: the settings and faults it runs with, and the run itself."""

    def settings_env(self, mode: str) -> dict[str, str]: ...

    def faults(self, mode: str) -> Faults: ...

    def run(self, ctx: Context) -> dict[str, Any]: ...


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", choices=[*PARTS, "store_scale"])
    parser.add_argument("--backend", default="embedded")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mode", choices=MODES, default="full")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    # bench/run.py stops a part that overruns with SIGTERM: leave through the
    # `with` blocks, so the part's workers, beat and Redis are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    if args.part == "store_scale":
        figures = importlib.import_module("bench.store_scale").run(args.mode != "full")
    else:
        figures = _run_part(args)
    figures["seconds"] = round(time.monotonic() - started, 1)
    args.out.write_text(json.dumps(figures, indent=2, default=str))
    return 0


def _run_part(args: argparse.Namespace) -> dict[str, Any]:
    part: Part = importlib.import_module(f"bench.{args.part}")  # type: ignore[assignment]
    args.folder.mkdir(parents=True, exist_ok=True)
    with FakeNet(part.faults(args.mode), seed=5) as net:
        os.environ.update(net.env())
        os.environ.update(part.settings_env(args.mode))
        os.environ.setdefault("SMO_BROKER_DIR", str(args.folder / "broker"))
        os.environ.setdefault("CACHE_URL", f"filecache://{args.folder / 'cache'}")
        os.environ.setdefault("MEDIA_ROOT", str(args.folder / "media"))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        note(f"{args.part} on {args.backend} ({args.mode}): database emptied")
        with Stack(args.folder, dict(os.environ), concurrency=args.concurrency) as stack:
            ctx = Context(args.backend, args.mode, args.folder, args.concurrency, net, stack)
            figures = part.run(ctx)
            figures["beat_messages_expired"] = stack.expired_ticks()
            note("figures counted")
    figures.setdefault("settings", part.settings_env(args.mode))
    return figures


if __name__ == "__main__":
    sys.exit(main())
