"""The embedded broker never shows a worker a half-written message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection

from smo import broker


def connection(folder: Path) -> Connection:
    return Connection(
        "filesystem://",
        transport="smo.broker:Transport",
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
        },
    )


def test_a_message_appears_in_the_queue_only_once_it_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_while_writing: list[list[str]] = []
    real_dumps = broker.dumps

    def dumps_and_look(payload: Any) -> str:
        # What a worker polling the folder would find while the body is written.
        seen_while_writing.append([n for n in os.listdir(tmp_path) if n.endswith(".msg")])
        return real_dumps(payload)

    monkeypatch.setattr(broker, "dumps", dumps_and_look)
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("celery")
        queue.put({"task": "scheduler.publish_delivery", "id": 7})
        assert seen_while_writing == [[]]
        assert queue.get(timeout=1).payload == {"task": "scheduler.publish_delivery", "id": 7}
        queue.close()
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".part")]


def test_the_app_uses_the_atomic_transport_for_the_embedded_default(tmp_path: Path) -> None:
    """Checked in a fresh process: the test settings use the in-memory broker."""
    code = (
        "import django; django.setup()\n"
        "from smo.celery import app\n"
        "with app.connection_for_write() as conn: print(type(conn.transport).__module__)"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"},
        "DJANGO_SETTINGS_MODULE": "smo.settings",
        "DEBUG": "true",
        "SMO_ENV_FILE": "/nonexistent/.env",
        "SMO_BROKER_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.stdout.strip() == "smo.broker", result.stderr
