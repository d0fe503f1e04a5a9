"""Answers from the inbox: sent once, through the adapter, by a task.

The same care as publishing (scheduler/engine.py): every state change is one
conditional UPDATE, so a task delivered twice or two workers racing send
nothing twice; `sending` is entered before the network call; a call whose answer
was lost makes the reply `unknown`, and only a lookup on the network
(`Adapter.find_reply`) decides whether it went out or is sent again. When the
network cannot tell, a person decides (`needs_attention`).

    queued -> sending -> sent
                |-> retry_wait -> queued      (rate limit, temporary error)
                |-> failed                    (refused; says why)
                '-> unknown -> sent | queued | needs_attention
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from channels import text as text_rules
from channels.adapters import base
from channels.adapters.engagement import Engagement
from channels.adapters.registry import adapter_for
from channels.words import Words, as_words, words
from scheduler import audit, content, engine, inbox_sync, tokens
from scheduler.models import AuditEvent, InboxItem, Reply

logger = logging.getLogger(__name__)

R = Reply.State

TRANSITIONS: dict[str, frozenset[str]] = {
    R.QUEUED: frozenset({R.SENDING, R.RETRY_WAIT}),
    R.SENDING: frozenset({R.SENT, R.RETRY_WAIT, R.FAILED, R.UNKNOWN}),
    R.RETRY_WAIT: frozenset({R.QUEUED}),
    R.UNKNOWN: frozenset({R.SENT, R.QUEUED, R.NEEDS_ATTENTION}),
    R.NEEDS_ATTENTION: frozenset({R.SENT, R.QUEUED}),
    R.FAILED: frozenset({R.QUEUED}),
    R.SENT: frozenset(),
}


class CannotReply(ValueError):
    """The answer cannot be sent as asked; `words` says why, `field` what to fix."""

    def __init__(self, message: Words, field: str = "text") -> None:
        super().__init__(str(message))
        self.words = message
        self.field = field


def check(item: InboxItem, text: str) -> str:
    """Return the answer's text, stripped, or raise CannotReply."""
    text = text.strip()
    adapter = adapter_for(item.account)
    if not text:
        raise CannotReply(words("Write an answer first."))
    if item.kind not in adapter.engagement.replies_to:
        raise CannotReply(
            words("%(network)s does not let SMO answer this.", network=adapter.display_name),
            field="item",
        )
    if not item.account.is_active:
        raise CannotReply(
            words(
                "%(account)s needs reconnecting before it can answer.", account=item.account.name
            ),
            field="item",
        )
    limits = adapter.limits
    length = text_rules.count(text, limits.counting, limits.url_length)
    if length > limits.max_text:
        raise CannotReply(
            words(
                "%(network)s allows %(limit)s characters; this text has %(length)s.",
                network=adapter.display_name,
                limit=limits.max_text,
                length=length,
            )
        )
    return text


def create(item: InboxItem, user: object, text: str, *, close: bool = False) -> Reply:
    """Queue an answer to `item` (checked first) and send it once the transaction
    commits; the activity log records who answered."""
    text = check(item, text)
    now = timezone.now()
    with transaction.atomic():
        reply = Reply.objects.create(
            item=item,
            account=item.account,
            text=text,
            written_by=user,
            state=R.QUEUED,
            queued_at=now,
            due_at=now,
        )
        audit.record(
            item.workspace_id,
            AuditEvent.Action.INBOX_REPLIED,
            item,
            actor=user,
            target_label=audit.label(text),
            network=item.network,
            to=item.author_handle or item.author_name,
        )
        if close:
            from scheduler import inbox

            inbox.set_state(item, InboxItem.State.DONE)
        enqueue(reply.pk)
    return reply


def enqueue(reply_id: int) -> None:
    """Send send_reply(id) once the current transaction commits."""
    from scheduler.tasks import send_reply

    send_reply.delay_on_commit(reply_id)


def enqueue_resolve(reply_id: int) -> None:
    from scheduler.tasks import resolve_reply

    resolve_reply.delay_on_commit(reply_id)


def transition(reply_id: int, source: str, target: str, **fields: object) -> bool:
    """Move one reply from `source` to `target` if it is still in `source`."""
    if target not in TRANSITIONS[source]:
        raise ValueError(f"{source} -> {target} is not a reply transition")
    if target == R.SENDING:
        fields.update(attempts=F("attempts") + 1, sending_since=timezone.now())
    if "why" in fields:
        message = fields.pop("why")
        if message:
            message = as_words(message)  # type: ignore[arg-type]
            fields.update(last_error=str(message), error_words=message.as_json())
        else:
            fields.update(last_error="", error_words={})
    return bool(Reply.objects.filter(pk=reply_id, state=source).update(state=target, **fields))


def target_of(item: InboxItem) -> Engagement:
    """The stored item as the adapter yielded it."""
    return Engagement(
        external_id=item.external_id,
        kind=item.kind,
        text=item.text,
        created_at=item.posted_at,
        author_name=item.author_name,
        author_handle=item.author_handle,
        author_id=item.author_id,
        parent_post_id=item.parent_post_id,
        in_reply_to_id=item.in_reply_to_id,
        thread_id=item.thread_id,
        url=item.url,
        own=item.own,
        extra=item.extra,
    )


def _progress(reply: Reply) -> base.Progress:
    def save(steps: dict[str, object]) -> None:
        Reply.objects.filter(pk=reply.pk, state__in=(R.SENDING, R.UNKNOWN)).update(progress=steps)

    return base.Progress(reply.progress, save=save)


def send(reply_id: int) -> str:
    """Send one queued reply; return what happened, for the log."""
    reply = Reply.objects.select_related("item", "account").filter(pk=reply_id).first()
    if reply is None:
        return "gone"
    if reply.state != R.QUEUED:
        return "not-queued"
    account = reply.account
    if not account.is_active:
        # Held, like a delivery, until a person reconnects the account.
        transition(reply_id, R.QUEUED, R.RETRY_WAIT, due_at=None)
        return "held"
    if not transition(reply_id, R.QUEUED, R.SENDING):
        return "lost-claim"
    adapter = adapter_for(account)
    creds = content.credentials_for(account)
    try:
        creds = tokens.fresh(account.pk, creds, account.network)
        result = adapter.reply(
            creds, target_of(reply.item), reply.text, str(reply.idempotency_key), _progress(reply)
        )
    except base.RateLimited as error:
        transition(reply_id, R.SENDING, R.RETRY_WAIT, due_at=error.retry_at, why=error.words)
        return "rate-limited"
    except base.Transient as error:
        return _retry_or_fail(reply, error.words)
    except base.AuthExpired as error:
        return _auth_expired(reply, creds, error)
    except base.Permanent as error:
        if error.duplicate and reply.failures:
            return _to_unknown(reply_id, error.words)
        transition(reply_id, R.SENDING, R.FAILED, why=error.words)
        return "failed"
    except (base.AdapterError, SoftTimeLimitExceeded) as error:
        return _to_unknown(reply_id, getattr(error, "words", type(error).__name__))
    except Exception as error:
        logger.exception(
            "reply %s: unexpected error from the %s adapter", reply_id, account.network
        )
        return _to_unknown(reply_id, type(error).__name__)
    _sent(reply, result, R.SENDING)
    return "sent"


def _sent(reply: Reply, result: base.Published, source: str) -> None:
    """Record the answer as sent and put it in the thread, once."""
    with transaction.atomic():
        if not transition(
            reply.pk,
            source,
            R.SENT,
            external_id=result.external_id[:255],
            url=result.url[:1000],
            sent_at=result.published_at,
            last_error="",
            error_words={},
        ):
            return
        item = reply.item
        answer = Engagement(
            external_id=result.external_id,
            kind=InboxItem.Kind.MESSAGE if item.kind == InboxItem.Kind.MESSAGE else "reply",
            text=reply.text,
            created_at=result.published_at,
            author_name=reply.account.name,
            author_handle=reply.account.handle,
            author_id=reply.account.external_id,
            parent_post_id=item.parent_post_id,
            in_reply_to_id=item.external_id,
            thread_id=item.thread_id,
            url=result.url,
            own=True,
        )
        # The fetch that later reads it back finds it stored already.
        inbox_sync.store(reply.account, [answer])
    logger.info("reply %s: sent as %s", reply.pk, result.external_id)


def _retry_or_fail(reply: Reply, why: Words | str) -> str:
    failures = reply.failures + 1
    if failures >= settings.SMO_MAX_ATTEMPTS:
        transition(
            reply.pk,
            R.SENDING,
            R.FAILED,
            failures=failures,
            why=words(
                "Gave up after %(count)s attempts. Last error: %(error)s", count=failures, error=why
            ),
        )
        return "failed"
    due = timezone.now() + engine.backoff(failures)
    transition(reply.pk, R.SENDING, R.RETRY_WAIT, failures=failures, due_at=due, why=why)
    return "retry"


def _to_unknown(reply_id: int, why: Words | str) -> str:
    if transition(reply_id, R.SENDING, R.UNKNOWN, failures=F("failures") + 1, why=why):
        enqueue_resolve(reply_id)
    return "unknown"


def _auth_expired(reply: Reply, creds: base.Credentials, error: base.AuthExpired) -> str:
    """Refresh once and try again; if that fails the reply waits for a reconnect."""
    try:
        tokens.refresh_account(reply.account_id, creds)
    except base.AuthExpired:
        transition(reply.pk, R.SENDING, R.RETRY_WAIT, due_at=None, why=error.words)
        return "needs-reconnect"
    except base.AdapterError as refresh_error:
        return _retry_or_fail(reply, refresh_error.words)
    transition(reply.pk, R.SENDING, R.RETRY_WAIT, due_at=timezone.now(), why=error.words)
    return "refreshed"


def resolve_unknown(reply_id: int) -> str:
    """Ask the network whether an unanswered reply went out; never send blindly twice."""
    reply = Reply.objects.select_related("item", "account").filter(pk=reply_id).first()
    if reply is None or reply.state != R.UNKNOWN:
        return "not-unknown"
    account = reply.account
    adapter = adapter_for(account)
    try:
        creds = tokens.fresh(account.pk, content.credentials_for(account), account.network)
        found = adapter.find_reply(
            creds, target_of(reply.item), reply.text, str(reply.idempotency_key), _progress(reply)
        )
    except base.CannotTell as error:
        transition(reply_id, R.UNKNOWN, R.NEEDS_ATTENTION, why=error.words)
        return "needs-attention"
    except base.AdapterError as error:
        logger.info("reply %s: lookup failed (%s), will ask again", reply_id, error.network_code)
        return "unresolved"
    if found is not None:
        _sent(reply, found, R.UNKNOWN)
        return "sent"
    if reply.failures >= settings.SMO_MAX_ATTEMPTS:
        transition(
            reply_id,
            R.UNKNOWN,
            R.NEEDS_ATTENTION,
            why=words(
                "No answer from %(network)s after %(count)s attempts.",
                network=adapter.display_name,
                count=reply.failures,
            ),
        )
        return "needs-attention"
    with transaction.atomic():
        if not Reply.objects.filter(pk=reply_id, state=R.UNKNOWN, attempts=reply.attempts).update(
            state=R.QUEUED, queued_at=timezone.now()
        ):
            return "moved-on"
        enqueue(reply_id)
    return "requeued"


def retry(reply: Reply) -> bool:
    """A person sends a failed reply (or one needing attention) again."""
    for source in (R.FAILED, R.NEEDS_ATTENTION):
        with transaction.atomic():
            if transition(reply.pk, source, R.QUEUED, queued_at=timezone.now(), failures=0, why=""):
                enqueue(reply.pk)
                return True
    return False


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Replies a retry wait, a lost worker or a lost message left behind."""
    now = now or timezone.now()
    counts = {"due": 0, "lost": 0, "requeued": 0, "resolved": 0}
    due = Reply.objects.filter(
        state=R.RETRY_WAIT, due_at__lte=now, account__status="active"
    ).values_list("pk", flat=True)
    # Held for a reconnect: due again once the account is back.
    held = Reply.objects.filter(state=R.RETRY_WAIT, due_at=None, account__status="active")
    held.update(due_at=now)
    for pk in list(due):
        with transaction.atomic():
            if transition(pk, R.RETRY_WAIT, R.QUEUED, queued_at=now):
                enqueue(pk)
                counts["due"] += 1
    stuck = Reply.objects.filter(state=R.SENDING, sending_since__lt=now - settings.SMO_STUCK_AFTER)
    lost = words("The worker stopped before the network answered; checking with the network.")
    for pk in list(stuck.values_list("pk", flat=True)):
        if _to_unknown(pk, lost) == "unknown":
            counts["lost"] += 1
    lost_messages = Reply.objects.filter(
        state=R.QUEUED, queued_at__lt=now - settings.SMO_REQUEUE_AFTER
    )
    for pk in list(lost_messages.values_list("pk", flat=True)):
        with transaction.atomic():
            if Reply.objects.filter(pk=pk, state=R.QUEUED).update(queued_at=now):
                enqueue(pk)
                counts["requeued"] += 1
    unknown = list(Reply.objects.filter(state=R.UNKNOWN).values_list("pk", flat=True))
    random.shuffle(unknown)
    ends = time.monotonic() + settings.SMO_RECONCILE_SECONDS
    for pk in unknown:
        if time.monotonic() >= ends:
            break
        if resolve_unknown(pk) not in ("unresolved", "not-unknown"):
            counts["resolved"] += 1
    return counts
