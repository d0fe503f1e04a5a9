"""Comments on posts, and the @username mentions in them.

Anyone in the workspace may comment, viewers included. Approving, rejecting and
asking for changes leave a comment too (scheduler/approvals.py), so their text can
mention people as well.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from scheduler import notify
from scheduler.models import Comment, Post, User

MAX_LENGTH = 5000
# Django usernames are letters, digits and @ . + - _; a mention ends on a letter or
# digit, so "thanks @ana." names ana. Not preceded by a word character, so an
# e-mail address such as ana@example.com mentions nobody.
MENTION = re.compile(r"(?<![\w@])@([\w.@+-]*\w)")


class CommentError(ValueError):
    """The comment cannot be saved; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def mentioned_members(workspace_id: int, body: str) -> list[User]:
    """Return the workspace's members named with @username in `body` (any letter case)."""
    names = {m.lower() for m in MENTION.findall(body)}
    if not names:
        return []
    members = User.objects.filter(memberships__workspace_id=workspace_id, is_active=True)
    return [u for u in members.order_by("username") if u.username.lower() in names]


def add(
    post: Post,
    author: User | None,
    body: str,
    kind: str = Comment.Kind.COMMENT,
    reviewer_name: str = "",
) -> Comment:
    """Save a comment with its mentions and tell the people mentioned (after commit)."""
    body = body.strip()
    if not body and kind == Comment.Kind.COMMENT:
        raise CommentError(_("Write a comment first."))
    if len(body) > MAX_LENGTH:
        raise CommentError(
            _("Keep it under %(n)s characters; this has %(len)s.")
            % {"n": MAX_LENGTH, "len": len(body)}
        )
    with transaction.atomic():
        comment = Comment.objects.create(
            post=post, author=author, kind=kind, body=body, reviewer_name=reviewer_name
        )
        people = mentioned_members(post.workspace_id, body)
        if people:
            comment.mentions.set(people)
            notify.mentioned(comment.pk)
    return comment
