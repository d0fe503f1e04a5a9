"""The audiences page: the groups posts are tailored to (zone, language, regions, targeting)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from scheduler import variants
from scheduler.localtime import LocalTimeError, zone
from scheduler.models import Audience, Membership
from scheduler.views.access import workspace_page

# BCP 47 language tag as people write it for audiences: "sv", "sv-SE", "zh-Hant-TW".
LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


class AudienceForm(forms.ModelForm):
    regions_text = forms.CharField(
        label=gettext_lazy("Regions"),
        required=False,
        help_text=gettext_lazy("ISO 3166 country codes, separated by commas: SE, NO, DK."),
    )
    facebook_countries = forms.CharField(
        label=gettext_lazy("Facebook: show only in these countries"),
        required=False,
        help_text=gettext_lazy(
            "Optional. Facebook Page posts can be limited to countries; other networks take "
            "no targeting here and show the post to all followers."
        ),
    )

    class Meta:
        model = Audience
        fields = ["name", "timezone", "locale"]
        labels = {
            "name": gettext_lazy("Name"),
            "timezone": gettext_lazy("Time zone"),
            "locale": gettext_lazy("Language"),
        }
        help_texts = {
            "timezone": gettext_lazy("IANA name, like America/New_York."),
            "locale": gettext_lazy("Like sv-SE or en-US."),
        }

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["timezone"].widget.attrs.update(list="zones", autocomplete="off")
        if self.instance.pk:
            self.fields["regions_text"].initial = ", ".join(self.instance.regions)
            countries = (self.instance.targeting or {}).get("facebook", {}).get("countries", [])
            self.fields["facebook_countries"].initial = ", ".join(countries)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Audience.objects.filter(workspace=self.workspace, name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is already an audience called %s.") % name)
        return name

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        try:
            zone(name)
        except LocalTimeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return name

    def clean_locale(self) -> str:
        locale = self.cleaned_data["locale"].strip()
        if locale and not LOCALE.match(locale):
            raise forms.ValidationError(_("Write a language tag like sv-SE or en."))
        return locale

    def clean_regions_text(self) -> list[str]:
        return variants.clean_regions(self.cleaned_data["regions_text"])

    def clean_facebook_countries(self) -> list[str]:
        return variants.clean_regions(self.cleaned_data["facebook_countries"])

    def save(self, commit: bool = True) -> Audience:
        audience = super().save(commit=False)
        audience.workspace = self.workspace
        audience.regions = self.cleaned_data["regions_text"]
        targeting = dict(audience.targeting or {})
        countries = self.cleaned_data["facebook_countries"]
        if countries:
            targeting["facebook"] = {"countries": countries}
        else:
            targeting.pop("facebook", None)
        audience.targeting = targeting
        if commit:
            audience.save()
        return audience


def _may_edit(membership: Membership) -> bool:
    # Owners, admins and editors: the roles that schedule without approval.
    return membership.can_schedule


def _editor(request: HttpRequest) -> Membership:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    if not _may_edit(membership):
        raise PermissionDenied(_("Only owners, admins and editors change audiences."))
    return membership


@cache
def _zones() -> list[str]:
    """The zone names the form suggests (it accepts any IANA name)."""
    return sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV"))
    )


def _page(request: HttpRequest, form: AudienceForm | None, status: int = 200) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    audiences = Audience.objects.filter(workspace=membership.workspace).annotate(
        variant_count=Count("posts")
    )
    return render(
        request,
        "scheduler/audiences.html",
        {
            "audiences": audiences,
            "form": form,
            "may_edit": _may_edit(membership),
            "zones": _zones() if form else [],
        },
        status=status,
    )


@workspace_page()
def audience_list(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    form = AudienceForm(workspace=membership.workspace) if _may_edit(membership) else None
    return _page(request, form)


@require_POST
@workspace_page()
def audience_create(request: HttpRequest) -> HttpResponse:
    membership = _editor(request)
    form = AudienceForm(request.POST, workspace=membership.workspace)
    if form.is_valid():
        audience = form.save()
        messages.success(request, _("Audience %(name)s added.") % {"name": audience.name})
        return redirect("audiences")
    return _page(request, form, status=400)


@workspace_page()
def audience_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _editor(request)
    audience = get_object_or_404(Audience, pk=pk, workspace=membership.workspace)
    form = AudienceForm(request.POST or None, instance=audience, workspace=membership.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Audience %(name)s saved.") % {"name": audience.name})
        return redirect("audiences")
    return render(
        request,
        "scheduler/audiences_form.html",
        {"form": form, "audience": audience, "zones": _zones()},
        status=400 if form.errors else 200,
    )


@require_POST
@workspace_page()
def audience_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _editor(request)
    audience = get_object_or_404(Audience, pk=pk, workspace=membership.workspace)
    audience.delete()  # its variants stay, without an audience (SET_NULL)
    messages.success(request, _("Audience %(name)s deleted.") % {"name": audience.name})
    return redirect("audiences")


urlpatterns: list[URLPattern] = [
    path("audiences/", audience_list, name="audiences"),
    path("audiences/new/", audience_create, name="audience-create"),
    path("audiences/<int:pk>/edit/", audience_edit, name="audience-edit"),
    path("audiences/<int:pk>/delete/", audience_delete, name="audience-delete"),
]
