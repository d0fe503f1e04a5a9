from __future__ import annotations

from django.contrib import admin

from channels.models import SandboxPost, SocialAccount


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "workspace", "status", "created_at"]
    list_filter = ["network", "status"]
    # Credentials are never shown, not even to admins.
    exclude = ["credentials"]
    readonly_fields = ["external_id", "credentials_expire_at", "connected_by"]


@admin.register(SandboxPost)
class SandboxPostAdmin(admin.ModelAdmin):
    list_display = ["public_id", "account_ref", "created_at"]
