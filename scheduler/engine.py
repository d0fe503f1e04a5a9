"""The scheduling engine: the delivery state machine, claiming, and retry policy.

Every state change is one conditional UPDATE (`WHERE id = %s AND state = %s`)
made by `transition()`. When it matches no row, another worker has already moved
the delivery and the caller stops: that is what makes duplicate task messages,
racing workers and redelivered messages harmless (DESIGN.md "Delivery state
machine"). Tasks in `scheduler.tasks` are thin wrappers around this module.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from channels.adapters import base
from channels.adapters.registry import adapter_for
from channels.models import SocialAccount
from channels.words import Words, as_words, words
from scheduler import audit, content, metrics, notify, ratebudget, tokens, webhooks
from scheduler.models import Delivery, DeliveryAttempt

logger = logging.getLogger(__name__)

S = Delivery.State
Ended = DeliveryAttempt.Outcome

# Every allowed (from -> to). A change not listed here is a bug, not a race.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AWAITING_APPROVAL, S.SCHEDULED, S.CANCELLED}),
    S.AWAITING_APPROVAL: frozenset({S.DRAFT, S.SCHEDULED, S.CANCELLED, S.EXPIRED}),
    # Its time passed unapproved: approved with a new time (or now), sent back,
    # moved on to a later step with a new time, or cancelled.
    S.EXPIRED: frozenset({S.SCHEDULED, S.DRAFT, S.CANCELLED, S.AWAITING_APPROVAL}),
    # scheduled -> scheduled is a reschedule: same state, new time.
    S.SCHEDULED: frozenset({S.DRAFT, S.SCHEDULED, S.QUEUED, S.CANCELLED}),
    # queued -> reminder_sent is the claim of an account that publishes by reminder.
    S.QUEUED: frozenset({S.PUBLISHING, S.RETRY_WAIT, S.SCHEDULED, S.CANCELLED, S.REMINDER_SENT}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.RETRY_WAIT, S.FAILED, S.UNKNOWN}),
    S.RETRY_WAIT: frozenset({S.QUEUED, S.SCHEDULED, S.CANCELLED}),
    S.UNKNOWN: frozenset({S.PUBLISHED, S.QUEUED, S.NEEDS_ATTENTION}),
    S.NEEDS_ATTENTION: frozenset({S.PUBLISHED, S.SCHEDULED, S.CANCELLED}),
    S.FAILED: frozenset({S.SCHEDULED}),
    # A person posted it by hand ("Mark as posted"), or chose not to ("Skip").
    S.REMINDER_SENT: frozenset({S.PUBLISHED, S.CANCELLED}),
    S.PUBLISHED: frozenset(),
    S.CANCELLED: frozenset(),
}

# States a person may still change the time of, or cancel.
PENDING = (S.DRAFT, S.AWAITING_APPROVAL, S.SCHEDULED, S.QUEUED, S.RETRY_WAIT)


class InvalidTransition(ValueError):
    pass


@dataclass(frozen=True)
class Outcome:
    """How a network call ended, written to the attempt row it closes."""

    outcome: str
    words: Words | str | None = None
    error_class: str = ""
    network_code: str = ""

    def __post_init__(self) -> None:
        if self.words is not None:
            object.__setattr__(self, "words", as_words(self.words))

    @property
    def detail(self) -> str:
        return str(self.words) if self.words else ""

    @classmethod
    def from_error(cls, outcome: str, error: Exception) -> Outcome:
        if isinstance(error, base.AdapterError):
            return cls(outcome, error.words, type(error).__name__, error.network_code)
        return cls(outcome, as_words(str(error) or type(error).__name__), type(error).__name__)


def error_fields(message: Words | str | None) -> dict[str, object]:
    """The delivery fields that say why it stopped: English for logs, words for people."""
    if not message:
        return {"last_error": "", "error_words": {}}
    message = as_words(message)
    return {"last_error": str(message), "error_words": message.as_json()}


def _check(source: str, target: str) -> None:
    if target not in TRANSITIONS[source]:
        raise InvalidTransition(f"{source} -> {target} is not a delivery transition")


def transition(
    delivery_id: int,
    source: str,
    target: str,
    *,
    outcome: Outcome | None = None,
    worker: str = "",
    only_if: dict[str, object] | None = None,
    **fields: object,
) -> bool:
    """Move one delivery from `source` to `target` if it is still in `source`
    (and still matches `only_if`, field by field).

    Entering `publishing` opens an attempt row; leaving it closes that row with
    `outcome`. Both happen in the same transaction as the state change.
    """
    _check(source, target)
    now = timezone.now()
    if target == S.PUBLISHING:
        fields.update(attempts=F("attempts") + 1, publishing_since=now, worker=worker)
    if outcome is not None and target != S.PUBLISHED and outcome.words:
        for name, value in error_fields(outcome.words).items():
            fields.setdefault(name, value)
    with transaction.atomic():
        moved = Delivery.objects.filter(pk=delivery_id, state=source, **(only_if or {})).update(
            state=target, updated_at=now, **fields
        )
        if not moved:
            return False
        if target == S.PUBLISHING:
            number = Delivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)
            DeliveryAttempt.objects.create(
                delivery_id=delivery_id, number=number, worker=worker, started_at=now
            )
        elif source == S.PUBLISHING and outcome is not None:
            DeliveryAttempt.objects.filter(delivery_id=delivery_id, finished_at=None).update(
                finished_at=now,
                outcome=outcome.outcome,
                detail=outcome.detail[:2000],
                detail_words=as_words(outcome.words).as_json() if outcome.words else {},
                error_class=outcome.error_class,
                network_code=outcome.network_code[:100],
            )
        if target in (S.PUBLISHED, S.FAILED):
            audit.delivery_ended(delivery_id, target)
            # Rows in this transaction; the tasks that send them go after commit.
            webhooks.delivery_ended(delivery_id, target)
    if target in (S.FAILED, S.NEEDS_ATTENTION):
        _tell_people(delivery_id)
    return True


def _tell_people(delivery_id: int) -> None:
    """Notify the post's author and the workspace's admins; never undo the transition."""
    try:
        notify.delivery_failed(delivery_id)
    except Exception:
        # A notification lost is a small harm; the delivery's state is already
        # saved and the "Needs a look" badge shows it regardless.
        logger.exception("delivery %s: could not notify people of the failure", delivery_id)


def transition_batch(ids: Iterable[int], source: str, target: str, **fields: object) -> int:
    """Move many deliveries at once; return how many were still in `source`."""
    _check(source, target)
    return Delivery.objects.filter(pk__in=list(ids), state=source).update(
        state=target, updated_at=timezone.now(), **fields
    )


# --- Sending work to the broker ----------------------------------------------------


def enqueue_publish(delivery_id: int, eta: datetime | None = None) -> None:
    """Send publish_delivery(id) once the current transaction commits."""
    from scheduler.tasks import publish_delivery

    if eta is not None and eta > timezone.now():
        publish_delivery.apply_async_on_commit((delivery_id,), eta=eta)
    else:
        publish_delivery.delay_on_commit(delivery_id)


def enqueue_reconcile(delivery_id: int) -> None:
    from scheduler.tasks import reconcile_delivery

    reconcile_delivery.delay_on_commit(delivery_id)


# What publish() and the reconciler read of a delivery, loaded in one query: the
# account and its workspace (pauses), the post and its campaign (UTM tags).
DELIVERY_WITH = ("account__workspace", "post__campaign")


# --- The dispatcher ----------------------------------------------------------------


@metrics.dispatch_tick
def dispatch_due(now: datetime | None = None) -> int:
    """Claim deliveries due within the look-ahead, queue them, send one task each.

    Those due in the next two seconds go out with an ETA of their exact time, so a
    post leaves on its second rather than on the next tick after it.
    """
    now = now or timezone.now()
    horizon = now + settings.SMO_DISPATCH_LOOKAHEAD
    batch = settings.SMO_DISPATCH_BATCH
    total = 0
    while True:
        with transaction.atomic():
            # SKIP LOCKED lets several dispatchers share the work on PostgreSQL;
            # SQLite has no row locks, its IMMEDIATE transaction serialises them.
            rows = list(
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state__in=Delivery.DUE_STATES, due_at__lte=horizon)
                # A pause holds what is due: it stays scheduled, not lost.
                .exclude(account__in=_held_accounts())
                .order_by("due_at")
                .values_list("id", "state", "due_at")[:batch]
            )
            for state in Delivery.DUE_STATES:
                ids = [pk for pk, st, _ in rows if st == state]
                if ids:
                    transition_batch(ids, state, S.QUEUED, queued_at=now)
            for pk, _, due_at in rows:
                enqueue_publish(pk, eta=due_at)
        total += len(rows)
        if len(rows) < batch:
            return total


def _held_accounts() -> QuerySet[SocialAccount]:
    """Accounts whose due deliveries wait: not connected, or paused with their workspace or alone.

    dispatch_due excludes these (NOT IN, a hashed subplan over a few rows) rather
    than joining every account: PostgreSQL misjudges how many rows `due_at <= now`
    finds in delivery_due_idx (its statistics count every published row's due_at),
    and given the join it looped over all accounts instead of walking the index:
    90 ms a tick at 1,000,000 deliveries against 0.4 ms (bench/store_scale.py).
    """
    return SocialAccount.objects.filter(
        ~Q(status=SocialAccount.Status.ACTIVE)
        | Q(paused_at__isnull=False)
        | Q(workspace__paused_at__isnull=False)
    ).values("pk")


# --- Publishing one delivery -------------------------------------------------------


def publish(delivery_id: int, worker: str = "") -> str:
    """Publish one queued delivery; return what happened, for the log."""
    try:
        delivery = Delivery.objects.select_related(*DELIVERY_WITH).get(pk=delivery_id)
    except Delivery.DoesNotExist:
        logger.info("delivery %s: gone, nothing to publish", delivery_id)
        return "gone"
    if delivery.state != S.QUEUED:
        logger.info(
            "delivery %s: is %s, not queued; another worker has it", delivery_id, delivery.state
        )
        return "not-queued"
    account = delivery.account
    if not account.is_active or is_paused(account):
        # Held until a person reconnects the account or resumes publishing;
        # the dispatcher skips it until then.
        transition(delivery_id, S.QUEUED, S.SCHEDULED)
        return "held"
    if account.by_reminder:
        # A person posts it: no adapter, no rate budget, no attempt row; the same
        # conditional claim makes the reminder go out once (scheduler/reminders.py).
        from scheduler import reminders  # it builds on this module

        return reminders.send(delivery_id)
    adapter = adapter_for(account)
    post = delivery.post
    cost = adapter.posts_used(
        base.Content(post.text, thread=tuple(post.thread), first_comment=post.first_comment)
    )
    wait_until = ratebudget.take(account.pk, adapter.limits, cost=cost)
    if wait_until is not None:
        transition(delivery_id, S.QUEUED, S.RETRY_WAIT, due_at=wait_until)
        note_rate_limit(account.pk, wait_until)
        logger.info(
            "delivery %s: over the account's budget, waits until %s", delivery_id, wait_until
        )
        return "budget"
    if not transition(delivery_id, S.QUEUED, S.PUBLISHING, worker=worker):
        logger.info("delivery %s: claimed by another worker", delivery_id)
        return "lost-claim"
    try:
        creds = content.credentials_for(account)
        payload = content.content_for(delivery)
    except Exception as error:
        # Nothing reached the network (a media file gone, say): say why and stop.
        logger.exception("delivery %s: could not prepare the post", delivery_id)
        detail = words(
            "Could not prepare the post: %(error)s: %(detail)s",
            error=type(error).__name__,
            detail=str(error),
        )
        transition(
            delivery_id,
            S.PUBLISHING,
            S.FAILED,
            outcome=Outcome(Ended.PERMANENT, detail, type(error).__name__),
        )
        return "failed"
    try:
        creds = tokens.fresh(account.pk, creds, account.network)
        with metrics.publish_call(account.network):
            result = adapter.publish(
                creds, payload, str(delivery.idempotency_key), progress_of(delivery)
            )
    except base.AdapterError as error:
        return _handle_error(delivery, account, adapter, creds, error)
    except SoftTimeLimitExceeded as error:
        # The request may be on the wire: only a lookup can tell.
        return _to_unknown(delivery_id, Outcome.from_error(Ended.UNKNOWN, error))
    except Exception as error:
        logger.exception(
            "delivery %s: unexpected error from the %s adapter", delivery_id, account.network
        )
        return _to_unknown(delivery_id, Outcome.from_error(Ended.UNKNOWN, error))
    transition(
        delivery_id,
        S.PUBLISHING,
        S.PUBLISHED,
        outcome=Outcome(Ended.PUBLISHED),
        external_id=result.external_id,
        external_url=result.url,
        published_at=result.published_at,
        **error_fields(None),
    )
    metrics.published(account.network, delivery.scheduled_at, result.published_at)
    logger.info("delivery %s: published as %s", delivery_id, result.external_id)
    return "published"


def progress_of(delivery: Delivery) -> base.Progress:
    """Give the adapter the delivery's confirmed steps, saving each new one at once."""

    def save(steps: dict[str, object]) -> None:
        Delivery.objects.filter(pk=delivery.pk, state__in=(S.PUBLISHING, S.UNKNOWN)).update(
            progress=steps
        )

    return base.Progress(delivery.progress, save=save)


def is_paused(account: SocialAccount) -> bool:
    """Say whether a pause (of the account or its workspace) holds its deliveries."""
    return account.paused_at is not None or account.workspace.paused_at is not None


def _handle_error(
    delivery: Delivery,
    account: SocialAccount,
    adapter: base.Adapter,
    creds: base.Credentials,
    error: base.AdapterError,
) -> str:
    pk = delivery.pk
    logger.info("delivery %s: %s (%s)", pk, type(error).__name__, error.network_code)
    if isinstance(error, base.RateLimited):
        transition(
            pk,
            S.PUBLISHING,
            S.RETRY_WAIT,
            outcome=Outcome.from_error(Ended.RATE_LIMITED, error),
            due_at=error.retry_at,
        )
        note_rate_limit(account.pk, error.retry_at)
        return "rate-limited"
    if isinstance(error, base.Transient):
        return _retry_or_fail(delivery, Outcome.from_error(Ended.TRANSIENT, error))
    if isinstance(error, base.Unknown):
        return _to_unknown(pk, Outcome.from_error(Ended.UNKNOWN, error))
    if isinstance(error, base.AuthExpired):
        return _handle_auth_expired(delivery, account, adapter, creds, error)
    if isinstance(error, base.Permanent) and error.duplicate and _had_unknown_attempt(pk):
        # The earlier attempt that got no answer probably did post it.
        return _to_unknown(pk, Outcome.from_error(Ended.UNKNOWN, error))
    transition(pk, S.PUBLISHING, S.FAILED, outcome=Outcome.from_error(Ended.PERMANENT, error))
    return "failed"


def note_rate_limit(account_id: int, until: datetime) -> None:
    """Keep the latest reset time on the account, for the Accounts page.

    Only ever moves later, so a worker with an older answer cannot shorten it.
    """
    SocialAccount.objects.filter(
        Q(rate_limited_until__isnull=True) | Q(rate_limited_until__lt=until), pk=account_id
    ).update(rate_limited_until=until)


def _retry_or_fail(delivery: Delivery, outcome: Outcome) -> str:
    failures = delivery.failures + 1
    if failures >= settings.SMO_MAX_ATTEMPTS:
        final = Outcome(
            outcome.outcome,
            words(
                "Gave up after %(count)s attempts. Last error: %(error)s",
                count=failures,
                error=outcome.words or "",
            ),
            outcome.error_class,
            outcome.network_code,
        )
        transition(delivery.pk, S.PUBLISHING, S.FAILED, outcome=final, failures=failures)
        return "failed"
    due = timezone.now() + backoff(failures)
    transition(
        delivery.pk, S.PUBLISHING, S.RETRY_WAIT, outcome=outcome, failures=failures, due_at=due
    )
    return "retry"


def backoff(failures: int) -> timedelta:
    """Exponential backoff with "equal jitter": half fixed, half random."""
    ceiling = min(
        settings.SMO_RETRY_MAX_SECONDS, settings.SMO_RETRY_BASE_SECONDS * 2 ** (failures - 1)
    )
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 - jitter


def _to_unknown(delivery_id: int, outcome: Outcome) -> str:
    if transition(
        delivery_id, S.PUBLISHING, S.UNKNOWN, outcome=outcome, failures=F("failures") + 1
    ):
        enqueue_reconcile(delivery_id)
    return "unknown"


def _had_unknown_attempt(delivery_id: int) -> bool:
    return DeliveryAttempt.objects.filter(
        delivery_id=delivery_id, outcome__in=[Ended.UNKNOWN, Ended.LOST]
    ).exists()


def _handle_auth_expired(
    delivery: Delivery,
    account: SocialAccount,
    adapter: base.Adapter,
    creds: base.Credentials,
    error: base.AdapterError,
) -> str:
    """Refresh the credentials once; if that fails, a person must reconnect."""
    outcome = Outcome.from_error(Ended.AUTH_EXPIRED, error)
    already_refreshed = DeliveryAttempt.objects.filter(
        delivery_id=delivery.pk, outcome=Ended.AUTH_EXPIRED
    ).exists()
    if not already_refreshed:
        try:
            tokens.refresh_account(account.pk, creds)
        except base.AuthExpired:
            pass  # the account is marked; the delivery is held below
        except base.AdapterError as refresh_error:
            return _retry_or_fail(delivery, Outcome.from_error(Ended.TRANSIENT, refresh_error))
        else:
            transition(
                delivery.pk, S.PUBLISHING, S.RETRY_WAIT, outcome=outcome, due_at=timezone.now()
            )
            return "refreshed"
    tokens.mark_needs_reconnect(account.pk, error.words)
    # Held in retry_wait: the dispatcher skips accounts that need reconnecting.
    transition(delivery.pk, S.PUBLISHING, S.RETRY_WAIT, outcome=outcome, due_at=timezone.now())
    logger.warning("account %s: needs reconnecting (delivery %s held)", account.pk, delivery.pk)
    return "needs-reconnect"


# --- The reconciler ----------------------------------------------------------------


def reconcile_stuck(now: datetime | None = None) -> dict[str, int]:
    """Sweep deliveries a lost worker or a lost message left behind.

    The steps that only touch the database come first and the network lookups
    last, for at most SMO_RECONCILE_SECONDS: a network that answers slowly or not
    at all must not hold up resending what a broker restart lost, on every
    network, nor keep a worker busy past the next sweep.
    """
    now = now or timezone.now()
    counts = {"lost": 0, "resolved": 0, "requeued": 0}
    stuck = Delivery.objects.filter(
        state=S.PUBLISHING, publishing_since__lt=now - settings.SMO_STUCK_AFTER
    ).values_list("pk", flat=True)
    lost = Outcome(
        Ended.LOST,
        words("The worker stopped before the network answered; checking with the network."),
    )
    for pk in list(stuck):
        if transition(pk, S.PUBLISHING, S.UNKNOWN, outcome=lost, failures=F("failures") + 1):
            counts["lost"] += 1
    # A queued delivery whose message never arrived (a broker restart without
    # persistence): send it again. A duplicate message is harmless, see publish().
    lost_messages = Delivery.objects.filter(
        state=S.QUEUED, queued_at__lt=now - settings.SMO_REQUEUE_AFTER
    )
    for pk in list(lost_messages.values_list("pk", flat=True)):
        with transaction.atomic():
            if Delivery.objects.filter(pk=pk, state=S.QUEUED).update(queued_at=now):
                enqueue_publish(pk)
                counts["requeued"] += 1
    unknown = list(Delivery.objects.filter(state=S.UNKNOWN).values_list("pk", flat=True))
    random.shuffle(unknown)  # so lookups that always time out can't starve the rest
    ends = time.monotonic() + settings.SMO_RECONCILE_SECONDS
    for pk in unknown:
        if time.monotonic() >= ends:
            break  # the next sweep asks about the rest
        if resolve_unknown(pk) != "unresolved":
            counts["resolved"] += 1
    return counts


def resolve_unknown(delivery_id: int) -> str:
    """Ask the network whether an unknown delivery's post exists; never post blindly."""
    delivery = Delivery.objects.select_related(*DELIVERY_WITH).get(pk=delivery_id)
    if delivery.state != S.UNKNOWN:
        return "not-unknown"
    account = delivery.account
    adapter = adapter_for(account)
    if not adapter.supports_lookup:
        transition(
            delivery_id,
            S.UNKNOWN,
            S.NEEDS_ATTENTION,
            **error_fields(
                words(
                    "%(network)s cannot tell whether this post went out. "
                    "Check the account, then mark it published or schedule it again.",
                    network=adapter.display_name,
                )
            ),
        )
        return "needs-attention"
    try:
        creds = content.credentials_for(account)
        creds = tokens.fresh(account.pk, creds, account.network)
        found = adapter.find_published(
            creds,
            content.content_for(delivery),
            str(delivery.idempotency_key),
            progress_of(delivery),
        )
    except base.CannotTell as error:
        transition(delivery_id, S.UNKNOWN, S.NEEDS_ATTENTION, **error_fields(error.words))
        return "needs-attention"
    except base.AdapterError as error:
        logger.info(
            "delivery %s: lookup failed (%s), will ask again", delivery_id, error.network_code
        )
        return "unresolved"
    if found is not None:
        transition(
            delivery_id,
            S.UNKNOWN,
            S.PUBLISHED,
            external_id=found.external_id,
            external_url=found.url,
            published_at=found.published_at,
            **error_fields(None),
        )
        metrics.published(account.network, delivery.scheduled_at, found.published_at)
        return "published"
    # "Not there" holds only for the attempts made before the lookup: a sweep and
    # a reconcile task may look at once, and if the other one requeued the
    # delivery and its next attempt also went unanswered, the delivery is
    # `unknown` again but this answer knows nothing of that attempt's post.
    same_attempt = {"attempts": delivery.attempts}
    if delivery.failures >= settings.SMO_MAX_ATTEMPTS:
        transition(
            delivery_id,
            S.UNKNOWN,
            S.NEEDS_ATTENTION,
            only_if=same_attempt,
            **error_fields(
                words(
                    "No answer from %(network)s after %(count)s attempts.",
                    network=adapter.display_name,
                    count=delivery.failures,
                )
            ),
        )
        return "needs-attention"
    with transaction.atomic():
        if not transition(
            delivery_id, S.UNKNOWN, S.QUEUED, only_if=same_attempt, queued_at=timezone.now()
        ):
            return "moved-on"
        enqueue_publish(delivery_id)
    return "requeued"
