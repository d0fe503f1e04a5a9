"""Create the demo workspace, its sandbox account and the first admin, once."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from channels.adapters import registry
from channels.models import SocialAccount
from scheduler.models import Membership, Role, User, Workspace

DEMO_WORKSPACE = "Demo workspace"


class Command(BaseCommand):
    help = "Create the admin user, a demo workspace and a sandbox account if missing."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            admin, password = self._admin()
            workspace, _ = Workspace.objects.get_or_create(name=DEMO_WORKSPACE)
            Membership.objects.get_or_create(
                user=admin, workspace=workspace, defaults={"role": Role.OWNER}
            )
            SocialAccount.objects.get_or_create(
                workspace=workspace,
                network="sandbox",
                external_id="sandbox-demo",
                defaults={
                    "name": "Sandbox",
                    "handle": "sandbox_demo",
                    "credentials": {"token": secrets.token_urlsafe(24)},
                    "connected_by": admin,
                },
            )
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"SMO is at http://127.0.0.1:{port}/")
        if password:
            self.stdout.write(self.style.SUCCESS(f"Log in as: admin / {password}"))
        else:
            self.stdout.write(
                "Log in as: admin (password unchanged: the one set on first start, "
                "or reset it with `.venv/bin/python manage.py changepassword admin`)"
            )
        self._networks()

    def _networks(self) -> None:
        """Say which networks can be connected, and what the others still need."""
        for network in registry.networks():
            if network == "sandbox":
                continue  # built in: the demo workspace already has one
            missing = registry.missing_settings(network)
            name = registry.adapter_class(network).display_name
            if missing:
                self.stdout.write(f"{name}: not configured (set {', '.join(missing)}; see README)")
            else:
                self.stdout.write(f"{name}: ready to connect on the Accounts page")

    def _admin(self) -> tuple[User, str | None]:
        existing = User.objects.filter(username="admin").first()
        if existing:
            return existing, None
        password = os.environ.get("SMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        admin = User.objects.create_superuser("admin", "admin@example.com", password)
        return admin, password
