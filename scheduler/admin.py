from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy

from scheduler import apikeys
from scheduler.models import (
    ApiKey,
    Campaign,
    Delivery,
    DeliveryAttempt,
    MediaAsset,
    Membership,
    Post,
    QueueSlot,
    User,
    Workspace,
)


@admin.register(User)
class SMOUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("SMO", {"fields": ("timezone",)}))  # type: ignore[misc]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "created_at"]
    inlines = [MembershipInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "starts_on", "ends_on"]
    list_filter = ["workspace"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    # State changes only through the engine; the admin shows, never edits them.
    readonly_fields = [
        "account",
        "state",
        "scheduled_at",
        "attempts",
        "external_url",
        "published_at",
        "last_error",
    ]
    fields = readonly_fields
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "workspace", "author", "scheduled_at", "short_text"]
    list_filter = ["workspace"]
    inlines = [DeliveryInline]

    @admin.display(description="text")
    def short_text(self, post: Post) -> str:
        return post.text[:60]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = [
        "number",
        "worker",
        "started_at",
        "finished_at",
        "outcome",
        "error_class",
        "network_code",
        "detail",
    ]
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "post", "account", "state", "scheduled_at", "attempts", "published_at"]
    list_filter = ["state", "account__network"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request: object) -> bool:
        return False


admin.site.register(MediaAsset)
admin.site.register(QueueSlot)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """See and revoke keys; they are made on the profile page, where the secret is shown."""

    list_display = ["name", "prefix", "membership", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["membership__workspace"]
    search_fields = ["name", "lookup", "membership__user__username"]
    list_select_related = ["membership__user", "membership__workspace"]
    fields = [
        "name",
        "membership",
        "lookup",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        for key in queryset:
            apikeys.revoke(key)
