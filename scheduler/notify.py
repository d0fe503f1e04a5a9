"""Tell people what happened: a Notification row under the bell, and an e-mail.

Each function takes ids, so the engine can call it from a worker, and is idempotent
per event: calling it twice for the same failure, decision or mention creates no
second row and sends no second e-mail. An event is named by the notification's
kind and link (a comment's anchor is unique), and for things that can happen again
to the same object (a delivery failing after a retry, an account expiring after a
reconnect) by the time the object last changed: a notification made since then
already told the person.

E-mails leave after the surrounding transaction commits, so nobody is told about
something that was rolled back. They hold the message and a link, never a token.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from channels.models import SocialAccount
from channels.words import Words, say, words
from scheduler.models import Comment, Delivery, Membership, Notification, Post, Role, User

logger = logging.getLogger(__name__)

Kind = Notification.Kind
S = Delivery.State


def approval_needed(post_id: int, fresh: bool = False) -> list[Notification]:
    """Ask the people of the step a post waits at to look at it.

    `fresh`: it just moved on to a new step, so the people of that step are told
    even if they were told of an earlier step.
    """
    from scheduler import workflow

    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).select_related("author").get(pk=post_id)
        since = post.deliveries.filter(state=S.AWAITING_APPROVAL).aggregate(t=Min("updated_at"))
        if since["t"] is None:
            return []  # nothing awaits approval (any more)
        step = workflow.of(post.workspace_id).at(post.approval_step)
        roles = Membership.CAN_SCHEDULE if step.by == workflow.TEAM else {Role.VIEWER}
        approvers = _members(post.workspace_id, roles, exclude=post.author_id)
        message = words(
            "%(author)s asks for approval: “%(text)s”",
            author=_name(post.author),
            text=_excerpt(post.text),
        )
        url = reverse("post-detail", args=[post.pk]) + "#review"
        when = timezone.now() if fresh else since["t"]
        return _create(post.workspace_id, approvers, Kind.APPROVAL_NEEDED, message, url, when)


def approval_expired(post_id: int) -> list[Notification]:
    """Tell the author and the approvers that a post's time passed unapproved
    (scheduler/unapproved.py claims each post once, so this runs once)."""
    post = Post.objects.select_related("author").get(pk=post_id)
    people = _members(post.workspace_id, Membership.CAN_SCHEDULE, also=post.author_id)
    message = words(
        "“%(text)s” expired: its time passed before it was approved.",
        text=_excerpt(post.text),
    )
    url = reverse("post-detail", args=[post.pk]) + "#review"
    return _create(post.workspace_id, people, Kind.APPROVAL_EXPIRED, message, url, claimed=True)


# Put into words for each person, in their language, when notified.
DECISIONS = {
    Comment.Kind.APPROVED: (
        Kind.APPROVED,
        gettext_noop("%(actor)s approved your post “%(text)s”."),
    ),
    Comment.Kind.REJECTED: (
        Kind.REJECTED,
        gettext_noop("%(actor)s rejected your post “%(text)s”: %(body)s"),
    ),
    Comment.Kind.CHANGES_REQUESTED: (
        Kind.CHANGES_REQUESTED,
        gettext_noop("%(actor)s asked for changes to your post “%(text)s”: %(body)s"),
    ),
}


# What the team reads when a client decided through a review link.
CLIENT_DECISIONS = {
    Comment.Kind.APPROVED: gettext_noop("%(actor)s (review link) approved “%(text)s”."),
    Comment.Kind.REJECTED: gettext_noop("%(actor)s (review link) rejected “%(text)s”: %(body)s"),
    Comment.Kind.CHANGES_REQUESTED: gettext_noop(
        "%(actor)s (review link) asked for changes to “%(text)s”: %(body)s"
    ),
}


def decided(comment_id: int, tell_approvers: bool = False) -> list[Notification]:
    """Tell a post's author that it was approved, rejected or sent back for changes
    (and the team's approvers, when a client decided through a review link)."""
    with transaction.atomic():
        comment = _lock_comment(comment_id)
        if comment.kind not in DECISIONS:
            return []
        kind, text = DECISIONS[comment.kind]
        post = comment.post
        url = _comment_url(comment)
        authors = _members(post.workspace_id, None, only=post.author_id, exclude=comment.author_id)
        made = _create(post.workspace_id, authors, kind, Words(text, _comment_words(comment)), url)
        if tell_approvers:
            team = _members(post.workspace_id, Membership.CAN_SCHEDULE, exclude=post.author_id)
            told = Words(CLIENT_DECISIONS[comment.kind], _comment_words(comment))
            made += _create(post.workspace_id, team, kind, told, url)
        return made


def mentioned(comment_id: int) -> list[Notification]:
    """Tell each person named with @username in a comment (but not its author)."""
    with transaction.atomic():
        comment = _lock_comment(comment_id)
        ids = [u.pk for u in comment.mentions.all() if u.pk != comment.author_id]
        people = _members(comment.post.workspace_id, None, only=ids)
        message = Words(
            gettext_noop("%(actor)s mentioned you on “%(text)s”: %(body)s"),
            _comment_words(comment),
        )
        return _create(
            comment.post.workspace_id, people, Kind.MENTIONED, message, _comment_url(comment)
        )


def delivery_failed(delivery_id: int) -> list[Notification]:
    """Tell the post's author and the workspace's owners and admins that a delivery
    failed or needs a person to decide; call it after the transition."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("post__author", "account")
            .get(pk=delivery_id)
        )
        if delivery.state not in (S.FAILED, S.NEEDS_ATTENTION):
            return []
        post = delivery.post
        values = {
            "text": _excerpt(post.text),
            "account": delivery.account.name,
            "error": _error_words(delivery.error_words, delivery.last_error),
        }
        if delivery.state == S.FAILED:
            message = Words(
                gettext_noop("Post “%(text)s” failed on %(account)s: %(error)s"), values
            )
        else:
            message = Words(
                gettext_noop("Post “%(text)s” needs attention on %(account)s: %(error)s"), values
            )
        people = _members(post.workspace_id, Membership.CAN_MANAGE_ACCOUNTS, also=post.author_id)
        url = reverse("post-detail", args=[post.pk]) + f"#delivery-{delivery.pk}"
        return _create(
            post.workspace_id, people, Kind.DELIVERY_FAILED, message, url, delivery.updated_at
        )


def account_needs_reconnect(account_id: int) -> list[Notification]:
    """Tell the workspace's owners and admins that an account must be reconnected;
    call it after marking the account."""
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account_id)
        if account.status != SocialAccount.Status.NEEDS_RECONNECT:
            return []
        message = words(
            "%(account)s needs reconnecting; its posts are on hold until then. %(detail)s",
            account=account.name,
            detail=_error_words(account.status_words, account.status_detail, required=False),
        )
        people = _members(account.workspace_id, Membership.CAN_MANAGE_ACCOUNTS)
        url = reverse("accounts") + f"#account-{account.pk}"
        # A reconnect saves the account (updated_at); marking it does not, so a
        # notification made since the last connect has told about this expiry.
        return _create(
            account.workspace_id,
            people,
            Kind.ACCOUNT_NEEDS_RECONNECT,
            message,
            url,
            account.updated_at,
        )


def inbox_assigned(item_id: int, assignee_id: int, by_id: int) -> list[Notification]:
    """Tell a teammate an inbox item was given to them to answer."""
    from scheduler.models import InboxItem  # notify is imported by the models' users

    item = InboxItem.objects.select_related("account").get(pk=item_id)
    by = User.objects.get(pk=by_id)
    message = words(
        "%(who)s gave you a message from %(author)s on %(account)s to answer: %(text)s",
        who=_name(by),
        author=item.author_handle or item.author_name,
        account=item.account.name,
        text=_excerpt(item.text),
    )
    url = reverse("inbox") + f"?item={item.pk}"
    people = list(User.objects.filter(pk=assignee_id))
    # Told again if given back to them later: each assignment is news.
    return _create(item.workspace_id, people, Kind.INBOX_ASSIGNED, message, url, timezone.now())


def account_access_ending(account_id: int, days: int) -> list[Notification]:
    """Tell the workspace's owners and admins that an account's access ends in
    `days` days and only a person can renew it. scheduler/expiry.py claims each
    warning on the account first, so this goes out once per end and threshold."""
    account = SocialAccount.objects.get(pk=account_id)
    if days <= 1:
        message = words(
            "%(account)s loses access within a day and SMO cannot renew it: "
            "reconnect it now, or its posts will be held.",
            account=account.name,
        )
    else:
        message = words(
            "%(account)s loses access in %(days)s days and SMO cannot renew it: "
            "reconnect it before then, or its posts will be held.",
            account=account.name,
            days=days,
        )
    people = _members(account.workspace_id, Membership.CAN_MANAGE_ACCOUNTS)
    url = reverse("accounts") + f"#account-{account.pk}"
    return _create(
        account.workspace_id, people, Kind.ACCOUNT_NEEDS_RECONNECT, message, url, claimed=True
    )


def reminder_due(delivery_id: int) -> list[Notification]:
    """Tell the person responsible that a delivery waits to be posted by hand: the
    post's author, else whoever connected the account, else the workspace's owners
    and admins. Call it after the delivery moved to `reminder_sent`."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("post", "account")
            .get(pk=delivery_id)
        )
        if delivery.state != S.REMINDER_SENT:
            return []
        post, account = delivery.post, delivery.account
        message = words(
            "Time to post “%(text)s” on %(account)s by hand.",
            text=_excerpt(post.text_for(account.network)),
            account=account.name,
        )
        people = _responsible(post.workspace_id, post.author_id, account.connected_by_id)
        url = reverse("reminder", args=[delivery.pk])
        return _create(
            post.workspace_id,
            people,
            Kind.REMINDER,
            message,
            url,
            delivery.reminded_at,
            delivery_id=delivery.pk,
        )


# --- Helpers ---------------------------------------------------------------------------


def _responsible(workspace_id: int, *candidates: int | None) -> list[User]:
    """The first candidate still in the workspace who can act on posts, else its admins."""
    for user_id in candidates:
        if user_id is None:
            continue
        doer = Membership.objects.filter(
            workspace_id=workspace_id,
            user_id=user_id,
            user__is_active=True,
            role__in=Membership.CAN_WRITE,
        ).select_related("user")
        if found := [m.user for m in doer]:
            return found
    return _members(workspace_id, Membership.CAN_MANAGE_ACCOUNTS)


def _members(
    workspace_id: int,
    roles: Iterable[str] | None,
    *,
    only: int | Iterable[int] | None = None,
    also: int | None = None,
    exclude: int | None = None,
) -> list[User]:
    """Active members of the workspace: with one of `roles`, or among `only`, plus `also`."""
    roles = set(roles or ())
    listed = {only} if isinstance(only, int) else set(only or ())
    if also is not None:
        listed.add(also)
    memberships = Membership.objects.filter(workspace_id=workspace_id, user__is_active=True)
    return [
        m.user
        for m in memberships.select_related("user").order_by("user__username")
        if (m.role in roles or m.user_id in listed) and m.user_id != exclude
    ]


def _create(
    workspace_id: int,
    people: list[User],
    kind: str,
    message: Words,
    url: str,
    since: datetime | None = None,
    delivery_id: int | None = None,
    claimed: bool = False,
) -> list[Notification]:
    """Make one notification per person not yet told about this event, e-mail them on commit.

    Each person reads it in their own language (their profile's, else the site's).
    `claimed`: the caller has made sure the event is told once (scheduler/expiry.py).
    """
    already: set[int] = set()
    if not claimed:
        told = Notification.objects.filter(user__in=people, kind=kind, url=url)
        if since is not None:
            told = told.filter(created_at__gte=since)
        already = set(told.values_list("user_id", flat=True))
    made = Notification.objects.bulk_create(
        Notification(
            user=u,
            workspace_id=workspace_id,
            kind=kind,
            message=Truncator(_in_language_of(u, message)).chars(500),
            url=url,
            delivery_id=delivery_id,
        )
        for u in people
        if u.pk not in already
    )
    if made:
        transaction.on_commit(partial(send_emails, [n.pk for n in made]))
    return made


def send_emails(notification_ids: list[int]) -> int:
    """E-mail each notification not e-mailed yet; return how many went out."""
    sent = 0
    rows = Notification.objects.filter(pk__in=notification_ids, emailed_at=None)
    for n in rows.select_related("user", "workspace"):
        if not n.user.email:
            continue
        # Claim first, so a second caller cannot send the same e-mail.
        if not Notification.objects.filter(pk=n.pk, emailed_at=None).update(
            emailed_at=timezone.now()
        ):
            continue
        try:
            with translation.override(_language(n.user)):
                body = _email_body(n)
            send_mail(
                subject=Truncator(f"[SMO] {n.message}").chars(120),
                message=body,
                from_email=None,
                recipient_list=[n.user.email],
            )
        except (OSError, smtplib.SMTPException):
            logger.exception("notification %s: could not send the e-mail", n.pk)
            Notification.objects.filter(pk=n.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent


def _email_body(n: Notification) -> str:
    lines = [n.message]
    if n.kind == Kind.REMINDER and n.delivery_id is not None:
        from scheduler import reminders  # it builds on this module

        try:
            lines += reminders.email_lines(n.delivery_id)
        except Exception:
            # The link to the reminder page still lets the person post it.
            logger.exception("notification %s: could not add the caption and media", n.pk)
    lines += [
        "",
        _("Open it: %(url)s") % {"url": settings.SMO_PUBLIC_URL.rstrip("/") + n.url},
        "",
        "-- ",
        _("You get this e-mail as a member of %(workspace)s on SMO.")
        % {"workspace": n.workspace.name},
        _("All your notifications: %(url)s")
        % {"url": settings.SMO_PUBLIC_URL.rstrip("/") + reverse("notifications")},
    ]
    return "\n".join(lines) + "\n"


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _in_language_of(user: User, message: Words) -> str:
    with translation.override(_language(user)):
        return say(message).strip()


def _error_words(stored: dict, english: str, *, required: bool = True) -> Words | str:
    """A delivery's or account's stored reason, as words to put in the reader's language."""
    if stored:
        return Words.from_json(stored)
    if english:
        return Truncator(english).chars(200)
    return words("no reason given") if required else ""


def _lock_comment(comment_id: int) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("post", "author")
        .get(pk=comment_id)
    )


def _comment_url(comment: Comment) -> str:
    return reverse("post-detail", args=[comment.post_id]) + f"#comment-{comment.pk}"


def _comment_words(comment: Comment) -> dict[str, str | Words]:
    return {
        "actor": comment.reviewer_name or _name(comment.author),
        "text": _excerpt(comment.post.text),
        "body": Truncator(comment.body).chars(200),
    }


def _name(user: User | None) -> str | Words:
    return user.username if user is not None else words("Someone")


def _excerpt(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(60)
