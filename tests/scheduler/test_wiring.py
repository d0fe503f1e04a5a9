"""Settings, checks, tasks and the set-up command fit together as DESIGN.md says."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from scheduler import checks, tasks
from scheduler.models import Membership, User
from smo.celery import app

ROOT = Path(__file__).resolve().parents[2]


def test_beat_dispatches_every_second_and_reconciles_often() -> None:
    schedule = app.conf.beat_schedule
    assert schedule["dispatch-due"]["task"] == "scheduler.dispatch_due"
    assert schedule["dispatch-due"]["schedule"] == 1.0
    assert schedule["reconcile-stuck"]["task"] == "scheduler.reconcile_stuck"


def test_publish_is_acknowledged_late_and_rejected_when_its_worker_dies() -> None:
    assert tasks.publish_delivery.name == "scheduler.publish_delivery"
    assert tasks.publish_delivery.acks_late is True
    assert tasks.publish_delivery.reject_on_worker_lost is True
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_the_timeout_ladder_check_passes_with_the_defaults() -> None:
    assert checks.check_timeout_ladder(None) == []


def test_the_timeout_ladder_check_catches_a_stuck_timeout_shorter_than_the_task(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_STUCK_AFTER = timedelta(seconds=60)
    [error] = checks.check_timeout_ladder(None)
    assert error.id == "smo.E003"
    assert error.msg == "task time limit (150 s) must be less than SMO_STUCK_AFTER_SECONDS (60 s)."


def test_the_time_zone_check(settings) -> None:  # type: ignore[no-untyped-def]
    assert checks.check_time_zone(None) == []
    settings.TIME_ZONE = "Europe/Stockholm"
    assert [e.id for e in checks.check_time_zone(None)] == ["smo.E001"]


def settings_in_subprocess(**env: str) -> subprocess.CompletedProcess[str]:
    """Load settings in a fresh process with no secrets and no .env file."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "SMO_ENCRYPTION_KEYS", "DEBUG"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "smo.settings",
            "SMO_ENV_FILE": "/nonexistent/.env",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_secrets() -> None:
    result = settings_in_subprocess()
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is required when DEBUG is off." in result.stderr
    with_key = settings_in_subprocess(SECRET_KEY="k")
    assert (
        "ImproperlyConfigured: SMO_ENCRYPTION_KEYS is required when DEBUG is off."
        in with_key.stderr
    )


def test_booleans_are_parsed_strictly() -> None:
    result = settings_in_subprocess(DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


@pytest.mark.django_db
def test_setup_creates_the_admin_and_demo_once_and_keeps_the_password(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SMO_ADMIN_PASSWORD", "first-password-123")
    call_command("smo_setup")
    assert "Log in as: admin / first-password-123" in capsys.readouterr().out
    monkeypatch.setenv("SMO_ADMIN_PASSWORD", "second-password-456")
    call_command("smo_setup")
    second_run = capsys.readouterr().out
    assert "second-password-456" not in second_run
    admin = User.objects.get(username="admin")
    assert admin.check_password("first-password-123")
    membership = Membership.objects.get(user=admin)
    assert (membership.role, membership.workspace.name) == ("owner", "Demo workspace")
    assert [(a.network, a.name) for a in membership.workspace.accounts.all()] == [
        ("sandbox", "Sandbox")
    ]


def test_envfile_writes_secrets_once(tmp_path: Path) -> None:
    from smo import envfile

    target = tmp_path / ".env"
    envfile.main(str(target))
    first = target.read_text()
    assert "SECRET_KEY=" in first and "SMO_ENCRYPTION_KEYS=" in first
    envfile.main(str(target))
    assert target.read_text() == first
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_envfile_fills_in_empty_secrets_of_a_copied_example_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    from smo import envfile

    target = tmp_path / ".env"
    target.write_text(
        "# copied\nSECRET_KEY=\nSMO_ENCRYPTION_KEYS=\n#DEBUG=false\nSMO_PUBLIC_URL=https://smo.example\n"
    )
    envfile.main(str(target))
    lines = target.read_text().splitlines()
    assert lines[0] == "# copied"
    assert lines[1].startswith("SECRET_KEY=") and len(lines[1]) > 40
    assert (
        lines[2].startswith("SMO_ENCRYPTION_KEYS=")
        and len(lines[2]) == len("SMO_ENCRYPTION_KEYS=") + 44
    )
    assert lines[3:] == ["#DEBUG=false", "SMO_PUBLIC_URL=https://smo.example"]


def test_envfile_never_replaces_a_key_already_set(tmp_path: Path) -> None:
    from smo import envfile

    target = tmp_path / ".env"
    target.write_text("SMO_ENCRYPTION_KEYS=keep-me\n")
    envfile.main(str(target))
    text = target.read_text()
    assert "SMO_ENCRYPTION_KEYS=keep-me\n" in text
    assert text.count("SMO_ENCRYPTION_KEYS=") == 1
    assert "SECRET_KEY=" in text


@pytest.mark.django_db
def test_setup_says_which_networks_are_not_configured_and_what_they_need(capsys, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_NETWORKS = {
        **settings.SMO_NETWORKS,
        "x": {**settings.SMO_NETWORKS["x"], "client_id": "id", "client_secret": "secret"},
        "facebook": {**settings.SMO_NETWORKS["facebook"], "app_id": "", "app_secret": ""},
        "instagram": {**settings.SMO_NETWORKS["instagram"], "app_id": "", "app_secret": ""},
    }
    call_command("smo_setup")
    out = capsys.readouterr().out
    assert "X: ready to connect on the Accounts page" in out
    assert "Facebook: not configured (set FACEBOOK_APP_ID, FACEBOOK_APP_SECRET; see README)" in out
    assert "Instagram: not configured (set FACEBOOK_APP_ID, FACEBOOK_APP_SECRET; see README)" in out


def test_the_reconcile_period_comes_from_the_environment() -> None:
    script = (
        "from smo.celery import app; entry = app.conf.beat_schedule['reconcile-stuck'];"
        "print(entry['schedule'], entry['options']['expires'])"
    )
    clean = {k: v for k, v in os.environ.items() if k != "SMO_RECONCILE_SECONDS"}
    periods = []
    for extra in ({}, {"SMO_RECONCILE_SECONDS": "5"}):
        result = subprocess.run(
            [sys.executable, "-c", script],
            env={**clean, "DJANGO_SETTINGS_MODULE": "smo.settings", "DEBUG": "true", **extra},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        periods.append(result.stdout.split())
    assert periods == [["15.0", "30.0"], ["5.0", "10.0"]]
