"""Hide, show again or delete an inbox item on its network.

A person asks (`request`); a task makes the call (`run`). Asking marks the item
with the pending action in one conditional UPDATE, so a double click sends one
task, and the networks treat hiding twice or deleting what is gone as done
(Adapter.moderate), so a task delivered twice is harmless. A refusal or an
error is kept on the item for the page to show; the person may ask again.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from channels.adapters import base
from channels.adapters.engagement import DELETE, HIDE, UNHIDE
from channels.adapters.registry import adapter_for
from channels.words import Words, words
from scheduler import audit, content, tokens
from scheduler.models import AuditEvent, InboxItem
from scheduler.replies import target_of

logger = logging.getLogger(__name__)

ACTIONS = (HIDE, UNHIDE, DELETE)
AUDIT = {
    HIDE: AuditEvent.Action.INBOX_HIDDEN,
    UNHIDE: AuditEvent.Action.INBOX_UNHIDDEN,
    DELETE: AuditEvent.Action.INBOX_DELETED,
}


class CannotModerate(ValueError):
    def __init__(self, message: Words) -> None:
        super().__init__(str(message))
        self.words = message


def allowed(item: InboxItem) -> set[str]:
    """What the item's network lets SMO do to it now."""
    if item.deleted_at is not None:
        return set()
    support = adapter_for(item.account).engagement
    can: set[str] = set()
    if item.kind in support.hides and not item.own:
        can.add(UNHIDE if item.hidden_at else HIDE)
    if item.kind in support.deletes and (item.own or support.deletes_others):
        can.add(DELETE)
    return can


def request(item: InboxItem, action: str, user: object) -> None:
    """Ask for `action` on `item`; the task runs once the transaction commits."""
    if action not in allowed(item):
        network = adapter_for(item.account).display_name
        raise CannotModerate(words("%(network)s does not let SMO do this.", network=network))
    with transaction.atomic():
        if not InboxItem.objects.filter(pk=item.pk, moderation_pending="").update(
            moderation_pending=action, moderation_words={}
        ):
            raise CannotModerate(words("Another change to this item is on its way."))
        audit.record(
            item.workspace_id,
            AUDIT[action],
            item,
            actor=user,
            target_label=audit.label(item.text),
            network=item.network,
            author=item.author_handle or item.author_name,
        )
        enqueue(item.pk, action)


def enqueue(item_id: int, action: str) -> None:
    from scheduler.tasks import moderate_item

    moderate_item.delay_on_commit(item_id, action)


def run(item_id: int, action: str) -> str:
    item = InboxItem.objects.select_related("account").filter(pk=item_id).first()
    if item is None or item.moderation_pending != action:
        return "not-pending"
    account = item.account
    try:
        creds = tokens.fresh(account.pk, content.credentials_for(account), account.network)
        adapter_for(account).moderate(creds, target_of(item), action)
    except base.AdapterError as error:
        _done(item_id, action, error.words)
        return "failed"
    except Exception as error:
        logger.exception("inbox item %s: %s failed", item_id, action)
        _done(
            item_id,
            action,
            words("Could not reach the network: %(error)s", error=type(error).__name__),
        )
        return "failed"
    now = timezone.now()
    changes = {
        HIDE: {"hidden_at": now},
        UNHIDE: {"hidden_at": None},
        DELETE: {"deleted_at": now, "state": InboxItem.State.DONE},
    }[action]
    InboxItem.objects.filter(pk=item_id, moderation_pending=action).update(
        moderation_pending="", moderation_words={}, **changes
    )
    return "done"


def _done(item_id: int, action: str, why: Words) -> None:
    InboxItem.objects.filter(pk=item_id, moderation_pending=action).update(
        moderation_pending="", moderation_words=why.as_json()
    )
