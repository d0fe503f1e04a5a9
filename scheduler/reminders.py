"""Deliveries a person posts by hand: the reminder, then "posted" or "skipped".

Snapchat has no posting API open to SMO (platforms.md §9), and any account can be
set to publish by reminder (`SocialAccount.publishing`), as Buffer's
"notification publishing" and Later's reminders work. When such a delivery comes
due, the engine claims it as it would for publishing, with the same conditional
UPDATE, but into `reminder_sent` and without calling the network, and the person
responsible is told once. They open the reminder, copy the caption, download the
media, post it in the network's app, then mark it posted (with the post's address
if they like) or skip it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.adapters.registry import UnknownNetwork, adapter_class
from channels.words import say
from scheduler import content, engine, notify
from scheduler.models import Delivery, MediaAsset, Workspace

logger = logging.getLogger(__name__)
S = Delivery.State


class ReminderRefused(ValueError):
    """The action does not apply (any more); `field` names the input at fault, if any."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- The engine's side -------------------------------------------------------------


def send(delivery_id: int) -> str:
    """Claim a queued delivery as a reminder and tell the person responsible, once.

    A second worker with the same message loses the claim and tells nobody. The
    notification is made in the claim's transaction: should it fail, the delivery
    stays queued and the requeue sweep (engine.reconcile_stuck) sends it again.
    """
    with transaction.atomic():
        claimed = engine.transition(
            delivery_id,
            S.QUEUED,
            S.REMINDER_SENT,
            reminded_at=timezone.now(),
            **engine.error_fields(None),
        )
        if not claimed:
            logger.info("delivery %s: claimed by another worker", delivery_id)
            return "lost-claim"
        told = notify.reminder_due(delivery_id)
    logger.info("delivery %s: reminder sent to %s people", delivery_id, len(told))
    return "reminder"


# --- What people see ---------------------------------------------------------------


def open_reminders(workspace: Workspace) -> QuerySet[Delivery]:
    """The workspace's reminders waiting for a person, the longest waiting first."""
    return (
        Delivery.objects.filter(account__workspace=workspace, state=S.REMINDER_SENT)
        .select_related("post", "post__campaign", "account")
        .order_by("reminded_at", "id")
    )


def count(workspace_id: int) -> int:
    # Every page's navigation shows it: read from delivery_reminder_idx alone.
    return Delivery.objects.filter(
        account__workspace_id=workspace_id, state=S.REMINDER_SENT
    ).count()


@dataclass
class Reminder:
    """What a person needs to post one delivery by hand."""

    delivery: Delivery
    network_name: str
    caption: str
    media: list[MediaAsset]
    first_comment: str = ""
    thread: tuple[str, ...] = ()
    options: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.delivery.state == S.REMINDER_SENT


def reminder(delivery: Delivery) -> Reminder:
    """Put together the caption (with the campaign's UTM tags), media and network options."""
    found = content.content_for(delivery)
    caption = found.text
    if found.link and found.link not in caption:
        caption = f"{caption} {found.link}" if caption else found.link
    try:
        cls = adapter_class(delivery.account.network)
        network_name, known = cls.display_name, cls.post_options
    except UnknownNetwork:
        network_name, known = delivery.account.network, ()
    labels = {o.name: say(o.label) for o in known}
    options = [
        (labels.get(name, name), _option_text(value))
        for name, value in found.options.items()
        if value not in (None, "", [], ())
    ]
    assets = [a.asset for a in delivery.post.attachments.select_related("asset")]
    return Reminder(
        delivery=delivery,
        network_name=network_name,
        caption=caption,
        media=assets,
        first_comment=found.first_comment,
        thread=found.thread,
        options=options,
    )


def _option_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def media_url(delivery_id: int, asset_id: int) -> str:
    """The signed-in download of one of the post's files (its link in the e-mail too).

    Behind sign-in rather than a signed link (scheduler/media_links.py): a
    reminder may wait longer than a signed link lives.
    """
    return reverse("reminder-media", args=[delivery_id, asset_id]) + "?download=1"


def email_lines(delivery_id: int) -> list[str]:
    """The caption and media links a reminder e-mail carries, in the active language."""
    delivery = Delivery.objects.select_related("post__campaign", "account").get(pk=delivery_id)
    found = reminder(delivery)
    site = settings.SMO_PUBLIC_URL.rstrip("/")
    lines = ["", _("Caption to copy:"), "", found.caption or _("(no caption)")]
    if found.first_comment:
        lines += ["", _("Then comment:"), "", found.first_comment]
    for label, value in found.options:
        lines += ["", f"{label}: {value}"]
    if found.media:
        lines += ["", _("Media to download:")]
        lines += [f"- {a.original_name}: {site}{media_url(delivery_id, a.pk)}" for a in found.media]
    return lines


# --- What people do ----------------------------------------------------------------


def mark_posted(delivery: Delivery, url: str = "") -> None:
    """Record a reminder as published by hand now, optionally with the post's address."""
    url = url.strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise ReminderRefused(
                _("That is not a web address; paste the post's http(s) link, or leave it empty."),
                field="url",
            ) from exc
        if len(url) > 1000:
            raise ReminderRefused(_("That address is too long."), field="url")
    _check_open(delivery)
    moved = engine.transition(
        delivery.pk,
        S.REMINDER_SENT,
        S.PUBLISHED,
        published_at=timezone.now(),
        external_url=url,
        **engine.error_fields(None),
    )
    if not moved:
        raise ReminderRefused(_("Someone else changed this delivery first; look again."))


def skip(delivery: Delivery) -> None:
    """Record that nobody will post this one: it is cancelled."""
    _check_open(delivery)
    if not engine.transition(delivery.pk, S.REMINDER_SENT, S.CANCELLED, due_at=None):
        raise ReminderRefused(_("Someone else changed this delivery first; look again."))


def _check_open(delivery: Delivery) -> None:
    if delivery.state != S.REMINDER_SENT:
        raise ReminderRefused(
            _("This reminder is closed: the delivery is %(state)s.")
            % {"state": str(delivery.get_state_display()).lower()}
        )
