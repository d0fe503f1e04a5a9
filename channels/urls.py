from __future__ import annotations

from django.urls import path

from channels import oauth, sandbox_visitors, views

urlpatterns = [
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/connect/<str:network>/", oauth.connect_start, name="connect-start"),
    path("accounts/callback/<str:network>/", oauth.connect_callback, name="connect-callback"),
    path("accounts/connect/<str:network>/choose/", oauth.connect_choose, name="connect-choose"),
    path("accounts/add/<str:network>/", views.add_manual_account, name="account-add-manual"),
    path(
        "accounts/sign-in/<str:network>/", views.connect_password, name="account-connect-password"
    ),
    path("accounts/webhook/<str:network>/", views.connect_webhook, name="account-connect-webhook"),
    path("accounts/<int:pk>/publishing/", views.account_publishing, name="account-publishing"),
    path("accounts/<int:pk>/disconnect/", views.account_disconnect, name="account-disconnect"),
    path("accounts/<int:pk>/reconnect/", views.account_reconnect, name="account-reconnect"),
    path("sandbox/", views.sandbox_feed, name="sandbox-feed"),
    path("sandbox/posts/<uuid:public_id>/", views.sandbox_post, name="sandbox-post"),
    path(
        "sandbox/posts/<uuid:public_id>/comment/",
        sandbox_visitors.comment,
        name="sandbox-comment",
    ),
    path("sandbox/posts/<uuid:public_id>/react/", sandbox_visitors.react, name="sandbox-react"),
    path(
        "sandbox/accounts/<str:external_id>/follow/",
        sandbox_visitors.follow,
        name="sandbox-follow",
    ),
    path(
        "sandbox/accounts/<str:external_id>/message/",
        sandbox_visitors.message,
        name="sandbox-message",
    ),
]
