"""Run web, worker and beat together in the foreground (`make run`).

    python -m smo.runall [--port 8000]

Each process's output is printed with its name in front. Ctrl-C (or SIGTERM)
stops all three; if one of them dies, the others are stopped too and the exit
status says so. The children stay in this process's group, so whatever stops
the group (a terminal's Ctrl-C, `kill -- -PGID`) reaches every one of them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import IO

import environ

# How long a process may take to stop before it is killed. Celery's warm
# shutdown on the file-system broker takes about 5-7 s here.
STOP_GRACE_SECONDS = 10
COLOURS = {"web": "\033[36m", "worker": "\033[33m", "beat": "\033[35m"}


def commands(port: int, concurrency: int) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "smo"]
    return {
        "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [
            *celery,
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--hostname=worker@%h",
        ],
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }


def _relay(name: str, stream: IO[bytes]) -> None:
    colour = COLOURS.get(name, "") if sys.stdout.isatty() else ""
    reset = "\033[0m" if colour else ""
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip("\n")
        print(f"{colour}{time.strftime('%H:%M:%S')} {name:<6} |{reset} {line}", flush=True)


def main(argv: list[str] | None = None) -> int:
    # The same .env the settings read, so SMO_WORKER_CONCURRENCY can live there.
    environ.Env.read_env(os.environ.get("SMO_ENV_FILE", ".env"), overwrite=False)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--concurrency", type=int, default=int(os.environ.get("SMO_WORKER_CONCURRENCY", "4"))
    )
    args = parser.parse_args(argv)

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    _share_metrics(env)
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    for name, command in commands(args.port, args.concurrency).items():
        child = subprocess.Popen(  # noqa: S603 - our own fixed commands
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        children[name] = child
        assert child.stdout is not None
        threading.Thread(target=_relay, args=(name, child.stdout), daemon=True).start()

    died = None
    while not stopping.is_set() and died is None:
        died = next((name for name, child in children.items() if child.poll() is not None), None)
        stopping.wait(0.2)
    if died:
        print(
            f"{died} stopped (exit status {children[died].returncode}); stopping the others",
            flush=True,
        )
    _stop_all(children)
    return 1 if died else 0


def _share_metrics(env: dict[str, str]) -> None:
    """Give the three processes one fresh prometheus-client multiprocess folder,
    so /metrics on the web process shows what the worker recorded."""
    if env.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    folder = Path("var/metrics").resolve()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _stop_all(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in {STOP_GRACE_SECONDS} s; killing it", flush=True)
            child.kill()
            child.wait()


if __name__ == "__main__":
    sys.exit(main())
