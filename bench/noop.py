"""The bare-Celery baseline: a task that does nothing but say it ran.

Sent with the same options as publish_delivery (acks_late, reject_on_worker_lost)
to the same broker and workers. Each run appends one fixed-size record to a file
opened for appending, a single write() far cheaper than the task's own overhead,
so the harness can count completions exactly.
"""

from __future__ import annotations

import os

from celery import shared_task

RECORD = b"."


@shared_task(name="bench.noop", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def noop(path: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, RECORD)
    finally:
        os.close(fd)


def done(path: str) -> int:
    """How many no-op tasks have run."""
    try:
        return os.path.getsize(path) // len(RECORD)
    except OSError:
        return 0
