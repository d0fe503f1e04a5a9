"""`manage.py check --deploy` is clean with production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        SMO_ENV_FILE=os.devnull,  # a developer's .env must not leak in
        DEBUG="false",
        SECRET_KEY="x" * 25 + "production-test-secret-key-0123456789",
        SMO_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SMO_PUBLIC_URL="https://smo.example",
        ALLOWED_HOSTS="smo.example",
        SESSION_COOKIE_SECURE="",
    )
    env.update(extra)
    return env


def check_deploy(**extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (1 silenced)."
    assert result.stderr == ""


def test_check_deploy_still_catches_an_http_public_url() -> None:
    # Proof the test above runs the real checks: over http the cookies are not secure.
    result = check_deploy(SMO_PUBLIC_URL="http://smo.example")
    assert result.returncode == 1
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no SSL redirect
