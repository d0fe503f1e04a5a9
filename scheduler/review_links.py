"""Review links: a signed, expiring link through which someone without an account
reviews posts (scheduler/views/review.py).

Only the SHA-256 of a link's token is stored, as for invitations
(scheduler/invites.py): the token exists in the URL shown once to the person who
made the link, so a database dump cannot be used to approve anything. A link
reaches only the posts it was made for, all of its own workspace.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler import approvals, audit
from scheduler.models import Campaign, Membership, Post, ReviewLink

DEFAULT_DAYS = 14
MAX_DAYS = 90


class LinkError(Exception):
    """The link was not made; `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Gone(Exception):
    """The link expired or was revoked (the page answers 410)."""

    def __init__(self, link: ReviewLink) -> None:
        super().__init__(link.pk)
        self.link = link


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def awaiting_posts(workspace_id: int) -> QuerySet[Post]:
    return Post.objects.filter(
        workspace_id=workspace_id, deliveries__state__in=approvals.UNDECIDED
    ).distinct()


def create(
    actor: Membership,
    *,
    reviewer_name: str,
    reviewer_email: str = "",
    post_ids: list[int] | None = None,
    campaign_id: int | None = None,
    days: int = DEFAULT_DAYS,
) -> tuple[ReviewLink, str]:
    """Make a link for the chosen awaiting posts (or all of a campaign's); return it
    and its token, which is not kept anywhere."""
    if not actor.can_approve:
        raise PermissionDenied(
            _("Your role (%(role)s) cannot share posts for review.")
            % {"role": actor.get_role_display()}
        )
    name = reviewer_name.strip()
    if not name or len(name) > 200:
        raise LinkError("reviewer_name", _("Give the reviewer's name (up to 200 characters)."))
    email = reviewer_email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise LinkError("reviewer_email", _("Enter a valid e-mail address.")) from None
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise LinkError("days", _("Give between 1 and %(n)s days.") % {"n": MAX_DAYS})
    chosen = awaiting_posts(actor.workspace_id)
    if campaign_id is not None:
        if not Campaign.objects.filter(pk=campaign_id, workspace_id=actor.workspace_id).exists():
            raise LinkError("campaign", _("Choose a campaign of this workspace."))
        chosen = chosen.filter(campaign_id=campaign_id)
    elif post_ids:
        chosen = chosen.filter(pk__in=post_ids)
        # Another workspace's post, or one not waiting, is refused, not skipped.
        if chosen.count() != len(set(post_ids)):
            raise LinkError("posts", _("Choose posts of this workspace that await approval."))
    else:
        raise LinkError("posts", _("Choose at least one post awaiting approval."))
    ids = list(chosen.values_list("pk", flat=True))
    if not ids:
        raise LinkError("campaign", _("No post of this campaign awaits approval."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = ReviewLink.objects.create(
            workspace_id=actor.workspace_id,
            token_hash=_hash(token),
            reviewer_name=name,
            reviewer_email=email,
            created_by=actor.user,
            expires_at=timezone.now() + timedelta(days=days),
        )
        link.posts.set(ids)
        audit.record(
            actor.workspace_id,
            audit.A.REVIEW_LINK_CREATED,
            link,
            actor=actor,
            target_label=name,
            posts=len(ids),
            days=days,
        )
    return link, token


def open_link(token: str) -> ReviewLink:
    """The link of `token`: Http404 when unknown, Gone when expired or revoked."""
    link = ReviewLink.objects.select_related("workspace").filter(token_hash=_hash(token)).first()
    if link is None:
        raise Http404
    if not link.is_open:
        raise Gone(link)
    return link


def post_of(link: ReviewLink, post_id: int) -> Post:
    """One of the link's own posts; anything else is not found."""
    try:
        return link.posts.get(pk=post_id, workspace_id=link.workspace_id)
    except Post.DoesNotExist:
        raise Http404 from None


def listed(workspace_id: int) -> QuerySet[ReviewLink]:
    """Links not revoked, newest first (expired ones say so)."""
    return ReviewLink.objects.filter(workspace_id=workspace_id, revoked_at=None).select_related(
        "created_by"
    )


def revoke(actor: Membership, link: ReviewLink) -> None:
    if not actor.can_approve:
        raise PermissionDenied(
            _("Your role (%(role)s) cannot revoke review links.")
            % {"role": actor.get_role_display()}
        )
    if link.workspace_id != actor.workspace_id:
        raise Http404
    with transaction.atomic():
        if ReviewLink.objects.filter(pk=link.pk, revoked_at=None).update(revoked_at=timezone.now()):
            audit.record(
                actor.workspace_id,
                audit.A.REVIEW_LINK_REVOKED,
                link,
                actor=actor,
                target_label=link.reviewer_name,
            )
