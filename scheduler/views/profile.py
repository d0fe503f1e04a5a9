"""A person's own profile: the language and the time zone pages are shown in, and API keys."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scheduler.apikeys import NewKey
from scheduler.language import chosen_language
from scheduler.models import User
from scheduler.views import apikeys


def _language_choices() -> list[tuple[str, str]]:
    # Each language is named in its own words ("Svenska"), so anyone can find theirs.
    return [("", gettext_lazy("Automatic (browser)")), *settings.LANGUAGES]


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones())]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=_language_choices,
        required=False,
        help_text=gettext_lazy("Automatic follows the language your browser asks for."),
    )
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=_zone_choices,
        help_text=gettext_lazy("Dates and times are shown, and typed, in this zone."),
        error_messages={"invalid_choice": gettext_lazy("Unknown time zone: %(value)s.")},
    )

    class Meta:
        model = User
        fields = ["language", "timezone"]


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # A copy, so a refused form leaves the top bar showing what is really saved.
    person = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Say it in the language the next page is shown in.
        translation.activate(
            chosen_language(person) or translation.get_language_from_request(request)
        )
        messages.success(request, _("Your profile is saved."))
        return HttpResponseRedirect(reverse("profile"))
    return render_profile(request, form=form, status=400 if form.errors else 200)


def render_profile(
    request: HttpRequest,
    form: ProfileForm | None = None,
    key_form: apikeys.ApiKeyForm | None = None,
    new_key: NewKey | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = ProfileForm(instance=User.objects.get(pk=request.user.pk))
    context = {"form": form, "new_key": new_key, **apikeys.section(request, key_form)}
    return render(request, "scheduler/profile.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("profile/", profile, name="profile"),
    *apikeys.urlpatterns,
]
