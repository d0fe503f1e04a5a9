"""The calendar pages: month, week and list views, moving a post, and exports."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from channels.models import SocialAccount
from scheduler import calendar as cal
from scheduler import engine
from scheduler.localtime import LocalTimeError, to_utc
from scheduler.models import Campaign, Delivery, Membership, Post
from scheduler.posts import IN_FLIGHT, PostErrors, update_post
from scheduler.views.access import workspace_page
from smo import dates

S = Delivery.State
# How long an exported event lasts: a post is an instant, calendars want a span.
EVENT_LENGTH = timedelta(minutes=15)


def _anchor(value: str | None, today: date) -> date:
    try:
        return date.fromisoformat(value) if value else today
    except ValueError:
        return today


def _period(query: QueryDict, today: date) -> cal.Period:
    view = query.get("view", "")
    return cal.Period.for_view(
        view if view in cal.VIEWS else "month", _anchor(query.get("date"), today)
    )


def _context(request: HttpRequest, query: QueryDict) -> dict[str, Any]:
    """Everything the calendar's body shows for the view, date and filters in `query`."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    tz: ZoneInfo = request.user.zone  # type: ignore[union-attr]
    today = timezone.now().astimezone(tz).date()
    period = _period(query, today)
    view = period.view
    filters = cal.Filters.from_query(query)
    # The month grid shows whole weeks, with the neighbouring months' posts greyed out.
    shown = cal.Period(view, period.anchor, period.first, period.last)
    if view == "month":
        shown = cal.Period(
            view,
            period.anchor,
            period.first - timedelta(days=period.first.weekday()),
            period.last + timedelta(days=6 - period.last.weekday()),
        )
    workspace = membership.workspace
    found = cal.entries(workspace, filters, *shown.bounds(tz), tz)
    context: dict[str, Any] = {
        "view": view,
        "period": period,
        "filters": filters,
        "today": today,
        "zone": tz.key,
        "can_move": membership.can_write,
        "query": query,
        "calendar_query": query.urlencode(),
    }
    if view == "list":
        page = cal.page(found, _page_number(query), period.anchor)
        found = found[page.start : page.end]
        cal.attach(found, workspace, filters, everything=page.pages == 1)
        days = cal.days(period, found, today)
        low = period.first if not page.has_previous else found[0].at.date()
        high = period.last if not page.has_next else found[-1].at.date()
        context["page"] = page
        context["days"] = [
            d for d in days if d.in_period and (d.entries or (d.today and low <= d.date <= high))
        ]
        context["count"] = page.total
        return context
    days = cal.days(period, found, today)
    if view == "month":
        shown_entries = [e for d in days for e in d.shown]
        context["weeks"] = cal.weeks(days)
    else:
        context["hours"], context["week"] = cal.week_grid(days)
        shown_entries = [e for wd in context["week"] for slot in wd.slots for e in slot.shown]
    cal.attach(shown_entries, workspace, filters, everything=len(shown_entries) == len(found))
    context["count"] = sum(len(d.entries) for d in days if d.in_period)
    return context


def _page_number(query: QueryDict) -> int | None:
    value = query.get("page", "")
    return int(value) if value.isdigit() else None


def _filter_choices(membership: Membership) -> dict[str, Any]:
    workspace = membership.workspace
    return {
        "accounts": SocialAccount.objects.filter(workspace=workspace).order_by("network", "name"),
        "campaigns": Campaign.objects.filter(workspace=workspace),
        "authors": [
            m.user
            for m in Membership.objects.filter(workspace=workspace)
            .select_related("user")
            .order_by("user__username")
        ],
        "states": [(s.value, s.label) for s in cal.SHOWN_STATES],
    }


@require_GET
@workspace_page()
def calendar(request: HttpRequest) -> HttpResponse:
    context = _context(request, request.GET)
    context.update(_filter_choices(request.membership))  # type: ignore[attr-defined]
    return render(request, "scheduler/calendar.html", context)


# --- Moving a post ------------------------------------------------------------------


class MoveRefused(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _check_movable(post: Post) -> None:
    states = {d.state for d in post.deliveries.all()}
    if post.cancelled_at is not None:
        raise MoveRefused(_("This post was cancelled; it cannot move."), 409)
    if states & set(IN_FLIGHT):
        raise MoveRefused(_("This post is being published right now; it cannot move."), 409)
    if not states & set(engine.PENDING):
        if states == {S.PUBLISHED}:
            raise MoveRefused(_("This post has already been published; it cannot move."), 409)
        raise MoveRefused(
            _("Nothing in this post can move: it has been published, has failed or was cancelled."),
            409,
        )


def _target(post: Post, data: QueryDict, tz: ZoneInfo) -> datetime:
    """The new UTC time: the day asked for, at the time (or hour) asked for or the post's own."""
    try:
        day = date.fromisoformat(data.get("date", ""))
    except ValueError:
        raise MoveRefused(_("Pick a day to move the post to.")) from None
    current = (
        post.scheduled_at.astimezone(tz).time().replace(second=0, microsecond=0)
        if (post.scheduled_at)
        else None
    )
    try:
        if data.get("time"):
            at = datetime.strptime(data["time"], "%H:%M").time()
        elif current is not None and data.get("hour", "").isdigit():
            at = current.replace(hour=int(data["hour"]))
        elif current is not None:
            at = current
        else:
            raise MoveRefused(_("Pick a time to move the post to."))
    except ValueError:
        raise MoveRefused(_("Give the time as hours and minutes, like 14:30.")) from None
    try:
        return to_utc(datetime.combine(day, at), tz)
    except LocalTimeError as exc:
        raise MoveRefused(str(exc)) from None


def _move(membership: Membership, post: Post, data: QueryDict, tz: ZoneInfo) -> datetime:
    _check_movable(post)
    when = _target(post, data, tz)
    try:
        update_post(membership, post, {"scheduled_at": when})
    except PostErrors as exc:
        raise MoveRefused(" ".join(m for ms in exc.errors.values() for m in ms)) from None
    return when


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("calendar")


@require_http_methods(["GET", "POST"])
@workspace_page("can_write")
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Reschedule a post: the calendar's drag and drop, and the "Move to…" form without it."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    tz: ZoneInfo = request.user.zone  # type: ignore[union-attr]
    post = get_object_or_404(Post, pk=pk, workspace=membership.workspace)
    context: dict[str, Any] = {"post": post, "next": _back(request), "zone": tz.key}
    if request.method == "GET":
        return render(request, "scheduler/calendar_move.html", context)
    try:
        when = _move(membership, post, request.POST, tz)
    except MoveRefused as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
        context.update(error=exc.message, data=request.POST)
        return render(request, "scheduler/calendar_move.html", context, status=exc.status)
    moved = _("Moved to %(when)s.") % {"when": dates.show(when.astimezone(tz), "day_time")}
    if request.htmx:  # type: ignore[attr-defined]
        query = QueryDict(request.POST.get("calendar", ""))
        context = {**_context(request, query), "moved": moved, "moved_post": post.pk}
        return render(request, "scheduler/_calendar_body.html", context)
    messages.success(request, moved)
    return redirect(_back(request))


# --- Exports ------------------------------------------------------------------------


def _export_rows(request: HttpRequest) -> tuple[list[Delivery], ZoneInfo, str]:
    tz: ZoneInfo = request.user.zone  # type: ignore[union-attr]
    membership: Membership = request.membership  # type: ignore[attr-defined]
    period = _period(request.GET, timezone.now().astimezone(tz).date())
    filters = cal.Filters.from_query(request.GET)
    rows = list(cal.deliveries(membership.workspace, filters, *period.bounds(tz)))
    name = f"smo-{period.view}-{period.first:%Y-%m-%d}"
    return rows, tz, name


def _post_url() -> str:
    return settings.SMO_PUBLIC_URL + "/posts/{id}/"


@require_GET
@workspace_page()
def export_csv(request: HttpRequest) -> HttpResponse:
    rows, tz, name = _export_rows(request)
    out = StringIO()
    csv.writer(out).writerows(cal.csv_rows(rows, tz, _post_url()))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_GET
@workspace_page()
def export_ics(request: HttpRequest) -> HttpResponse:
    rows, _tz, name = _export_rows(request)
    membership: Membership = request.membership  # type: ignore[attr-defined]
    domain = urlsplit(settings.SMO_PUBLIC_URL).hostname or "smo.invalid"
    body = cal.ics_calendar(
        rows, membership.workspace.name, _post_url(), domain, timezone.now(), EVENT_LENGTH
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


urlpatterns = [
    path("calendar/", calendar, name="calendar"),
    path("calendar/export.csv", export_csv, name="calendar-csv"),
    path("calendar/export.ics", export_ics, name="calendar-ics"),
    path("calendar/posts/<int:pk>/move/", move, name="calendar-move"),
]
