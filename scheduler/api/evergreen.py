"""The evergreen queue in the API: per-account settings and "fill now".

GET /api/v1/evergreen/ lists every account's settings; GET and PATCH
/api/v1/evergreen/<account id>/ read and change one; POST .../fill/ recycles
evergreen posts into its free slots at once. Posts are marked with PATCH
/api/v1/posts/<id>/ {"evergreen": true}.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import SocialAccount
from scheduler import evergreen
from scheduler.api.views import WorkspaceViewSet
from scheduler.models import EvergreenSettings


class EvergreenSettingsSerializer(serializers.ModelSerializer):
    account_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = EvergreenSettings
        fields = ["account_id", "enabled", "min_gap_days", "slots_ahead", "updated_at"]
        read_only_fields = ["account_id", "updated_at"]


class FillSerializer(serializers.Serializer):
    created_post_ids = serializers.ListField(child=serializers.IntegerField())


ACCOUNT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The connected account's id."
)


@extend_schema_view(
    retrieve=extend_schema(parameters=[ACCOUNT_ID]),
    partial_update=extend_schema(parameters=[ACCOUNT_ID]),
    fill=extend_schema(parameters=[ACCOUNT_ID]),
)
class EvergreenViewSet(WorkspaceViewSet, mixins.ListModelMixin):
    """Each account's evergreen settings, by account id."""

    serializer_class = EvergreenSettingsSerializer
    # An account id is digits; anything else is a 404 before the view runs.
    lookup_value_regex = "[0-9]+"
    queryset = EvergreenSettings.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_schedule"
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[EvergreenSettings]:
        return EvergreenSettings.objects.filter(account__workspace=self.membership.workspace)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        accounts = SocialAccount.objects.filter(workspace=self.membership.workspace).order_by("pk")
        saved = {s.account_id: s for s in self.get_queryset()}
        rows = [saved.get(a.pk) or EvergreenSettings(account=a) for a in accounts]
        return Response(EvergreenSettingsSerializer(rows, many=True).data)

    def _account(self, pk: str | None) -> SocialAccount:
        if not str(pk).isdigit():
            raise ValidationError({"account_id": [_("Give an account id (a number).")]})
        return get_object_or_404(SocialAccount, pk=int(pk), workspace=self.membership.workspace)  # type: ignore[arg-type]

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        config = evergreen.settings_for(self._account(pk))
        return Response(EvergreenSettingsSerializer(config).data)

    @extend_schema(
        request=EvergreenSettingsSerializer, responses={200: EvergreenSettingsSerializer}
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        account = self._account(pk)
        if not isinstance(request.data, dict):
            raise ValidationError({"body": [_("Send a JSON object.")]})
        current = evergreen.settings_for(account)
        form = EvergreenSettingsSerializer(current, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = {
            "enabled": current.enabled,
            "min_gap_days": current.min_gap_days,
            "slots_ahead": current.slots_ahead,
            **form.validated_data,
        }
        saved = evergreen.save_settings(account, **data)
        return Response(EvergreenSettingsSerializer(saved).data)

    @extend_schema(request=None, responses={200: FillSerializer})
    @action(detail=True, methods=["post"])
    def fill(self, request: Request, pk: str | None = None) -> Response:
        """Recycle evergreen posts into the account's free slots now (as the beat does)."""
        account = self._account(pk)
        if not evergreen.settings_for(account).enabled:
            raise ValidationError({"enabled": [_("Turn evergreen on for this account first.")]})
        made = evergreen.fill(account.pk)
        return Response({"created_post_ids": [p.pk for p in made]})
