"""The activity log page: the workspace's audit events, newest first, filtered
by what was done, by whom and when. Owners and admins read it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from scheduler.models import AuditEvent
from scheduler.views.access import workspace_page

PAGE_SIZE = 50


class AuditFilters(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[("", gettext_lazy("Everything")), *AuditEvent.Action.choices],
    )
    person = forms.CharField(label=gettext_lazy("Who"), required=False, max_length=150)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", gettext_lazy("Pick a day on or after the first."))
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("person"):
            events = events.filter(actor_name__iexact=data["person"].strip())
        zone = timezone.get_current_timezone()
        if data.get("since"):
            events = events.filter(created_at__gte=datetime.combine(data["since"], time(), zone))
        if data.get("until"):
            end = datetime.combine(data["until"], time(), zone) + timedelta(days=1)
            events = events.filter(created_at__lt=end)
        return events


@workspace_page("can_manage_accounts")  # owners and admins: those who run the workspace
def audit_log(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    events = AuditEvent.objects.filter(workspace=workspace)
    filters = AuditFilters(request.GET or None)
    if filters.is_valid():
        events = filters.apply(events)
    elif filters.is_bound:
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    people = (
        AuditEvent.objects.filter(workspace=workspace)
        .exclude(actor_name="")
        .values_list("actor_name", flat=True)
        .distinct()
        .order_by("actor_name")
    )
    context = {"page": page, "filters": filters, "query": query.urlencode(), "people": people}
    return render(request, "scheduler/audit_log.html", context)


urlpatterns = [path("activity/", audit_log, name="audit-log")]
