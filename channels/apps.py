from __future__ import annotations

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """Connected accounts and the networks (not Django Channels: STYLE.md §2)."""

    name = "channels"
    label = "channels"
    verbose_name = "Networks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from channels import checks  # noqa: F401 - registers the system checks
