"""The Feeds pages: the RSS and Atom feeds the workspace follows, each one's
recent items and the posts they became; add, change, delete, "Check now".

Those who schedule (editors, admins, owners) manage feeds, since a feed in queue
mode schedules posts by itself; everyone else in the workspace reads.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from channels.models import SocialAccount
from scheduler import feed_setup, feeds
from scheduler.models import Campaign, Feed, FeedItem, Membership
from scheduler.models.feeds import DEFAULT_TEMPLATE, validate_template
from scheduler.views.access import workspace_page

MANAGE = "can_schedule"
RECENT = 30


class FeedForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Feed address"),
        max_length=1000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/feed.xml"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave blank to use the feed's own title."),
    )
    accounts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Post to"),
        queryset=SocialAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one account.")},
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Each new item"),
        choices=Feed.Mode.choices,
        initial=Feed.Mode.DRAFT,
        widget=forms.RadioSelect,
    )
    template = forms.CharField(
        label=gettext_lazy("Post template"),
        initial=DEFAULT_TEMPLATE,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_template],
        help_text=gettext_lazy("{title}, {link} and {summary} are filled in from each item."),
    )
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    active = forms.BooleanField(label=gettext_lazy("Check this feed"), required=False, initial=True)

    def __init__(self, membership: Membership, *args: object, **kwargs: object) -> None:
        self.membership = membership
        self.feed: Feed | None = kwargs.pop("feed", None)  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        workspace = membership.workspace
        self.fields["accounts"].queryset = SocialAccount.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.filter(workspace=workspace)  # type: ignore[attr-defined]

    def save(self) -> tuple[Feed, feed_setup.Probe | None]:
        """Save, or add the address's problem to the form and raise FeedErrors."""
        try:
            return feed_setup.save(self.membership, dict(self.cleaned_data), self.feed)
        except feed_setup.FeedErrors as exc:
            for name, problems in exc.errors.items():
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
            raise


def _feeds(membership: Membership) -> QuerySet[Feed]:
    return (
        Feed.objects.filter(workspace=membership.workspace)
        .select_related("campaign")
        .prefetch_related(Prefetch("accounts", queryset=SocialAccount.objects.order_by("name")))
        .annotate(
            item_count=Count("items", distinct=True),
        )
    )


def _own(request: HttpRequest, pk: int) -> Feed:
    membership = request.membership  # type: ignore[attr-defined]
    return get_object_or_404(_feeds(membership), pk=pk)


@workspace_page()
def feed_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    return render(request, "scheduler/feeds.html", {"feeds": list(_feeds(membership))})


@workspace_page()
def feed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feed = _own(request, pk)
    items = FeedItem.objects.filter(feed=feed).select_related("post")[:RECENT]
    return render(
        request, "scheduler/feed_detail.html", {"feed": feed, "items": items, "recent": RECENT}
    )


def _form_page(request: HttpRequest, feed: Feed | None) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    initial = None
    if feed is not None:
        initial = {
            "url": feed.url,
            "name": feed.name,
            "accounts": list(feed.accounts.all()),
            "mode": feed.mode,
            "template": feed.template,
            "campaign": feed.campaign,
            "active": feed.active,
        }
    form = FeedForm(membership, request.POST or None, initial=initial, feed=feed)
    if request.method == "POST" and form.is_valid():
        try:
            saved, read = form.save()
        except feed_setup.FeedErrors:
            pass
        else:
            if read is not None:
                messages.success(
                    request,
                    _("Found “%(title)s” with %(count)s items; new ones will become posts.")
                    % {"title": read.title or saved.name, "count": read.entries},
                )
            else:
                messages.success(request, _("The feed is saved."))
            return redirect("feed-detail", pk=saved.pk)
    context = {"form": form, "feed": feed}
    return render(request, "scheduler/feed_form.html", context, status=400 if form.errors else 200)


@workspace_page(MANAGE)
def feed_add(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@workspace_page(MANAGE)
def feed_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _own(request, pk))


@require_POST
@workspace_page(MANAGE)
def feed_delete(request: HttpRequest, pk: int) -> HttpResponse:
    feed = _own(request, pk)
    feed.delete()
    messages.success(
        request,
        _("The feed %(name)s is deleted; the posts it made stay.") % {"name": feed.name},
    )
    return redirect("feeds")


@require_POST
@workspace_page(MANAGE)
def feed_check(request: HttpRequest, pk: int) -> HttpResponse:
    feed = _own(request, pk)
    feeds.check_now(feed)
    messages.success(request, _("The feed is being checked; reload in a moment to see new items."))
    return redirect("feed-detail", pk=feed.pk)


urlpatterns = [
    path("feeds/", feed_list, name="feeds"),
    path("feeds/new/", feed_add, name="feed-add"),
    path("feeds/<int:pk>/", feed_detail, name="feed-detail"),
    path("feeds/<int:pk>/edit/", feed_edit, name="feed-edit"),
    path("feeds/<int:pk>/delete/", feed_delete, name="feed-delete"),
    path("feeds/<int:pk>/check/", feed_check, name="feed-check"),
]
