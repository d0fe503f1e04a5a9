"""/l/<code>: SMO's short links. One cache lookup finds the target; the click is
handed to a task, so the redirect never waits on the database."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from scheduler import links


@never_cache  # every click must reach SMO to be counted
def follow(request: HttpRequest, code: str) -> HttpResponse:
    found = links.target(code)
    if found is None:
        raise Http404(_("No such link."))
    link_id, url = found
    if not links.is_bot(request.headers.get("User-Agent", "")):
        from scheduler.tasks import record_click

        record_click.delay(
            link_id,
            timezone.now().isoformat(),
            links.network_of(request.headers.get("Referer", "")),
            links.country_of(request.headers),
        )
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer-when-downgrade"
    return response


urlpatterns = [path("l/<str:code>", follow, name="short-link")]
