from __future__ import annotations

from scheduler.models.collaboration import Comment, Notification
from scheduler.models.deliveries import Delivery, DeliveryAttempt
from scheduler.models.people import Invite, Membership, Role, User, Workspace
from scheduler.models.posts import Audience, Campaign, MediaAsset, Post, PostMedia, QueueSlot

__all__ = [
    "Audience",
    "Campaign",
    "Comment",
    "Delivery",
    "DeliveryAttempt",
    "Invite",
    "MediaAsset",
    "Membership",
    "Notification",
    "Post",
    "PostMedia",
    "QueueSlot",
    "Role",
    "User",
    "Workspace",
]
