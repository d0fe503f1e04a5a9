"""The API keys section of the profile page: make a key, see when keys were used, revoke.

A new key's secret is in the one response that answers the form, never in a
redirect, the session or a message, so nothing keeps it once that page is gone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from scheduler import apikeys, workspaces
from scheduler.models import Membership

LIFETIMES = [
    ("", gettext_lazy("Never")),
    ("30", gettext_lazy("In 30 days")),
    ("90", gettext_lazy("In 90 days")),
    ("365", gettext_lazy("In a year")),
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Key name"),
        max_length=100,
        help_text=gettext_lazy("Say where it is used, e.g. “Zapier” or “Build server”."),
        error_messages={"required": gettext_lazy("Give the key a name.")},
    )
    expires = forms.ChoiceField(label=gettext_lazy("Expires"), choices=LIFETIMES, required=False)

    def __init__(self, *args: Any, membership: Membership | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        if (
            self.membership is not None
            and self.membership.api_keys.filter(name=name, revoked_at__isnull=True).exists()
        ):
            raise forms.ValidationError(
                _("You already have a key called %(name)s here; pick another name.")
                % {"name": name}
            )
        return name


def section(request: HttpRequest, form: ApiKeyForm | None = None) -> dict[str, Any]:
    """What the profile page needs for its API keys section."""
    membership = workspaces.for_session(request)
    return {
        "key_membership": membership,
        "key_form": form or ApiKeyForm(membership=membership),
        "api_keys": list(apikeys.of_person(request.user)),  # type: ignore[arg-type]
    }


@login_required
@require_POST
def key_create(request: HttpRequest) -> HttpResponse:
    # Imported here: profile.py imports this module for the section and the routes.
    from scheduler.views.profile import render_profile

    membership = workspaces.for_session(request)
    if membership is None:
        return HttpResponseRedirect(reverse("profile"))
    form = ApiKeyForm(request.POST, membership=membership)
    if not form.is_valid():
        return render_profile(request, key_form=form, status=400)
    days = form.cleaned_data["expires"]
    expires_at = timezone.now() + timedelta(days=int(days)) if days else None
    new = apikeys.create(membership, form.cleaned_data["name"], expires_at)
    response = render_profile(request, new_key=new)
    # The page holds the secret: keep it out of the browser's and proxies' caches.
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the person's own keys: anyone else's answers 404.
    key = get_object_or_404(apikeys.of_person(request.user), pk=pk)  # type: ignore[arg-type]
    apikeys.revoke(key)
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return HttpResponseRedirect(reverse("profile") + "#api-keys")


urlpatterns: list[URLPattern] = [
    path("profile/keys/", key_create, name="api-key-create"),
    path("profile/keys/<int:pk>/revoke/", key_revoke, name="api-key-revoke"),
]
