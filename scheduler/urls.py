from __future__ import annotations

from django.urls import include, path

from scheduler.views import compose, dashboard, media_link, post_detail

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("workspace/", dashboard.switch_workspace, name="switch-workspace"),
    path("compose/", compose.compose, name="compose"),
    path("compose/check/", compose.compose_check, name="compose-check"),
    path("compose/options/", compose.compose_options, name="compose-options"),
    path("compose/media/", compose.media_upload, name="compose-media-upload"),
    path("compose/library/", compose.media_library, name="compose-media-library"),
    path("posts/<int:pk>/", post_detail.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", compose.post_edit, name="post-edit"),
    path("posts/<int:pk>/cancel/", post_detail.post_cancel, name="post-cancel"),
    path("m/<str:token>/", media_link.media_link, name="media-link"),
    # Each page family keeps its routes beside its views.
    path("", include("scheduler.views.calendar")),
    path("", include("scheduler.views.approvals")),
    path("", include("scheduler.views.notifications")),
    path("", include("scheduler.views.queue")),
    path("", include("scheduler.views.evergreen")),
    path("", include("scheduler.views.pause")),
    path("", include("scheduler.views.failures")),
    path("", include("scheduler.views.reminders")),
    path("", include("scheduler.views.imports")),
    path("", include("scheduler.views.profile")),
    path("", include("scheduler.views.variants")),
    path("", include("scheduler.views.audiences")),
    path("", include("scheduler.views.campaigns")),
    path("", include("scheduler.views.audit")),
    path("", include("scheduler.views.webhooks")),
    path("", include("scheduler.views.people")),
    path("", include("scheduler.views.join")),
    path("", include("scheduler.views.inbox")),
    path("", include("scheduler.views.saved_replies")),
    path("", include("scheduler.views.links")),
    path("", include("scheduler.views.analytics")),
    path("", include("scheduler.views.feeds")),
    path("", include("scheduler.views.library")),
    path("", include("scheduler.views.review")),
    path("", include("scheduler.views.approval_settings")),
]
