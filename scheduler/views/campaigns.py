"""Campaign pages: the list, a campaign's posts and results, create, edit and delete."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from scheduler import campaigns, utm
from scheduler.models import Campaign, Delivery, Membership, Post, Workspace
from scheduler.views.access import workspace_page

POSTS_PER_PAGE = 50
EXAMPLE_URL = "https://example.com/"
UTM_LABELS = {
    "source": gettext_lazy("Source"),
    "medium": gettext_lazy("Medium"),
    "campaign": gettext_lazy("Campaign"),
    "term": gettext_lazy("Term"),
    "content": gettext_lazy("Content"),
}
UTM_HINTS = {
    "source": gettext_lazy("Where the visit comes from, e.g. “mastodon” or “newsletter”."),
    "medium": gettext_lazy("The kind of channel, e.g. “social”."),
    "campaign": gettext_lazy("Left empty: the campaign’s name as a slug, e.g. “spring-menu”."),  # noqa: RUF001 - typographic apostrophe, as in the other texts
    "term": gettext_lazy("Optional: a keyword."),
    "content": gettext_lazy("Optional: tells apart links to the same page."),
}


class CampaignForm(forms.ModelForm):
    """The campaign's fields, plus one field per UTM parameter (stored in `utm`)."""

    class Meta:
        model = Campaign
        fields = ["name", "color", "starts_on", "ends_on", "description"]
        labels = {
            "name": gettext_lazy("Name"),
            "color": gettext_lazy("Colour"),
            "starts_on": gettext_lazy("Starts on"),
            "ends_on": gettext_lazy("Ends on"),
            "description": gettext_lazy("Description"),
        }
        widgets = {
            "color": forms.TextInput(attrs={"type": "color"}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        saved = self.instance.utm or {}
        for key in utm.KEYS:
            self.fields[f"utm_{key}"] = forms.CharField(
                label=UTM_LABELS[key],
                help_text=UTM_HINTS[key],
                max_length=100,
                required=False,
                initial=saved.get(key, ""),
            )

    def utm_fields(self) -> list[forms.BoundField]:
        return [self[f"utm_{key}"] for key in utm.KEYS]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Campaign.objects.filter(workspace=self.workspace, name=name)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("A campaign with this name exists."))
        return name

    def clean_color(self) -> str:
        value = self.cleaned_data["color"]
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise forms.ValidationError(_("Give a colour as #rrggbb."))
        return value.lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end is before the start."))
        if not data.get("utm_campaign") and data.get("name"):
            data["utm_campaign"] = slugify(data["name"])
        return data

    def save(self, commit: bool = True) -> Campaign:
        campaign: Campaign = super().save(commit=False)
        campaign.workspace = self.workspace
        campaign.utm = {key: self.cleaned_data[f"utm_{key}"].strip() for key in utm.KEYS}
        if commit:
            campaign.save()
        return campaign


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    return get_object_or_404(Campaign, pk=pk, workspace=membership.workspace)


@workspace_page()
def campaign_list(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    context = {"campaigns": campaigns.with_counts(membership.workspace)}
    return render(request, "scheduler/campaigns.html", context)


def _posts(campaign: Campaign) -> Any:
    deliveries = Delivery.objects.select_related("account").only(
        "post_id",
        "state",
        "scheduled_at",
        "published_at",
        "external_url",
        "last_error",
        "account__name",
        "account__network",
    )
    return (
        Post.objects.filter(campaign=campaign)
        .select_related("audience")
        .only("id", "text", "scheduled_at", "variant_of", "audience__name")
        .prefetch_related(
            Prefetch("deliveries", queryset=deliveries.order_by("account__name", "id"))
        )
        .order_by(F("scheduled_at").asc(nulls_last=True), "id")
    )


@workspace_page()
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    page = Paginator(_posts(campaign), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    linked = (
        Post.objects.filter(campaign=campaign)
        .exclude(link="")
        .order_by(F("scheduled_at").asc(nulls_last=True), "id")
        .values_list("link", flat=True)
        .first()
    )
    example = linked or EXAMPLE_URL
    results = campaigns.results(campaign)
    now = timezone.now()
    context = {
        "campaign": campaign,
        "page": page,
        "results": results,
        "latest_delay": timesince(now - results.latest, now) if results.latest else "",
        "on_time_minutes": int(campaigns.ON_TIME.total_seconds() // 60),
        "utm_rows": [(UTM_LABELS[k], campaign.utm.get(k, "")) for k in utm.KEYS],
        "example": example,
        "example_tagged": utm.tag(example, campaign.utm),
    }
    return render(request, "scheduler/campaign_detail.html", context)


@require_http_methods(["GET", "POST"])
@workspace_page("can_schedule")
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    campaign = _campaign(request, pk) if pk is not None else None
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        instance=campaign,
        workspace=membership.workspace,
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if campaign is None:
            messages.success(request, _("Campaign “%(name)s” created.") % {"name": saved.name})
        else:
            messages.success(request, _("Campaign “%(name)s” saved.") % {"name": saved.name})
        return redirect("campaign-detail", saved.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "scheduler/campaign_form.html", {"form": form, "campaign": campaign}, status=status
    )


@require_http_methods(["GET", "POST"])
@workspace_page("can_schedule")
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    posts = campaign.posts.count()
    if request.method == "POST":
        name = campaign.name
        campaign.delete()  # its posts stay, with no campaign (on_delete=SET_NULL)
        messages.success(
            request,
            ngettext(
                "Campaign “%(name)s” deleted. Its %(n)d post stays, without a campaign.",
                "Campaign “%(name)s” deleted. Its %(n)d posts stay, without a campaign.",
                posts,
            )
            % {"name": name, "n": posts},
        )
        return redirect("campaigns")
    return render(
        request, "scheduler/campaign_delete.html", {"campaign": campaign, "post_count": posts}
    )


urlpatterns: list[URLPattern] = [
    path("campaigns/", campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_edit, name="campaign-new"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/delete/", campaign_delete, name="campaign-delete"),
]
