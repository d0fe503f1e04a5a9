from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from scheduler.api import analytics, evergreen, feeds, inbox, keys, library, people, review, views

router = DefaultRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("posts", views.PostViewSet, basename="post")
router.register("deliveries", views.DeliveryViewSet, basename="delivery")
router.register("media", views.MediaViewSet, basename="media")
router.register("keys", keys.ApiKeyViewSet, basename="key")
router.register("members", people.MemberViewSet, basename="member")
router.register("invites", people.InviteViewSet, basename="invite")
router.register("inbox", inbox.InboxViewSet, basename="inbox")
router.register("saved-replies", inbox.SavedReplyViewSet, basename="saved-reply")
router.register("analytics", analytics.AnalyticsViewSet, basename="analytics")
router.register("feeds", feeds.FeedViewSet, basename="feed")
router.register("snippets", library.SnippetViewSet, basename="snippet")
router.register("templates", library.TemplateViewSet, basename="post-template")
router.register("signatures", library.SignatureViewSet, basename="signature")
router.register("evergreen", evergreen.EvergreenViewSet, basename="evergreen")
router.register("review-links", review.ReviewLinkViewSet, basename="review-link")
router.register("approvals", review.ApprovalViewSet, basename="approval")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script from a URL, not inline (content security policy).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="scheduler/api_docs.html"
        ),
        name="api-docs",
    ),
    path(
        "approval-steps/",
        review.ApprovalStepsViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="approval-steps-api",
    ),
    path("", include(router.urls)),
]
