"""The system under test, as processes: Redis (the bench's own), Celery workers and beat.

Each part of the benchmark starts its own stack in a folder of its own, so a
part that fails leaves nothing running behind for the next. Processes are
started in sessions of their own, and stopped by their ids: a node's whole
process group (the worker and its pool) on SIGKILL, as a lost machine would be.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
CELERY = [sys.executable, "-m", "celery", "-A", "smo"]
READY_TIMEOUT = 90.0


@dataclass
class Node:
    """One Celery worker: the main process and its prefork pool."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def pool(self) -> list[int]:
        """The pool processes' ids (the children of the main process)."""
        pid = self.process.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]


@dataclass
class Stack:
    folder: Path
    env: dict[str, str]
    concurrency: int = 4
    nodes: dict[str, Node] = field(default_factory=dict)
    beat: subprocess.Popen[bytes] | None = None
    redis_server: subprocess.Popen[bytes] | None = None
    restarts: int = 0  # processes that died on their own and were started again

    # --- Redis (only where the broker is ours: the postgres backend) ---

    @property
    def redis_port(self) -> int | None:
        url = self.env.get("CELERY_BROKER_URL", "")
        return int(url.rsplit(":", 1)[1].split("/")[0]) if url.startswith("redis://") else None

    def start_redis(self) -> None:
        port = self.redis_port
        if port is None:
            return
        command = [
            "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
        ]
        log = (self.folder / "redis.log").open("ab")
        self.redis_server = subprocess.Popen(  # noqa: S603 - a fixed command
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        client = redis.Redis(port=port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {port} did not start; see {log.name}")

    def stop_redis(self) -> None:
        if self.redis_server is not None and self.redis_server.poll() is None:
            self.redis_server.terminate()  # no persistence: everything in it is gone
            self.redis_server.wait(timeout=10)
        self.redis_server = None

    def restart_redis(self, down_seconds: float = 1.0) -> None:
        self.stop_redis()
        time.sleep(down_seconds)
        self.start_redis()

    # --- Celery ---

    def start_worker(self, name: str) -> Node:
        log = self.folder / f"worker-{name}.log"
        command = [
            *CELERY,
            "worker",
            "--loglevel=INFO",
            f"--concurrency={self.concurrency}",
            f"--hostname={name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--include=bench.noop",
        ]
        offset = _size(log)
        node = Node(name, self._spawn(command, log), log)
        self.nodes[name] = node
        _wait_for(log, offset, " ready.", node.process)
        note(f"worker {name} ready")
        return node

    def start_beat(self) -> None:
        log = self.folder / "beat.log"
        command = [*CELERY, "beat", "--loglevel=INFO", "-s", str(self.folder / "beat-schedule")]
        offset = _size(log)
        self.beat = self._spawn(command, log)
        _wait_for(log, offset, "is starting", self.beat)
        note("beat started")

    def kill_node(self, name: str) -> None:
        """SIGKILL a worker and its pool at once, as when its machine is lost."""
        node = self.nodes.pop(name)
        _kill_group(node.process)

    def kill_pool_process(self, name: str) -> bool:
        """SIGKILL one busy-or-idle pool process of a worker; its parent starts another."""
        pool = self.nodes[name].pool()
        if not pool:
            return False
        try:
            os.kill(pool[0], signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def revive(self) -> None:
        """Start again whatever died on its own, as a supervisor would."""
        for name, node in list(self.nodes.items()):
            if node.process.poll() is not None:
                self.restarts += 1
                self.start_worker(name)
        if self.beat is not None and self.beat.poll() is not None:
            self.restarts += 1
            self.start_beat()

    def expired_ticks(self) -> dict[str, int]:
        """Beat's messages that waited so long behind others that they expired unrun."""
        counts = {"dispatch_due": 0, "reconcile_stuck": 0}
        for log in self.folder.glob("worker-*.log"):
            for line in log.read_text(errors="replace").splitlines():
                for task in counts:
                    if f"Discarding revoked task: scheduler.{task}[" in line:
                        counts[task] += 1
        return counts

    def stop(self) -> None:
        note("stopping the stack")
        processes = [node.process for node in self.nodes.values()]
        if self.beat is not None:
            processes.append(self.beat)
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _kill_group(process)
        self.nodes.clear()
        self.beat = None
        self.stop_redis()
        note("stack stopped")

    def _spawn(self, command: list[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(  # noqa: S603 - our own fixed commands
                command,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def __enter__(self) -> Stack:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.start_redis()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def note(message: str) -> None:
    """A time-stamped line in the part's log, to see where a part spends its time."""
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=15)


def _size(log: Path) -> int:
    return log.stat().st_size if log.exists() else 0


def _wait_for(log: Path, start: int, text: str, process: subprocess.Popen[bytes]) -> None:
    """Wait for `text` in what the process wrote to `log` after offset `start`."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        with log.open("rb") as file:
            file.seek(start)
            if text.encode() in file.read():
                return
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: exited with {process.returncode} before {text!r}")
        time.sleep(0.1)
    raise TimeoutError(f"{log.name}: no {text!r} after {READY_TIMEOUT:g} s")
