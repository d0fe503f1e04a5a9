"""API representations. Writes go through scheduler.posts, never straight to models."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dateutil.parser import isoparse
from django.utils.translation import gettext as _
from rest_framework import serializers

from channels.adapters.registry import networks
from channels.adapters.sandbox import FAILURE_KINDS
from channels.models import SocialAccount
from scheduler import localtime, posts
from scheduler.models import Campaign, Delivery, MediaAsset, Post


class AccountSerializer(serializers.ModelSerializer):
    network = serializers.ChoiceField(choices=networks())

    class Meta:
        model = SocialAccount
        fields = [
            "id",
            "network",
            "name",
            "handle",
            "external_id",
            "status",
            "publishing",
            "options",
            "created_at",
        ]
        read_only_fields = ["id", "handle", "external_id", "status", "publishing", "created_at"]

    def validate_network(self, value: str) -> str:
        if value != "sandbox":
            raise serializers.ValidationError(
                _("%(network)s accounts connect through their sign-in page in the web app.")
                % {"network": value}
            )
        return value

    def validate_options(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Must be an object."))
        allowed = {"latency_ms", "failure_rate", "failure_kind", "retry_after_seconds"}
        unknown = set(value) - allowed
        if unknown:
            raise serializers.ValidationError(
                _("Unknown options: %s.") % ", ".join(sorted(unknown))
            )
        rate = value.get("failure_rate", 0)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise serializers.ValidationError(_("failure_rate must be a number from 0 to 1."))
        latency = value.get("latency_ms", 0)
        if not isinstance(latency, (int, float)) or not 0 <= latency <= 60000:
            raise serializers.ValidationError(_("latency_ms must be from 0 to 60000."))
        if value.get("failure_kind", "transient") not in FAILURE_KINDS:
            raise serializers.ValidationError(
                _("failure_kind must be one of: %s.") % ", ".join(FAILURE_KINDS)
            )
        return value


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "color", "description", "starts_on", "ends_on", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_color(self, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise serializers.ValidationError(_("Give a colour as #rrggbb."))
        return value.lower()

    def validate_name(self, value: str) -> str:
        workspace = self.context["membership"].workspace
        taken = Campaign.objects.filter(workspace=workspace, name=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(_("A campaign with this name exists."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts_on"), attrs.get("ends_on")
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": [_("The end is before the start.")]})
        return attrs


class DeliverySerializer(serializers.ModelSerializer):
    account_id = serializers.IntegerField(read_only=True)
    network = serializers.CharField(source="account.network", read_only=True)
    # Posted by a person after a reminder, rather than by SMO (scheduler/reminders.py).
    by_reminder = serializers.BooleanField(read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "account_id",
            "network",
            "state",
            "scheduled_at",
            "attempts",
            "external_id",
            "external_url",
            "published_at",
            "last_error",
            "by_reminder",
            "reminded_at",
        ]
        read_only_fields = fields


class MarkPostedSerializer(serializers.Serializer):
    url = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class MediaSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = MediaAsset
        fields = [
            "id",
            "file",
            "url",
            "original_name",
            "kind",
            "mime_type",
            "size",
            "width",
            "height",
            "duration",
            "container",
            "alt_text",
            "created_at",
        ]
        # Everything but the upload and its description is read from the file.
        read_only_fields = [f for f in fields if f not in {"file", "alt_text"}]

    def get_url(self, asset: MediaAsset) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(asset.file.url) if request else asset.file.url


class PostReadSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    campaign_id = serializers.IntegerField(read_only=True, allow_null=True)
    author = serializers.CharField(source="author.username", read_only=True, default=None)
    media_ids = serializers.SerializerMethodField()
    deliveries = DeliverySerializer(many=True, read_only=True)
    evergreen_of_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "text",
            "link",
            "first_comment",
            "thread",
            "track_links",
            "overrides",
            "evergreen",
            "evergreen_of_id",
            "status",
            "scheduled_at",
            "campaign_id",
            "media_ids",
            "author",
            "created_at",
            "updated_at",
            "deliveries",
            "add_signatures",
            "signatures",
        ]
        read_only_fields = fields

    def get_media_ids(self, post: Post) -> list[int]:
        return [a.asset_id for a in post.attachments.all()]


class PostWriteSerializer(serializers.Serializer):
    """Input of POST and PATCH /posts/. Times: ISO 8601 with an offset, or a local
    time read in `timezone` (default: the person's own)."""

    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    link = serializers.URLField(allow_blank=True, required=False, max_length=2000)
    first_comment = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    track_links = serializers.BooleanField(
        required=False,
        help_text="Send links as SMO's short links (/l/<code>) and count their clicks.",
    )
    thread = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        max_length=25,
        help_text="The posts after the first one in a thread (X), each replying to the last.",
    )
    overrides = serializers.JSONField(
        required=False,
        help_text=(
            'Per-network text and settings, e.g. {"x": {"text": "Shorter for X"}, '
            '"youtube": {"options": {"title": "Spring menu", "privacy": "public"}}}; '
            "networks without text get `text`. A setting chosen per account (a "
            'Pinterest board) maps account ids to values: {"board": {"12": "998"}}. '
            "Errors name the dotted field, e.g. overrides.youtube.options.title."
        ),
    )
    scheduled_at = serializers.CharField(allow_null=True, required=False)
    timezone = serializers.CharField(required=False)
    publish_now = serializers.BooleanField(required=False, default=False)
    account_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    campaign_id = serializers.IntegerField(required=False, allow_null=True)
    media_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    add_signatures = serializers.BooleanField(
        required=False,
        help_text="Add each account's signature under the text (default true); frozen at save.",
    )
    evergreen = serializers.BooleanField(
        required=False,
        help_text="PATCH only: recycle this published post into evergreen queues (true) or stop.",
    )

    def validate_overrides(self, value: object) -> dict[str, dict[str, Any]]:
        try:
            return posts.clean_overrides(value)
        except posts.PostErrors as exc:
            if "overrides" in exc.errors:
                raise serializers.ValidationError(exc.errors["overrides"]) from exc
            # Nested, so the error handler names "overrides.youtube.options.title".
            raise serializers.ValidationError(
                {name.removeprefix("overrides."): found for name, found in exc.errors.items()}
            ) from exc

    def validate_timezone(self, value: str) -> str:
        try:
            localtime.zone(value)
        except localtime.LocalTimeError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        membership = self.context["membership"]
        workspace = membership.workspace
        errors: dict[str, list[str]] = {}
        if attrs.get("publish_now") and attrs.get("scheduled_at"):
            errors["publish_now"] = [_("Give either publish_now or scheduled_at, not both.")]
        if "scheduled_at" in attrs:
            try:
                attrs["scheduled_at"] = self._parse_time(
                    attrs["scheduled_at"], attrs.get("timezone")
                )
            except ValueError as exc:
                errors["scheduled_at"] = [str(exc)]
        if "account_ids" in attrs:
            found = {
                a.pk: a
                for a in SocialAccount.objects.filter(
                    workspace=workspace, pk__in=attrs["account_ids"]
                )
            }
            missing = [i for i in attrs["account_ids"] if i not in found]
            if missing:
                errors["account_ids"] = [
                    _("No such account in this workspace: %s.") % ", ".join(map(str, missing))
                ]
            inactive = [a.name for a in found.values() if not a.is_active]
            if inactive:
                errors.setdefault("account_ids", []).append(
                    _("Reconnect these accounts first: %s.") % ", ".join(inactive)
                )
            attrs["accounts"] = [
                found[i] for i in dict.fromkeys(attrs.pop("account_ids")) if i in found
            ]
        if attrs.get("campaign_id") is not None:
            attrs["campaign"] = Campaign.objects.filter(
                workspace=workspace, pk=attrs["campaign_id"]
            ).first()
            if attrs["campaign"] is None:
                errors["campaign_id"] = [_("No such campaign in this workspace.")]
        elif "campaign_id" in attrs:
            attrs["campaign"] = None
        attrs.pop("campaign_id", None)
        if "media_ids" in attrs:
            found_media = {
                m.pk: m
                for m in MediaAsset.objects.filter(workspace=workspace, pk__in=attrs["media_ids"])
            }
            missing = [i for i in attrs["media_ids"] if i not in found_media]
            if missing:
                errors["media_ids"] = [
                    _("No such media in this workspace: %s.") % ", ".join(map(str, missing))
                ]
            attrs["media"] = [
                found_media[i] for i in dict.fromkeys(attrs.pop("media_ids")) if i in found_media
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _parse_time(self, raw: str | None, zone_name: str | None) -> datetime | None:
        if raw is None or raw == "":
            return None
        try:
            parsed = isoparse(raw)
        except (ValueError, OverflowError):
            raise ValueError(
                _("Not a date and time: give ISO 8601, like 2026-05-01T09:30:00+02:00.")
            ) from None
        if parsed.tzinfo is not None:
            return localtime.to_utc(parsed, localtime.zone("UTC"))
        name = zone_name or self.context["membership"].user.timezone
        try:
            return localtime.to_utc(parsed, localtime.zone(name))
        except localtime.LocalTimeError as exc:
            raise ValueError(str(exc)) from None
