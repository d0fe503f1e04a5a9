from __future__ import annotations

from django.urls import path

from channels import views

urlpatterns = [
    path("sandbox/", views.sandbox_feed, name="sandbox-feed"),
    path("sandbox/posts/<uuid:public_id>/", views.sandbox_post, name="sandbox-post"),
]
