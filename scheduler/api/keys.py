"""The person's own API keys in the request's workspace: list and revoke.

Keys are not created through the API: a leaked key must not be able to mint
another that outlives its revocation, and the secret is shown once, on the
profile page, to the person who asked for it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from scheduler import apikeys
from scheduler.api.views import WORKSPACE_HEADER, WorkspaceViewSet
from scheduler.models import ApiKey


class ApiKeySerializer(serializers.ModelSerializer[ApiKey]):
    prefix = serializers.CharField(read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    workspace_id = serializers.IntegerField(source="membership.workspace_id", read_only=True)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "workspace_id",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "active",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(parameters=[WORKSPACE_HEADER]),
    destroy=extend_schema(responses={200: ApiKeySerializer}),
)
class ApiKeyViewSet(
    WorkspaceViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin
):
    """Your API keys in this workspace. DELETE revokes one (a key may revoke itself)."""

    serializer_class = ApiKeySerializer
    queryset = ApiKey.objects.none()  # the schema's model; get_queryset scopes
    # Any role may revoke its own keys: that only ever takes access away.
    write_permission = None

    def get_queryset(self) -> QuerySet[ApiKey]:
        return ApiKey.objects.filter(membership=self.membership).select_related(
            "membership__workspace"
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = self.get_object()
        apikeys.revoke(key)
        return Response(self.get_serializer(key).data)
