"""The `channels` folder is ours, not Django Channels' (STYLE.md §2)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, register


def foreign_channels_problem() -> str | None:
    """Say what is wrong if `channels` is not this project's package."""
    import channels

    here = Path(channels.__file__).resolve().parent
    if here != Path(settings.BASE_DIR).resolve() / "channels":
        return f"`channels` is imported from {here}, not from this project."
    try:
        metadata.distribution("channels")
    except metadata.PackageNotFoundError:
        return None
    return "The PyPI package `channels` (Django Channels) is installed; it clashes with ours."


@register()
def check_channels_package(app_configs: Any, **kwargs: Any) -> list[Error]:
    problem = foreign_channels_problem()
    if problem:
        return [
            Error(
                problem,
                hint="Uninstall Django Channels (`pip uninstall channels`); see STYLE.md §2.",
                id="smo.E004",
            )
        ]
    return []
