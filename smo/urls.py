from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scheduler import exposition
from scheduler.media_serving import serve_media_file

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # Prometheus' default path, without the trailing slash.
    path("metrics", exposition.serve_metrics, name="metrics"),
    path("api/v1/", include("scheduler.api.urls")),
    path("", include("channels.urls")),
    path("", include("scheduler.urls")),
]
# Uploaded media: served by Django itself only in DEBUG; production puts a web
# server or object storage in front (see README).
urlpatterns += static(settings.MEDIA_URL, view=serve_media_file, document_root=settings.MEDIA_ROOT)
