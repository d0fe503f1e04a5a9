"""Our `channels` app must never be shadowed by Django Channels (STYLE.md §2)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

import channels
from channels.checks import check_channels_package

ROOT = Path(__file__).resolve().parents[2]


def test_channels_is_this_projects_package() -> None:
    assert Path(channels.__file__).resolve() == ROOT / "channels" / "__init__.py"


def test_no_installed_distribution_is_called_channels() -> None:
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("channels")


def test_the_system_check_reports_a_foreign_channels_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert check_channels_package(None) == []
    monkeypatch.setattr(channels, "__file__", "/usr/lib/python3/site-packages/channels/__init__.py")
    [error] = check_channels_package(None)
    assert error.id == "smo.E004"
