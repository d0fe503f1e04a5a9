from __future__ import annotations

from django.urls import path

from scheduler.views import compose, dashboard, post_detail

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("workspace/", dashboard.switch_workspace, name="switch-workspace"),
    path("compose/", compose.compose, name="compose"),
    path("posts/<int:pk>/", post_detail.post_detail, name="post-detail"),
    path("posts/<int:pk>/cancel/", post_detail.post_cancel, name="post-cancel"),
]
