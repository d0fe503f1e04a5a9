"""The evergreen queue on the web: mark a post, each account's settings, "Fill now"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from scheduler import evergreen, queue
from scheduler.models import EvergreenSettings, Post
from scheduler.views.access import workspace_page
from scheduler.views.queue import _account, _back, render_queue


class EvergreenForm(forms.ModelForm):
    min_gap_days = forms.IntegerField(label=gettext_lazy("Minimum gap"), min_value=1, max_value=365)
    slots_ahead = forms.IntegerField(
        label=gettext_lazy("Free slots to fill"), min_value=1, max_value=50
    )

    class Meta:
        model = EvergreenSettings
        fields = ["enabled", "min_gap_days", "slots_ahead"]


def settings_form(account_id: int, **kwargs: object) -> EvergreenForm:
    # One form per account on the page: ids must not clash.
    return EvergreenForm(auto_id=f"evergreen-{account_id}-%s", **kwargs)  # type: ignore[arg-type]


@dataclass
class Row:
    post: Post
    recycled: int
    last_out: datetime | None
    next_eligible: datetime | None


@dataclass
class Panel:
    settings: EvergreenSettings
    form: EvergreenForm
    rows: list[Row]


def attach_panels(timelines: list[queue.Timeline], bound: dict[int, forms.Form]) -> None:
    """Give each timeline its account's evergreen panel: two queries for all accounts."""
    accounts = [t.account for t in timelines]
    saved = {s.account_id: s for s in EvergreenSettings.objects.filter(account__in=accounts)}
    found = evergreen.families(accounts)
    for t in timelines:
        config = saved.get(t.account.pk) or EvergreenSettings(account=t.account)
        gap = timedelta(days=config.min_gap_days)
        rows = [
            Row(f.post, f.recycled, f.last_out, f.next_eligible(gap))
            for f in evergreen.rotation(found[t.account.pk].values())
        ]
        form = bound.get(t.account.pk) or settings_form(t.account.pk, instance=config)
        t.evergreen = Panel(config, form, rows)  # type: ignore[arg-type]


@workspace_page("can_schedule")
@require_POST
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    post = get_object_or_404(Post, pk=pk, workspace=membership.workspace)
    on = request.POST.get("evergreen") == "on"
    try:
        evergreen.mark(membership, post, on)
    except evergreen.EvergreenError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Marked evergreen: queues with evergreen on will recycle it.")
            if on
            else _("No longer evergreen."),
        )
    return redirect("post-detail", pk=post.pk)


@workspace_page("can_schedule")
@require_POST
def save_settings(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    form = settings_form(account.pk, data=request.POST, instance=evergreen.settings_for(account))
    if not form.is_valid():
        messages.error(request, _("Check the evergreen settings of %(a)s.") % {"a": account.name})
        return render_queue(request, {account.pk: form}, status=400)
    data = form.cleaned_data
    evergreen.save_settings(account, data["enabled"], data["min_gap_days"], data["slots_ahead"])
    messages.success(request, _("Evergreen settings saved for %(a)s.") % {"a": account.name})
    return _back(account.pk)


@workspace_page("can_schedule")
@require_POST
def fill_now(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    if not evergreen.settings_for(account).enabled:
        messages.error(request, _("Turn evergreen on for %(a)s first.") % {"a": account.name})
        return _back(account.pk)
    made = evergreen.fill(account.pk)
    if made:
        messages.success(
            request,
            ngettext(
                "Recycled %(n)s evergreen post into the queue.",
                "Recycled %(n)s evergreen posts into the queue.",
                len(made),
            )
            % {"n": len(made)},
        )
    else:
        messages.info(
            request,
            _(
                "Nothing to recycle now: no free slot in the next days, or every "
                "evergreen post went out within the minimum gap."
            ),
        )
    return _back(account.pk)


urlpatterns: list[URLPattern] = [
    path("posts/<int:pk>/evergreen/", mark, name="post-evergreen"),
    path("queue/<int:account_id>/evergreen/", save_settings, name="queue-evergreen"),
    path("queue/<int:account_id>/evergreen/fill/", fill_now, name="queue-evergreen-fill"),
]
