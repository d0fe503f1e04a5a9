"""The two setups the benchmark runs on, made ready once per run.

embedded: SQLite and kombu's file-system broker, the default of `make run`. Each
part gets its own copy of a migrated database file, so parts can run side by
side (the test suite's smoke run does).

postgres: PostgreSQL (the database named smo_bench, dropped and made again each
run) and the bench's own redis-server on port 6390, never the shared 6379: the
chaos part restarts it. Parts run one after another on it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "smo_bench"
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6390"))
# A fixed, bench-only key: the database is made and dropped by the run.
BENCH_FERNET_KEY = "GK4b1abWZxT5RYVOjvT5mSMFZ65ddWdfKCJ2UtteZe4="
# Set by the harness per backend or per part; a value from the caller's shell
# (say, a developer's DATABASE_URL) must not leak into the run.
OWN = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "SMO_BROKER_DIR",
    "MEDIA_ROOT",
    "SMO_ENV_FILE",
)


@dataclass
class Backend:
    name: str
    label: str
    env: dict[str, str] = field(default_factory=dict)
    skipped: str = ""  # why, when it cannot run here
    template: Path | None = None  # the migrated SQLite file parts copy

    def part_env(self, folder: Path) -> dict[str, str]:
        """The environment of one part that runs in `folder`."""
        env = dict(self.env)
        if self.template is not None:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.template, folder / "db.sqlite3")
            env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
        return env


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OWN}
    env.update(
        DJANGO_SETTINGS_MODULE="smo.settings",
        SECRET_KEY="bench-only-secret-key",  # noqa: S106 - a throwaway database
        SMO_ENCRYPTION_KEYS=BENCH_FERNET_KEY,
        DEBUG="false",
        SMO_ENV_FILE=os.devnull,  # the developer's .env is not the bench's
        PYTHONUNBUFFERED="1",
    )
    return env


def embedded(work: Path) -> Backend:
    folder = work / "embedded"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.sqlite3"
    env = {**base_env(), "CELERY_BROKER_URL": "filesystem://"}
    backend = Backend("embedded", "SQLite + file broker", env, template=template)
    _migrate({**env, "DATABASE_URL": f"sqlite:///{template}"})
    return backend


def postgres(work: Path) -> Backend:
    label = "PostgreSQL + Redis"
    missing = _postgres_missing()
    if missing:
        return Backend("postgres", label, skipped=missing)
    url = f"{PG_SERVER}/{PG_DATABASE}"
    env = {
        **base_env(),
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
    }
    _recreate_database()
    _migrate(env)
    return Backend("postgres", label, env)


def server_version() -> str | None:
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return None
    return str(row[0]) if row else None


def _postgres_missing() -> str:
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if server_version() is None:
        return f"no PostgreSQL answers at {PG_SERVER}"
    return ""


def _recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
