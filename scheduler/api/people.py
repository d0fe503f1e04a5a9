"""Members and invitations of the request's workspace, over the API.

The same rules as the People page (scheduler/members.py): every member may list the
members; owners and admins invite, change roles and remove; only an owner touches owners.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from scheduler import invites, members
from scheduler.api.views import WorkspaceViewSet
from scheduler.models import Invite, Membership, Role


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "created_at"]
        read_only_fields = ["id", "username", "email", "created_at"]

    def get_email(self, obj: Membership) -> str | None:
        # Addresses are for the people who manage people, as on the People page.
        membership = self.context.get("membership")
        return obj.user.email if membership and membership.can_manage_people else None


class InviteSerializer(serializers.ModelSerializer):
    invited_by = serializers.CharField(source="invited_by.username", read_only=True, default=None)
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.EDITOR)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Invite
        fields = [
            "id",
            "email",
            "role",
            "invited_by",
            "created_at",
            "sent_at",
            "expires_at",
            "expired",
        ]
        read_only_fields = ["id", "invited_by", "created_at", "sent_at", "expires_at"]

    def get_expired(self, obj: Invite) -> bool:
        """Expired links wait for a resend (POST .../resend/) or a revoke."""
        return not obj.is_pending


class Forbidden(ValidationError):
    """A 403 that still names the field, like every other API refusal."""

    status_code = status.HTTP_403_FORBIDDEN


def _refused(exc: members.Refused) -> ValidationError:
    kind = Forbidden if exc.forbidden else ValidationError
    return kind({exc.field: [exc.message]})


class MemberViewSet(
    WorkspaceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """PATCH {"role": ...} changes a member's role; DELETE removes them."""

    serializer_class = MemberSerializer
    queryset = Membership.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_manage_people"
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Membership]:
        return (
            Membership.objects.filter(workspace=self.membership.workspace)
            .select_related("user")
            .order_by("user__username")
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        target = serializer.instance
        if "role" not in serializer.validated_data:
            # PATCH makes every field optional; role is the only thing to change.
            raise ValidationError({"role": [_("This field is required.")]})
        try:
            members.change_role(self.membership, target, serializer.validated_data["role"])
        except members.Refused as exc:
            raise _refused(exc) from exc
        target.refresh_from_db()

    def perform_destroy(self, instance: Membership) -> None:
        try:
            members.remove(self.membership, instance)
        except members.Refused as exc:
            raise _refused(exc) from exc


class InviteViewSet(
    WorkspaceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Invitations not used or revoked (expired ones say so). POST invites (and e-mails the link); DELETE revokes;
    POST .../resend/ sends a new link."""

    serializer_class = InviteSerializer
    queryset = Invite.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_manage_people"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Even reading invitations (e-mail addresses) is for owners and admins.
        if not self.membership.can_manage_people:
            raise PermissionDenied(
                _("Your role (%(role)s) cannot do this.")
                % {"role": self.membership.get_role_display()}
            )

    def get_queryset(self) -> QuerySet[Invite]:
        return invites.open_queryset(self.membership.workspace_id)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            made = invites.invite(
                self.membership,
                serializer.validated_data["email"],
                serializer.validated_data["role"],
            )
        except members.Refused as exc:
            raise _refused(exc) from exc
        return Response(self.get_serializer(made).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Invite) -> None:
        try:
            invites.revoke(self.membership, instance)
        except members.Refused as exc:
            raise _refused(exc) from exc

    @extend_schema(request=None, responses={200: InviteSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        invitation = self.get_object()
        try:
            invites.resend(self.membership, invitation)
        except members.Refused as exc:
            raise _refused(exc) from exc
        return Response(self.get_serializer(invitation).data)
