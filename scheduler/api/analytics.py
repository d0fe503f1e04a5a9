"""/api/v1/analytics/: the report figures of the analytics page, as JSON.

    GET /api/v1/analytics/summary/?start=2026-11-01&end=2026-11-30&account=&campaign=
    GET /api/v1/analytics/best-times/?account=12

Dates are days in the workspace's time zone, both included; by default the last
30 days. Every member may read them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from channels.adapters.metrics import FIGURES
from channels.models import SocialAccount
from scheduler import analytics
from scheduler.api.views import WorkspaceViewSet
from scheduler.models import Campaign, Delivery

DEFAULT_DAYS = 30
MAX_DAYS = 366


class PeriodInput(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    account = serializers.IntegerField(required=False, min_value=1)
    campaign = serializers.IntegerField(required=False, min_value=1)


def scope_from(params: Any, workspace: Any) -> analytics.Scope:
    """The period and filters a request names, checked; 400 naming the field otherwise."""
    data = PeriodInput(data=params)
    data.is_valid(raise_exception=True)
    zone = ZoneInfo(workspace.timezone)
    today = timezone.now().astimezone(zone).date()
    end: date = data.validated_data.get("end") or today
    start: date = data.validated_data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationError({"start": [_("The start must not be after the end.")]})
    if (end - start).days >= MAX_DAYS:
        raise ValidationError({"start": [_("Choose at most 366 days.")]})
    account = data.validated_data.get("account")
    if account and not SocialAccount.objects.filter(pk=account, workspace=workspace).exists():
        raise ValidationError({"account": [_("No such account in this workspace.")]})
    campaign = data.validated_data.get("campaign")
    if campaign and not Campaign.objects.filter(pk=campaign, workspace=workspace).exists():
        raise ValidationError({"campaign": [_("No such campaign in this workspace.")]})
    return analytics.Scope(
        workspace,
        datetime.combine(start, time(), zone),
        datetime.combine(end + timedelta(days=1), time(), zone),
        account_id=account,
        campaign_id=campaign,
    )


def post_row(delivery: Delivery) -> dict[str, object]:
    figures = {name: getattr(delivery.metrics, name) for name in FIGURES}
    return {
        "delivery": delivery.pk,
        "post": delivery.post_id,
        "text": delivery.post.text[:200],
        "account": delivery.account_id,
        "network": delivery.account.network,
        "published_at": delivery.published_at,
        "url": delivery.external_url,
        "engagement": delivery.engagement,  # type: ignore[attr-defined]
        **figures,
    }


PERIOD = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (workspace time zone)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included."),
    OpenApiParameter("account", OpenApiTypes.INT),
    OpenApiParameter("campaign", OpenApiTypes.INT),
]


class AnalyticsViewSet(WorkspaceViewSet):
    """Totals, days, accounts, best posts and best times to post."""

    write_permission = None
    queryset = Delivery.objects.none()  # the schema's model; nothing is listed

    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        scope = scope_from(request.query_params, self.membership.workspace)
        zone = scope.zone
        return Response(
            {
                "start": scope.start.astimezone(zone).date(),
                "end": (scope.end - timedelta(days=1)).astimezone(zone).date(),
                "totals": analytics.totals(scope),
                "days": analytics.daily(scope),
                "accounts": analytics.by_account(scope),
                "best_posts": [post_row(d) for d in analytics.best_posts(scope)],
            }
        )

    @extend_schema(
        parameters=[OpenApiParameter("account", OpenApiTypes.INT, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"], url_path="best-times")
    def best_times(self, request: Request) -> Response:
        workspace = self.membership.workspace
        wanted = request.query_params.get("account", "")
        account = (
            SocialAccount.objects.filter(pk=int(wanted), workspace=workspace).first()
            if wanted.isdigit()
            else None
        )
        if account is None:
            raise ValidationError({"account": [_("Name one of this workspace's accounts.")]})
        _grid, slots = analytics.best_times(workspace, account.pk, timezone.now())
        return Response(
            {
                "account": account.pk,
                "timezone": workspace.timezone,
                "slots": [
                    {"weekday": s.weekday, "hour": s.hour, "posts": s.posts, "average": s.average}
                    for s in slots
                ],
            }
        )
