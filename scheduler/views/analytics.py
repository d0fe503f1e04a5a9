"""The analytics page: what a workspace's posts achieved over a period, per
account and per campaign, in cards, Chart.js charts with their numbers in tables
beneath, the best posts and the best time to post; and the same as CSV and PDF.

Every member may read it. The figures come from scheduler/analytics.py in a fixed
number of queries, so the page costs the same whatever the number of posts.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from channels.models import SocialAccount
from scheduler import analytics, analytics_csv, analytics_pdf
from scheduler.api.analytics import scope_from
from scheduler.models import Campaign, Workspace
from scheduler.views.access import workspace_page

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
FIELDS = ("start", "end", "account", "campaign")

CARDS = (
    ("posts", gettext_lazy("Posts")),
    ("impressions", gettext_lazy("Impressions")),
    ("engagement", gettext_lazy("Engagement")),
    ("engagement_rate", gettext_lazy("Engagement rate")),
    ("clicks", gettext_lazy("SMO link clicks")),
    ("followers_gained", gettext_lazy("Followers gained")),
)


class BadFilter(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def chosen_days(request: HttpRequest) -> int | None:
    """7, 30 or 90 when the period is one of those (the default 30); None for dates."""
    if request.GET.get("start") or request.GET.get("end"):
        return None
    wanted = request.GET.get("days", "")
    return int(wanted) if wanted.isdigit() and int(wanted) in PERIODS else DEFAULT_DAYS


def scope_of(request: HttpRequest, workspace: Workspace) -> analytics.Scope:
    """The request's period and filters; BadFilter naming what is wrong otherwise."""
    params = {name: request.GET[name] for name in FIELDS if request.GET.get(name)}
    days = chosen_days(request)
    if days is not None:
        zone = analytics.Scope(workspace, timezone.now(), timezone.now()).zone
        today = timezone.now().astimezone(zone).date()
        params.update(start=str(today - timedelta(days=days - 1)), end=str(today))
    try:
        return scope_from(params, workspace)
    except ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        problems = [str(m) for errors in detail.values() for m in errors]  # type: ignore[union-attr]
        raise BadFilter(problems) from exc


def last_day(scope: analytics.Scope) -> date:
    return (scope.end - timedelta(days=1)).astimezone(scope.zone).date()


def slot_words(slot: analytics.Slot) -> str:
    return f"{WEEKDAYS[slot.weekday]} {slot.hour:02d}:00"


def best_time_grid(workspace: Workspace, account_id: int) -> dict[str, Any]:
    """The 7 x 24 grid with a shade (0 to 5) per slot, and the top 3 slots in words."""
    grid, slots = analytics.best_times(workspace, account_id, timezone.now())
    top = max((s.average for s in slots), default=0)
    rows = []
    for weekday, hours in enumerate(grid):
        cells = [
            {
                "hour": hour,
                "slot": slot,
                "shade": 0 if slot is None or not top else 1 + round(4 * slot.average / top),
            }
            for hour, slot in enumerate(hours)
        ]
        rows.append({"day": WEEKDAYS[weekday], "cells": cells})
    return {"rows": rows, "top": [slot_words(s) for s in slots[:3]], "hours": range(24)}


def chart_data(days: list[dict[str, object]]) -> dict[str, object]:
    """What static/smo/analytics.js draws, passed with json_script (no inline script)."""
    return {
        "labels": [d["date"].isoformat() for d in days],  # type: ignore[attr-defined]
        "series": {
            name: [d[name] for d in days]
            for name in ("posts", "engagement", "impressions", "clicks", "followers")
        },
        "names": {
            "engagement": _("Engagement"),
            "impressions": _("Impressions"),
            "clicks": _("SMO link clicks"),
            "followers": _("Followers"),
        },
    }


SHOWN = ("impressions", "likes", "comments", "shares")


def with_shown_figures(best: list[Any]) -> list[Any]:
    """Give each best post the figures its row shows, in the columns' order."""
    for delivery in best:
        delivery.shown_figures = [getattr(delivery.metrics, name) for name in SHOWN]
    return best


def report(request: HttpRequest, scope: analytics.Scope) -> dict[str, Any]:
    workspace = scope.workspace
    accounts = list(SocialAccount.objects.filter(workspace=workspace).order_by("name", "pk"))
    totals = analytics.totals(scope)
    days = analytics.daily(scope)
    best_for = next(
        (a for a in accounts if str(a.pk) == request.GET.get("best", "")),
        next((a for a in accounts if a.pk == scope.account_id), accounts[0] if accounts else None),
    )
    return {
        "scope": scope,
        "first_day": scope.start.astimezone(scope.zone).date(),
        "last_day": last_day(scope),
        "days_chosen": chosen_days(request),
        "periods": PERIODS,
        "accounts": accounts,
        "campaigns": Campaign.objects.filter(workspace=workspace).order_by("name"),
        "cards": [(key, label, totals[key]) for key, label in CARDS],
        "totals": totals,
        "days": days,
        "chart": chart_data(days),
        "by_account": analytics.by_account(scope),
        "best_posts": with_shown_figures(analytics.best_posts(scope)),
        "best_for": best_for,
        "best_times": best_time_grid(workspace, best_for.pk) if best_for else None,
        "query": request.GET.urlencode(),
        "filters": {k: v for k, v in request.GET.items() if k in ("account", "campaign")},
    }


@workspace_page()
def analytics_page(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    try:
        scope = scope_of(request, workspace)
    except BadFilter as exc:
        return render(request, "scheduler/analytics.html", {"problems": exc.messages}, status=400)
    return render(request, "scheduler/analytics.html", report(request, scope))


def _filename(scope: analytics.Scope, ext: str) -> str:
    first = scope.start.astimezone(scope.zone).date()
    return f"smo-analytics-{first}-{last_day(scope)}.{ext}"


@workspace_page()
def analytics_csv_export(request: HttpRequest) -> HttpResponse:
    try:
        scope = scope_of(request, request.membership.workspace)  # type: ignore[attr-defined]
    except BadFilter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(scope, "csv")}"'
    analytics_csv.write(scope, response)
    return response


@workspace_page()
def analytics_pdf_export(request: HttpRequest) -> HttpResponse:
    try:
        scope = scope_of(request, request.membership.workspace)  # type: ignore[attr-defined]
    except BadFilter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(analytics_pdf.render(scope), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(scope, "pdf")}"'
    return response


urlpatterns = [
    path("analytics/", analytics_page, name="analytics"),
    path("analytics/export.csv", analytics_csv_export, name="analytics-csv"),
    path("analytics/export.pdf", analytics_pdf_export, name="analytics-pdf"),
]
