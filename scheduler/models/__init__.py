from __future__ import annotations

from scheduler.models.analytics import (
    DeliveryMetrics,
    FollowerSample,
    LinkClick,
    MetricSample,
    MetricsSync,
    ShortLink,
)
from scheduler.models.apikeys import ApiKey
from scheduler.models.audit import AuditEvent
from scheduler.models.collaboration import Comment, Notification
from scheduler.models.deliveries import Delivery, DeliveryAttempt
from scheduler.models.evergreen import EvergreenSettings
from scheduler.models.feeds import Feed, FeedItem
from scheduler.models.inbox import InboxItem, InboxSync, Reply, SavedReply
from scheduler.models.library import AccountSignature, PostTemplate, Snippet
from scheduler.models.people import Invite, Membership, Role, User, Workspace
from scheduler.models.posts import Audience, Campaign, MediaAsset, Post, PostMedia, QueueSlot
from scheduler.models.review import ApprovalDecision, ApprovalWorkflow, ReviewLink
from scheduler.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "AccountSignature",
    "ApiKey",
    "ApprovalDecision",
    "ApprovalWorkflow",
    "Audience",
    "AuditEvent",
    "Campaign",
    "Comment",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryMetrics",
    "EvergreenSettings",
    "Feed",
    "FeedItem",
    "FollowerSample",
    "InboxItem",
    "InboxSync",
    "Invite",
    "LinkClick",
    "MediaAsset",
    "Membership",
    "MetricSample",
    "MetricsSync",
    "Notification",
    "Post",
    "PostMedia",
    "PostTemplate",
    "QueueSlot",
    "Reply",
    "ReviewLink",
    "Role",
    "SavedReply",
    "ShortLink",
    "Snippet",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "Workspace",
]
