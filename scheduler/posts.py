"""Creating, editing, rescheduling and cancelling posts.

The API and the web pages both come here; this module owns the transaction and
the fan-out to one Delivery per account, and changes delivery state only through
`engine.transition`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.adapters.base import Content
from channels.adapters.registry import adapter_for
from channels.models import SocialAccount
from channels.words import say
from scheduler import audit, engine, notify, signatures, workflow
from scheduler import overrides as overrides_shape
from scheduler import utm as utm_tags
from scheduler.content import media_item, post_options
from scheduler.models import Campaign, Delivery, MediaAsset, Membership, Post, PostMedia

S = Delivery.State
A = audit.A
# A time picked in the current minute is "now", not "in the past": the composer
# works in whole minutes.
PAST_GRACE = timedelta(seconds=60)
IN_FLIGHT = (S.PUBLISHING, S.UNKNOWN)


class PostErrors(Exception):
    """What is wrong with a post, by field; nothing was saved."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class PostInput:
    text: str
    accounts: list[SocialAccount]
    scheduled_at: datetime | None = None  # aware; None with publish_now False is a draft
    publish_now: bool = False
    campaign: Campaign | None = None
    media: list[MediaAsset] = field(default_factory=list)
    link: str = ""
    first_comment: str = ""
    thread: list[str] = field(default_factory=list)
    # Links go out as SMO's short links, whose clicks are counted (scheduler/links.py).
    track_links: bool = False
    # {"x": {"text": "..."}}: the text a network gets instead of `text`, and
    # {"youtube": {"options": {...}}}: its own settings (scheduler/overrides.py).
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Each account's signature goes under the text unless the post opts out.
    add_signatures: bool = True

    def content(self) -> Content:
        return draft_content(
            self.text,
            self.media,
            self.link,
            self.first_comment,
            self.thread,
            utm=self.campaign.utm if self.campaign else None,
        )


def draft_content(
    text: str,
    media: list[MediaAsset],
    link: str = "",
    first_comment: str = "",
    thread: list[str] | tuple[str, ...] = (),
    utm: Mapping[str, object] | None = None,
) -> Content:
    """The content as a network will get it; `utm` tags every link (the campaign's)."""
    return Content(
        text=utm_tags.tag_text(text, utm),
        media=tuple(media_item(m) for m in media),
        link=utm_tags.tag(link, utm),
        first_comment=utm_tags.tag_text(first_comment, utm),
        thread=tuple(utm_tags.tag_text(part, utm) for part in thread),
    )


def override_text(overrides: dict[str, dict[str, Any]] | None, network: str) -> str:
    return str(((overrides or {}).get(network) or {}).get("text") or "")


def clean_overrides(raw: object) -> dict[str, dict[str, Any]]:
    """Keep the overrides that say something; raise PostErrors for a malformed one,
    by dotted field ("overrides.youtube.options.title")."""
    cleaned, errors = overrides_shape.clean(raw)
    if errors:
        raise PostErrors(errors)
    return cleaned


def content_problems(
    content: Content,
    accounts: list[SocialAccount],
    overrides: dict[str, dict[str, Any]] | None = None,
    utm: Mapping[str, object] | None = None,
    signed_by: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """Ask each target network's adapter what it would refuse.

    `signed_by` ({account id: signature}) is checked as part of each account's
    text, because it goes out with it.

    A network with its own text is checked with that text, and what it refuses
    in it is reported under "overrides", naming the network. Each account's
    adapter sees the network's settings as resolved for that account, and a
    problem with one is reported under its dotted field
    ("overrides.youtube.options.title", per account "...options.board.12").
    """
    errors: dict[str, list[str]] = defaultdict(list)
    if not content.text.strip():
        errors["text"].append(_("Write something to post."))
    if any(not part.strip() for part in content.thread):
        errors["thread"].append(_("A post in the thread is empty."))
    for account in accounts:
        own = utm_tags.tag_text(override_text(overrides, account.network), utm)
        checked = replace(content, text=own) if own else content
        signature = (signed_by or {}).get(str(account.pk), "")
        if signature and checked.text.strip():
            checked = replace(checked, text=signatures.signed(checked.text, signature))
        options = post_options(overrides, account)
        if options:
            checked = replace(checked, options=options)
        adapter = adapter_for(account)
        per_account = {o.name for o in adapter.post_options if o.per_account}
        for problem in adapter.validate(checked):
            if problem.code == "empty" and errors.get("text"):
                continue
            name = "overrides" if own and problem.field == "text" else problem.field
            if problem.field.startswith("options."):
                option = problem.field.removeprefix("options.")
                name = overrides_shape.option_field(
                    account.network, option, account.pk if option in per_account else None
                )
            errors[name].append(f"{account.name}: {say(problem.words)}")
    return dict(errors)


def check_time(when: datetime | None, now: datetime) -> dict[str, list[str]]:
    if when is not None and when < now - PAST_GRACE:
        return {
            "scheduled_at": [
                _("This time is in the past. Pick a time from now on, or publish now.")
            ]
        }
    return {}


def _start_state(first_step: int | None, when: datetime | None) -> str:
    """The state a delivery starts in; `first_step` is workflow.first_step's answer."""
    if when is None:
        return S.DRAFT
    return S.SCHEDULED if first_step is None else S.AWAITING_APPROVAL


def create_post(membership: Membership, data: PostInput) -> Post:
    """Validate and save a post with one delivery per account, all or nothing."""
    now = timezone.now()
    when = now if data.publish_now else data.scheduled_at
    signed_by = signatures.freeze(data.accounts, data.add_signatures)
    errors = {
        **content_problems(
            data.content(),
            data.accounts,
            data.overrides,
            data.campaign.utm if data.campaign else None,
            signed_by,
        ),
        **check_time(when, now),
        **overrides_shape.account_errors(data.overrides, data.accounts),
    }
    if not data.accounts:
        errors["account_ids"] = [_("Choose at least one account.")]
    if errors:
        raise PostErrors(errors)
    first_step = workflow.first_step(membership)
    state = _start_state(first_step, when)
    with transaction.atomic():
        post = Post.objects.create(
            workspace=membership.workspace,
            author=membership.user,
            campaign=data.campaign,
            text=data.text,
            link=data.link,
            first_comment=data.first_comment,
            thread=list(data.thread),
            overrides=dict(data.overrides),
            track_links=data.track_links,
            scheduled_at=when,
            add_signatures=data.add_signatures,
            signatures=signed_by,
            approval_step=first_step or 0,
        )
        _attach_media(post, data.media)
        Delivery.objects.bulk_create(
            Delivery(
                post=post,
                account=account,
                state=state,
                scheduled_at=when,
                due_at=when if state == S.SCHEDULED else None,
            )
            for account in data.accounts
        )
        audit.post_event(
            A.POST_CREATED,
            post,
            membership,
            state=state,
            scheduled_at=when.isoformat() if when else None,
            accounts=[a.name for a in data.accounts],
        )
        # Tells the approvers when something now waits for them (after commit).
        notify.approval_needed(post.pk)
    return post


def _attach_media(post: Post, media: list[MediaAsset]) -> None:
    PostMedia.objects.filter(post=post).delete()
    PostMedia.objects.bulk_create(
        PostMedia(post=post, asset=asset, position=i) for i, asset in enumerate(media)
    )


def update_post(membership: Membership, post: Post, changes: dict[str, object]) -> Post:
    """Apply a partial edit: text, link, first comment, thread, media, campaign,
    accounts and time.

    Deliveries already published stay as they are; the rest follow the edit.
    """
    now = timezone.now()
    deliveries = list(post.deliveries.select_related("account"))
    text = str(changes.get("text", post.text))
    link = str(changes.get("link", post.link))
    first_comment = str(changes.get("first_comment", post.first_comment))
    thread = list(changes.get("thread", post.thread))  # type: ignore[call-overload]
    overrides = changes.get("overrides", post.overrides)
    media = changes.get("media")
    media = (
        list(media)
        if isinstance(media, list)
        else [a.asset for a in post.attachments.select_related("asset")]
    )
    accounts = changes.get("accounts")
    accounts = list(accounts) if isinstance(accounts, list) else [d.account for d in deliveries]
    if "overrides" not in changes:
        # Settings kept for an account the edit took off the post go with it.
        overrides = overrides_shape.without_other_accounts(overrides, accounts)  # type: ignore[arg-type]
    timing_changed = "scheduled_at" in changes or changes.get("publish_now")
    when = now if changes.get("publish_now") else changes.get("scheduled_at", post.scheduled_at)
    campaign = changes["campaign"] if "campaign" in changes else post.campaign
    tags = campaign.utm if campaign else None  # type: ignore[union-attr]
    add_signatures = bool(changes.get("add_signatures", post.add_signatures))
    signed_by = signatures.freeze(
        accounts, add_signatures, post.signatures if post.add_signatures else None
    )
    errors = content_problems(
        draft_content(text, media, link, first_comment, thread, utm=tags),
        accounts,
        overrides,  # type: ignore[arg-type]
        tags,
        signed_by,
    )
    if timing_changed:
        errors.update(check_time(when, now))  # type: ignore[arg-type]
    errors.update(overrides_shape.account_errors(overrides, accounts))  # type: ignore[arg-type]
    if not accounts:
        errors["account_ids"] = [_("Choose at least one account.")]
    if any(d.state in IN_FLIGHT for d in deliveries) and (
        {"text", "link", "first_comment", "thread", "overrides", "media", "accounts"}
        & changes.keys()
    ):
        errors.setdefault("text", []).append(
            _("This post is being published right now; edit it when that has finished.")
        )
    if errors:
        raise PostErrors(errors)
    edited = sorted(
        {"text", "link", "first_comment", "thread", "overrides", "media", "accounts", "campaign"}
        & changes.keys()
    )
    before = post.scheduled_at
    with transaction.atomic():
        post.text = text
        post.link = link
        post.first_comment = first_comment
        post.thread = thread
        post.overrides = overrides  # type: ignore[assignment]
        post.add_signatures = add_signatures
        post.signatures = signed_by
        if "track_links" in changes:
            post.track_links = bool(changes["track_links"])
        if "campaign" in changes:
            post.campaign = changes["campaign"]  # type: ignore[assignment]
        if timing_changed:
            post.scheduled_at = when  # type: ignore[assignment]
        post.save()
        if "media" in changes:
            _attach_media(post, media)
        _sync_accounts(membership, post, deliveries, accounts)
        if timing_changed:
            _retime(membership, post, when)  # type: ignore[arg-type]
        if edited:
            audit.post_event(A.POST_EDITED, post, membership, fields=edited)
        if timing_changed and when != before:
            audit.post_event(
                A.POST_RESCHEDULED,
                post,
                membership,
                before=before.isoformat() if before else None,
                after=when.isoformat() if when else None,  # type: ignore[union-attr]
            )
        notify.approval_needed(post.pk)
    return post


def _sync_accounts(
    membership: Membership, post: Post, deliveries: list[Delivery], accounts: list[SocialAccount]
) -> None:
    wanted = {a.pk for a in accounts}
    have = {d.account_id for d in deliveries}
    for d in deliveries:
        if d.account_id not in wanted and d.state in engine.PENDING:
            _cancel(d)
    state = _start_state(workflow.first_step(membership), post.scheduled_at)
    Delivery.objects.bulk_create(
        Delivery(
            post=post,
            account=a,
            state=state,
            scheduled_at=post.scheduled_at,
            due_at=post.scheduled_at if state == S.SCHEDULED else None,
        )
        for a in accounts
        if a.pk not in have
    )


def _retime(membership: Membership, post: Post, when: datetime | None) -> None:
    """Move every not-yet-published delivery to `when` (None: back to draft)."""
    first_step = workflow.first_step(membership)
    restarted = False
    for d in post.deliveries.filter(state__in=engine.PENDING):
        if d.state in (S.QUEUED, S.RETRY_WAIT):
            # Pull it back from the queue; a message already sent finds it not
            # queued and does nothing.
            if not engine.transition(d.pk, d.state, S.SCHEDULED):
                continue
            d.state = S.SCHEDULED
        if when is None:
            if d.state != S.DRAFT:
                engine.transition(d.pk, d.state, S.DRAFT, scheduled_at=None, due_at=None)
            continue
        target = _start_state(first_step, when) if d.state == S.DRAFT else d.state
        if target == S.AWAITING_APPROVAL and d.state == S.DRAFT and not restarted:
            # Sent for approval again: it starts over at its first step.
            post.approval_step = first_step or 0
            post.save(update_fields=["approval_step"])
            restarted = True
        if target == S.AWAITING_APPROVAL:
            if d.state == S.AWAITING_APPROVAL:
                Delivery.objects.filter(pk=d.pk, state=d.state).update(scheduled_at=when)
            else:
                engine.transition(d.pk, d.state, target, scheduled_at=when, due_at=None)
        else:
            engine.transition(d.pk, d.state, S.SCHEDULED, scheduled_at=when, due_at=when)


def _cancel(delivery: Delivery) -> bool:
    state = delivery.state
    if state in (S.PUBLISHED, S.CANCELLED, S.PUBLISHING, S.UNKNOWN, S.FAILED):
        return False
    return engine.transition(delivery.pk, state, S.CANCELLED, due_at=None)


def cancel_post(post: Post, actor: Membership | None = None) -> list[Delivery]:
    """Cancel every delivery not yet out; return those that could not be stopped.
    `actor` is the person who deleted the post, None when SMO did (a series ended)."""
    with transaction.atomic():
        for d in post.deliveries.all():
            _cancel(d)
        post.cancelled_at = timezone.now()
        post.save(update_fields=["cancelled_at", "updated_at"])
        audit.post_event(A.POST_DELETED, post, actor)
    return list(post.deliveries.filter(state__in=IN_FLIGHT))
