"""Feeds over the API: list, read, follow, change, delete, and `check/` now.

The same rules as the Feeds pages: everyone in the workspace reads; those who
schedule write. The address is read once on create and on change, and a
non-feed answers 400 naming `url`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import SocialAccount
from channels.words import say
from scheduler import feed_setup, feeds
from scheduler.api.views import WorkspaceViewSet
from scheduler.models import Campaign, Feed, FeedItem
from scheduler.models.feeds import DEFAULT_TEMPLATE, validate_template

RECENT = 20


class FeedItemSerializer(serializers.ModelSerializer):
    note = serializers.SerializerMethodField()

    class Meta:
        model = FeedItem
        fields = ["id", "guid", "link", "title", "published_at", "post", "skipped", "note"]
        read_only_fields = fields

    def get_note(self, item: FeedItem) -> str:
        return say(item.note_words) if item.note_words else ""


class FeedSerializer(serializers.ModelSerializer):
    accounts = serializers.PrimaryKeyRelatedField(
        many=True, queryset=SocialAccount.objects.none(), allow_empty=False
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.none(), allow_null=True, required=False
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    template = serializers.CharField(
        required=False, default=DEFAULT_TEMPLATE, validators=[validate_template]
    )
    broken = serializers.BooleanField(source="is_broken", read_only=True)
    error = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Feed
        fields = [
            "id",
            "url",
            "name",
            "accounts",
            "mode",
            "template",
            "campaign",
            "active",
            "broken",
            "error",
            "failures",
            "checked_at",
            "next_check_at",
            "last_ok_at",
            "item_count",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "failures",
            "checked_at",
            "next_check_at",
            "last_ok_at",
            "created_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership = self.context.get("membership")
        if membership is not None:
            workspace = membership.workspace
            self.fields["accounts"].child_relation.queryset = SocialAccount.objects.filter(
                workspace=workspace
            )
            self.fields["campaign"].queryset = Campaign.objects.filter(workspace=workspace)

    def get_error(self, feed: Feed) -> str:
        return say(feed.error_words) if feed.error_words else feed.error


class FeedDetailSerializer(FeedSerializer):
    items = serializers.SerializerMethodField()

    class Meta(FeedSerializer.Meta):
        fields = [*FeedSerializer.Meta.fields, "items"]

    def get_items(self, feed: Feed) -> list[dict[str, Any]]:
        items = FeedItem.objects.filter(feed=feed)[:RECENT]
        return FeedItemSerializer(items, many=True).data  # type: ignore[return-value]


class FeedViewSet(
    WorkspaceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """RSS and Atom feeds whose new items become drafts or queued posts.
    Retrieving one lists its recent items; POST .../check/ reads it now."""

    queryset = Feed.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_schedule"

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return FeedDetailSerializer if self.action == "retrieve" else FeedSerializer

    def get_queryset(self) -> QuerySet[Feed]:
        return (
            Feed.objects.filter(workspace=self.membership.workspace)
            .prefetch_related(Prefetch("accounts", queryset=SocialAccount.objects.only("pk")))
            .annotate(item_count=Count("items", distinct=True))
        )

    def _save(self, serializer: serializers.BaseSerializer, feed: Feed | None) -> Feed:
        try:
            saved, _read = feed_setup.save(
                self.membership,
                dict(serializer.validated_data),  # type: ignore[arg-type]
                feed,
            )
        except feed_setup.FeedErrors as exc:
            raise ValidationError(exc.errors) from exc
        return saved

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feed = self._save(serializer, None)
        return Response(self._read(feed.pk), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        feed = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = self.get_serializer(feed, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self._save(serializer, feed)
        return Response(self._read(feed.pk))

    def _read(self, pk: int) -> dict[str, Any]:
        return FeedSerializer(
            self.get_queryset().get(pk=pk), context=self.get_serializer_context()
        ).data  # type: ignore[return-value]

    @extend_schema(request=None, responses=FeedSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str | None = None) -> Response:
        feed = self.get_object()
        feeds.check_now(feed)
        return Response(self._read(feed.pk), status=status.HTTP_202_ACCEPTED)
