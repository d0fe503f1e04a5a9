"""Start a real Celery worker and beat as subprocesses against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the test database this process uses, for the subprocesses."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url()
    broker = env.get("CELERY_BROKER_URL", "")
    if not broker.startswith(("redis://", "rediss://")):
        # The embedded default, in a folder of this test's own.
        env["CELERY_BROKER_URL"] = "filesystem://"
        env["SMO_BROKER_DIR"] = str(tmp / "broker")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait_for(path: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(
                f"{path.name} exited early:\n{path.read_text(errors='replace')[-3000:]}"
            )
        time.sleep(0.1)
    raise TimeoutError(
        f"no {text!r} in {path.name} after {timeout} s:\n{path.read_text(errors='replace')[-3000:]}"
    )


@contextmanager
def celery_worker_and_beat(
    tmp: Path, extra_env: dict[str, str] | None = None
) -> Iterator[dict[str, Path]]:
    """Run worker and beat until the block ends; yield their log files."""
    env = {**worker_env(tmp), **(extra_env or {})}
    celery = [sys.executable, "-m", "celery", "-A", "smo"]
    subprocess.run(
        [*celery, "purge", "-f"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=60
    )
    logs = {"worker": tmp / "worker.log", "beat": tmp / "beat.log"}
    commands = {
        "worker": [
            *celery,
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "-n",
            "e2e@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        "beat": [*celery, "beat", "--loglevel=INFO", "-s", str(tmp / "beat-schedule")],
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            with logs[name].open("wb") as out:
                processes[name] = subprocess.Popen(
                    command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
                )
        _wait_for(logs["worker"], " ready.", processes["worker"], timeout=60)
        _wait_for(logs["beat"], "is starting", processes["beat"], timeout=60)
        yield logs
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
