"""/metrics adds up what other processes recorded (prometheus-client multiprocess mode).

Real processes record here, because prometheus-client picks its storage when it
is imported: this test process keeps its default registry throughout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

# One successful publish call and one Transient error, as a worker would record.
RECORD = """
from channels.adapters.base import Transient
from scheduler import metrics

with metrics.publish_call("sandbox"):
    pass
try:
    with metrics.publish_call("sandbox"):
        raise Transient("simulated")
except Transient:
    pass
"""


def run(command: list[str], **env: str) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in {"PROMETHEUS_MULTIPROC_DIR"}}
    subprocess.run(command, cwd=ROOT, env={**clean, **env}, check=True, timeout=60)


def record_in(folder: Path) -> None:
    """Record RECORD in a new process that writes its files into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-c", RECORD], PROMETHEUS_MULTIPROC_DIR=str(folder))


def lines(client: Client) -> list[str]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.content.decode().splitlines()


PUBLISHED = 'smo_publish_duration_seconds_count{network="sandbox",outcome="published"}'
TRANSIENT = 'smo_adapter_errors_total{error_class="Transient",network="sandbox"}'


@pytest.mark.django_db
def test_the_files_of_every_container_folder_are_added_up(
    client: Client, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Two containers, two worker processes in the second.
    record_in(tmp_path / "web-host")
    record_in(tmp_path / "worker-host")
    record_in(tmp_path / "worker-host")
    settings.SMO_METRICS_DIR = str(tmp_path)

    scraped = lines(client)

    assert f"{PUBLISHED} 3.0" in scraped
    assert f"{TRANSIENT} 3.0" in scraped
    # Only the files: this process's own registry (its process_* metrics) is left out.
    assert not [line for line in scraped if line.startswith("process_")]
    assert "# TYPE smo_deliveries gauge" in scraped


@pytest.mark.django_db
def test_bin_metrics_dir_gives_the_machine_a_fresh_folder_of_its_own(
    client: Client, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    hostname = os.uname().nodename
    stale = tmp_path / hostname / "counter_1.db"
    stale.parent.mkdir()
    stale.write_bytes(b"left by the container's previous run")
    other = tmp_path / "another-container" / "counter_1.db"
    other.parent.mkdir()
    other.write_bytes(b"")

    wrapped = [str(ROOT / "bin" / "metrics-dir"), sys.executable, "-c", RECORD]
    run(wrapped, SMO_METRICS_DIR=str(tmp_path))

    assert not stale.exists()
    assert {p.name.split("_")[0] for p in (tmp_path / hostname).iterdir()} == {
        "counter",
        "histogram",
    }
    assert other.exists()  # another container's folder is not this one's to clear
    other.unlink()
    settings.SMO_METRICS_DIR = str(tmp_path)
    assert f"{PUBLISHED} 1.0" in lines(client)

    # Started again (a restarted container): the counts start again too.
    run(wrapped, SMO_METRICS_DIR=str(tmp_path))
    assert f"{PUBLISHED} 1.0" in lines(client)


def test_bin_metrics_dir_without_smo_metrics_dir_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "env.txt"
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PROMETHEUS_MULTIPROC_DIR", "SMO_METRICS_DIR"}
    }
    subprocess.run(
        [str(ROOT / "bin" / "metrics-dir"), "sh", "-c", f'env > "{out}"'],
        env=clean,
        check=True,
        timeout=30,
    )
    assert "PROMETHEUS_MULTIPROC_DIR" not in out.read_text()
