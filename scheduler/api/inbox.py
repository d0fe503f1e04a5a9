"""The inbox over the API: list and filter items, read a conversation, answer,
assign, close, hide or delete; and the workspace's saved replies.

The same rules as the inbox page: contributors and up read; owners, admins and
editors act. Answers and moderation go out through the same tasks.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from channels.words import say
from scheduler import inbox, moderation, replies
from scheduler.api.views import WorkspaceViewSet
from scheduler.inbox import ALL_STATES, Filters
from scheduler.models import InboxItem, Membership, Reply, SavedReply


class AnswerSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(read_only=True)
    written_by = serializers.CharField(source="written_by.username", read_only=True, default=None)

    class Meta:
        model = Reply
        fields = [
            "id",
            "text",
            "state",
            "reason",
            "written_by",
            "external_id",
            "url",
            "sent_at",
            "created_at",
        ]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(read_only=True)
    post = serializers.IntegerField(source="delivery.post_id", read_only=True, default=None)
    assigned_to = serializers.CharField(source="assigned_to.username", read_only=True, default=None)
    answers = AnswerSerializer(many=True, read_only=True)
    moderation_error = serializers.CharField(source="moderation_reason", read_only=True)

    class Meta:
        model = InboxItem
        fields = [
            "id",
            "account",
            "network",
            "external_id",
            "kind",
            "text",
            "author_name",
            "author_handle",
            "url",
            "posted_at",
            "post",
            "delivery",
            "parent_post_id",
            "in_reply_to_id",
            "thread_id",
            "own",
            "state",
            "assigned_to",
            "hidden_at",
            "deleted_at",
            "moderation_pending",
            "moderation_error",
            "answers",
        ]
        read_only_fields = fields


class ReplyInput(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, allow_blank=True)
    close = serializers.BooleanField(default=False)


class UpdateInput(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[InboxItem.State.OPEN, InboxItem.State.DONE], required=False
    )
    assigned_to = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class ModerateInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=moderation.ACTIONS)


FILTERS = [
    OpenApiParameter("account", OpenApiTypes.INT, description="An account id."),
    OpenApiParameter("network", OpenApiTypes.STR, description='A network key ("x", ...).'),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=[k for k, _l in InboxItem.Kind.choices]),
    OpenApiParameter("campaign", OpenApiTypes.INT, description="A campaign id."),
    OpenApiParameter(
        "state",
        OpenApiTypes.STR,
        description="open, assigned, done or all; by default open and assigned.",
    ),
    OpenApiParameter("assigned_to", OpenApiTypes.STR, description='A username, "me" or "nobody".'),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the text or the author's name."),
]


class InboxViewSet(WorkspaceViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Comments, replies, mentions and messages on the workspace's accounts, newest first.
    PATCH sets `state` (open, done) or `assigned_to` (a username, or null);
    POST .../reply/ answers; POST .../moderate/ hides, shows again or deletes."""

    serializer_class = ItemSerializer
    queryset = InboxItem.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_answer"
    http_method_names = ["get", "patch", "post", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not self.membership.can_write:
            raise PermissionDenied(
                _("Your role (%(role)s) cannot do this.")
                % {"role": self.membership.get_role_display()}
            )

    def get_queryset(self) -> QuerySet[InboxItem]:
        workspace = self.membership.workspace
        if self.action != "list":
            return (
                InboxItem.objects.filter(workspace=workspace)
                .select_related("account", "assigned_to", "delivery")
                .prefetch_related("answers__written_by")
            )
        return inbox.items(workspace, self._filters()).prefetch_related("answers__written_by")

    def _filters(self) -> Filters:
        params = self.request.query_params
        errors: dict[str, list[str]] = {}

        def number(name: str) -> int | None:
            value = params.get(name, "").strip()
            if not value:
                return None
            if not value.isdigit():
                errors[name] = [_("A whole number is required.")]
                return None
            return int(value)

        state = params.get("state", "")
        if state and state not in (*InboxItem.State.values, ALL_STATES):
            errors["state"] = [_("Choose open, assigned, done or all.")]
        kind = params.get("kind", "")
        if kind and kind not in InboxItem.Kind.values:
            errors["kind"] = [_("Choose comment, reply, mention or message.")]
        assigned_to = self._assignee_filter(params.get("assigned_to", ""), errors)
        filters = Filters(
            account=number("account"),
            network=params.get("network", ""),
            kind=kind,
            campaign=number("campaign"),
            state=state,
            assigned_to=assigned_to,
            search=params.get("q", "").strip(),
        )
        if errors:
            raise ValidationError(errors)
        return filters

    def _assignee_filter(self, value: str, errors: dict[str, list[str]]) -> int | None:
        if not value:
            return None
        if value == "me":
            return int(self.request.user.pk)
        if value == "nobody":
            return 0
        member = self._member(value)
        if member is None:
            errors["assigned_to"] = [
                _("No one called %(name)s is in this workspace.") % {"name": value}
            ]
            return None
        return int(member.user_id)

    def _member(self, username: str) -> Membership | None:
        return (
            Membership.objects.filter(workspace=self.membership.workspace, user__username=username)
            .select_related("user")
            .first()
        )

    @extend_schema(parameters=FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=UpdateInput, responses=ItemSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = UpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        if "assigned_to" in data.validated_data:
            name = data.validated_data["assigned_to"] or ""
            member = self._member(name) if name else None
            if name and (member is None or not member.can_answer):
                raise ValidationError(
                    {"assigned_to": [_("Choose someone in this workspace who can answer.")]}
                )
            inbox.assign(item, member.user if member else None, request.user)  # type: ignore[arg-type]
        if "state" in data.validated_data:
            inbox.set_state(item, data.validated_data["state"])
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=ReplyInput, responses={202: AnswerSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        """Answer the item; the answer goes out by a task (its `state` says how it went)."""
        item = self.get_object()
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            answer = replies.create(
                item, request.user, data.validated_data["text"], close=data.validated_data["close"]
            )
        except replies.CannotReply as error:
            raise ValidationError({error.field: [say(error.words)]}) from error
        return Response(AnswerSerializer(answer).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ModerateInput, responses={202: ItemSerializer})
    @action(detail=True, methods=["post"])
    def moderate(self, request: Request, pk: str | None = None) -> Response:
        """Hide, show again or delete the item on its network, by a task."""
        item = self.get_object()
        data = ModerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            moderation.request(item, data.validated_data["action"], request.user)
        except moderation.CannotModerate as error:
            raise ValidationError({"action": [say(error.words)]}) from error
        return Response(
            self.get_serializer(self.get_queryset().get(pk=item.pk)).data,
            status=status.HTTP_202_ACCEPTED,
        )


class SavedReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedReply
        fields = ["id", "title", "text", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_title(self, value: str) -> str:
        membership = self.context["membership"]
        taken = SavedReply.objects.filter(workspace=membership.workspace, title=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("A saved reply with this title exists already."))
        return value


class SavedReplyViewSet(
    WorkspaceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Answers the team reuses in the inbox."""

    serializer_class = SavedReplySerializer
    queryset = SavedReply.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_answer"

    def get_queryset(self) -> QuerySet[SavedReply]:
        return SavedReply.objects.filter(workspace=self.membership.workspace)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.save(workspace=self.membership.workspace, created_by=self.request.user)
