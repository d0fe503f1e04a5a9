"""What the benchmark ran on: cores, memory, load, and the versions that matter."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("Django", "celery", "kombu", "redis", "psycopg", "requests", "tweepy", "facebook-sdk")


def describe(root: Path) -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "ram_gib": round(_mem_total_kib() / 1024 / 1024, 1),
        "cpu": _cpu_model(),
        "load_average_at_start": list(os.getloadavg()),
        "python": platform.python_version(),
        "os": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "redis_server": _first_line(["redis-server", "--version"]),
        "packages": {name: _version(name) for name in PACKAGES},
        "git_commit": _first_line(["git", "-C", str(root), "rev-parse", "--short", "HEAD"]),
    }


def _mem_total_kib() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _first_line(command: list[str]) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603 - fixed commands
            command, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else None
