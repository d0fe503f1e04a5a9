"""REST API under /api/v1/. Every request acts in one workspace (X-Workspace)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import SocialAccount
from scheduler import approvals, evergreen, media, posts, reminders, workspaces
from scheduler.api.serializers import (
    AccountSerializer,
    CampaignSerializer,
    DeliverySerializer,
    MarkPostedSerializer,
    MediaSerializer,
    PostReadSerializer,
    PostWriteSerializer,
)
from scheduler.models import ApiKey, Campaign, Delivery, MediaAsset, Membership, Post

WORKSPACE_HEADER = OpenApiParameter(
    "X-Workspace",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    description="Workspace id; needed when the person belongs to several.",
)


def key_membership(key: ApiKey, wanted: str | None) -> Membership:
    """An API key acts in its own workspace only; naming another is refused."""
    workspace_id = key.membership.workspace_id
    if wanted not in (None, "") and str(wanted).strip() != str(workspace_id):
        raise ValidationError(
            {
                "X-Workspace": [
                    _("This API key works only in workspace %(id)s.") % {"id": workspace_id}
                ]
            }
        )
    return key.membership


class WorkspaceViewSet(viewsets.GenericViewSet):
    """Scopes every query to the request's workspace; other workspaces answer 404.

    Subclasses name `queryset = Model.objects.none()` only so drf-spectacular
    knows the model without a request (else check --deploy warns W001); the
    rows always come from get_queryset.
    """

    # The Membership property a write needs; None lets every role write.
    write_permission: str | None = "can_write"

    @property
    def membership(self) -> Membership:
        if not hasattr(self, "_membership"):
            wanted = self.request.headers.get("X-Workspace")
            if isinstance(self.request.auth, ApiKey):
                self._membership = key_membership(self.request.auth, wanted)
                return self._membership
            try:
                self._membership = workspaces.resolve(self.request.user, wanted)
            except workspaces.WorkspaceChoiceError as exc:
                raise ValidationError({"X-Workspace": [str(exc)]}) from exc
        return self._membership

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if (
            self.write_permission
            and request.method not in permissions.SAFE_METHODS
            and not getattr(self.membership, self.write_permission)
        ):
            raise PermissionDenied(
                _("Your role (%(role)s) cannot do this.")
                % {"role": self.membership.get_role_display()}
            )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.request and self.request.user.is_authenticated:
            context["membership"] = self.membership
        return context


@extend_schema_view(list=extend_schema(parameters=[WORKSPACE_HEADER]))
class AccountViewSet(
    WorkspaceViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Connected accounts. Only sandbox accounts are created here; real networks
    connect through their sign-in page in the web app."""

    serializer_class = AccountSerializer
    queryset = SocialAccount.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_manage_accounts"

    def get_queryset(self) -> QuerySet[SocialAccount]:
        return SocialAccount.objects.filter(workspace=self.membership.workspace)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.save(
            workspace=self.membership.workspace,
            external_id=f"sandbox-{secrets.token_hex(8)}",
            handle=serializer.validated_data["name"].lower().replace(" ", "_")[:200],
            credentials={"token": secrets.token_urlsafe(24)},
            connected_by=self.request.user,
        )


class CampaignViewSet(
    WorkspaceViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    serializer_class = CampaignSerializer
    # As on the web (campaign_edit): campaigns shape what gets scheduled.
    write_permission = "can_schedule"
    queryset = Campaign.objects.none()  # the schema's model; get_queryset scopes

    def get_queryset(self) -> QuerySet[Campaign]:
        return Campaign.objects.filter(workspace=self.membership.workspace)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.save(workspace=self.membership.workspace)


class MediaViewSet(
    WorkspaceViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    serializer_class = MediaSerializer
    queryset = MediaAsset.objects.none()  # the schema's model; get_queryset scopes
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[MediaAsset]:
        return MediaAsset.objects.filter(workspace=self.membership.workspace)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            asset = media.store_upload(
                self.membership,
                serializer.validated_data["file"],
                serializer.validated_data.get("alt_text", ""),
            )
        except media.MediaRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        return Response(self.get_serializer(asset).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=PostWriteSerializer, responses={201: PostReadSerializer}),
    partial_update=extend_schema(request=PostWriteSerializer, responses={200: PostReadSerializer}),
    destroy=extend_schema(responses={200: PostReadSerializer}),
)
class PostViewSet(
    WorkspaceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """Posts and their deliveries. DELETE cancels what has not gone out yet."""

    serializer_class = PostReadSerializer
    queryset = Post.objects.none()  # the schema's model; get_queryset scopes
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Post]:
        queryset = (
            Post.objects.filter(workspace=self.membership.workspace)
            .select_related("author")
            .prefetch_related(
                Prefetch(
                    "deliveries", queryset=Delivery.objects.select_related("account").order_by("id")
                ),
                "attachments",
            )
        )
        campaign_filter = self.request.query_params.get("campaign_id")
        if campaign_filter:
            queryset = queryset.filter(campaign_id=campaign_filter)
        return queryset

    def _read(self, post: Post, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=post.pk)
        return Response(
            PostReadSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._validated(request, partial=False)
        try:
            post = posts.create_post(self.membership, post_input(data))
        except posts.PostErrors as exc:
            raise ValidationError(api_fields(exc.errors)) from exc
        return self._read(post, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        post = self.get_object()
        data = self._validated(request, partial=True)
        changes = {
            k: v
            for k, v in data.items()
            if k
            in {
                "text",
                "link",
                "first_comment",
                "thread",
                "track_links",
                "overrides",
                "scheduled_at",
                "publish_now",
                "accounts",
                "campaign",
                "media",
                "add_signatures",
            }
        }
        if not data.get("publish_now"):
            changes.pop("publish_now", None)
        if "evergreen" in data:
            self._mark_evergreen(post, data["evergreen"])
            if not changes:
                return self._read(post)
        try:
            posts.update_post(self.membership, post, changes)
        except posts.PostErrors as exc:
            raise ValidationError(api_fields(exc.errors)) from exc
        return self._read(post)

    def _mark_evergreen(self, post: Post, on: bool) -> None:
        if not self.membership.can_schedule:
            raise PermissionDenied(
                _("Your role (%(role)s) cannot do this.")
                % {"role": self.membership.get_role_display()}
            )
        try:
            evergreen.mark(self.membership, post, on)
        except evergreen.EvergreenError as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        post = self.get_object()
        if not self.membership.can_cancel(post):
            raise PermissionDenied(
                _("Only the author or someone who schedules can cancel this post.")
            )
        posts.cancel_post(post, self.membership)
        return self._read(post)

    @extend_schema(request=None, responses={200: PostReadSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        post = self.get_object()
        if not self.membership.can_approve:
            raise PermissionDenied(
                _("Your role (%(role)s) cannot approve posts.")
                % {"role": self.membership.get_role_display()}
            )
        publish_now = isinstance(request.data, dict) and request.data.get("publish_now") is True
        try:
            approvals.approve(self.membership, post, publish_now=publish_now)
        except approvals.TimePassed as exc:
            raise ValidationError({"publish_now": [exc.message]}) from exc
        except approvals.ReviewError as exc:
            raise Conflict(exc.message) from exc
        return self._read(post)

    def _validated(self, request: Request, partial: bool) -> dict[str, Any]:
        if not isinstance(request.data, dict):
            raise ValidationError({"body": [_("Send a JSON object.")]})
        serializer = PostWriteSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


STATE_FILTER = OpenApiParameter(
    "state", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=Delivery.State.values
)


@extend_schema_view(list=extend_schema(parameters=[WORKSPACE_HEADER, STATE_FILTER]))
class DeliveryViewSet(WorkspaceViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Deliveries of the workspace's posts; `?state=reminder_sent` lists open reminders."""

    serializer_class = DeliverySerializer
    queryset = Delivery.objects.none()  # the schema's model; get_queryset scopes

    def get_queryset(self) -> QuerySet[Delivery]:
        queryset = Delivery.objects.filter(account__workspace=self.membership.workspace)
        state = self.request.query_params.get("state")
        if state is not None:
            if state not in Delivery.State.values:
                raise ValidationError(
                    {"state": [_("Unknown state; one of: %s.") % ", ".join(Delivery.State.values)]}
                )
            queryset = queryset.filter(state=state)
        return queryset.select_related("account").order_by("id")

    @extend_schema(request=MarkPostedSerializer, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"], url_path="mark-posted")
    def mark_posted(self, request: Request, pk: str | None = None) -> Response:
        """Record a reminder as posted by hand now, optionally with the post's `url`."""
        return self._close(request, lambda d, data: reminders.mark_posted(d, data["url"]))

    @extend_schema(request=None, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def skip(self, request: Request, pk: str | None = None) -> Response:
        """Record that nobody will post a reminder: it is cancelled."""
        return self._close(request, lambda d, data: reminders.skip(d))

    def _close(self, request: Request, act: Callable[[Delivery, dict[str, Any]], None]) -> Response:
        delivery = self.get_object()
        if not isinstance(request.data, dict):
            raise ValidationError({"body": [_("Send a JSON object.")]})
        data = MarkPostedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            act(delivery, data.validated_data)
        except reminders.ReminderRefused as exc:
            if exc.field:
                raise ValidationError({exc.field: [exc.message]}) from exc
            raise Conflict(exc.message) from exc
        fresh = self.get_queryset().get(pk=delivery.pk)
        return Response(DeliverySerializer(fresh, context=self.get_serializer_context()).data)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The post changed meanwhile.")
    default_code = "conflict"


def post_input(data: dict[str, Any]) -> posts.PostInput:
    """A new post from the validated fields of PostWriteSerializer."""
    return posts.PostInput(
        text=data["text"],
        accounts=data["accounts"],
        scheduled_at=data.get("scheduled_at"),
        publish_now=data.get("publish_now", False),
        campaign=data.get("campaign"),
        media=data.get("media", []),
        link=data.get("link", ""),
        first_comment=data.get("first_comment", ""),
        thread=data.get("thread", []),
        track_links=data.get("track_links", False),
        overrides=data.get("overrides", {}),
        add_signatures=data.get("add_signatures", True),
    )


def api_fields(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Name the request field a client sent: media problems are about `media_ids`."""
    return {
        ("media_ids" if name == "media" else name): messages for name, messages in errors.items()
    }
