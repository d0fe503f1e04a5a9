"""Failed and needs-attention deliveries: the reason in plain words, retry, mark done."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler import engine, failures, posts
from scheduler.models import Delivery, DeliveryAttempt
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def failed(cast: Cast, account, **fields) -> Delivery:  # type: ignore[no-untyped-def]
    defaults = {
        "post__workspace": cast.workspace,
        "account": account,
        "state": S.FAILED,
        "attempts": 1,
        "failures": 1,
        "last_error": "Sandbox: simulated refusal of this post.",
        "scheduled_at": NOW - timedelta(hours=1),
        "due_at": None,
    }
    return DeliveryFactory(**{**defaults, **fields})


def attempt(delivery: Delivery, outcome: str = "permanent", code: str = "422", **fields):  # type: ignore[no-untyped-def]
    return DeliveryAttempt.objects.create(
        delivery=delivery,
        number=fields.pop("number", 1),
        started_at=NOW - timedelta(hours=1),
        finished_at=NOW - timedelta(hours=1),
        outcome=outcome,
        network_code=code,
        detail=delivery.last_error,
        **fields,
    )


def attempt_rows() -> list[tuple]:
    return list(
        DeliveryAttempt.objects.order_by("pk").values_list(
            "delivery_id", "number", "outcome", "detail", "network_code", "finished_at"
        )
    )


def test_retrying_a_failed_delivery_schedules_it_now_and_keeps_its_attempts(
    cast: Cast, account
) -> None:
    delivery = failed(cast, account, failures=3)
    attempt(delivery)
    before = attempt_rows()
    failures.retry(delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.scheduled_at, delivery.due_at) == (S.SCHEDULED, NOW, NOW)
    assert (delivery.failures, delivery.attempts, delivery.last_error) == (0, 1, "")
    assert attempt_rows() == before


def test_a_needs_attention_delivery_is_retried_only_once_the_person_confirms(
    cast: Cast, account
) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION, last_error="No answer.")
    with pytest.raises(failures.ActionRefused, match="may already be live"):
        failures.retry(delivery)
    delivery.refresh_from_db()
    assert delivery.state == S.NEEDS_ATTENTION
    failures.retry(delivery, confirmed=True)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.due_at) == (S.SCHEDULED, NOW)


def test_retry_refuses_a_delivery_that_is_not_failed(cast: Cast, account) -> None:
    delivery = failed(cast, account, state=S.PUBLISHED)
    with pytest.raises(failures.ActionRefused, match="This delivery is published now"):
        failures.retry(delivery)
    delivery.refresh_from_db()
    assert delivery.state == S.PUBLISHED


def test_retry_stops_when_someone_else_moved_the_delivery_first(cast: Cast, account) -> None:
    delivery = failed(cast, account)
    engine.transition(delivery.pk, S.FAILED, S.SCHEDULED, due_at=NOW)  # the other person
    with pytest.raises(failures.ActionRefused, match="Someone else changed"):
        failures.retry(delivery)  # still says failed in memory


def test_marking_done_publishes_a_needs_attention_delivery_with_its_address(
    cast: Cast, account
) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION)
    attempt(delivery, outcome="unknown", code="")
    before = attempt_rows()
    failures.mark_done(delivery, " https://example.com/p/1 ")
    delivery.refresh_from_db()
    assert (delivery.state, delivery.published_at) == (S.PUBLISHED, NOW)
    assert (delivery.external_url, delivery.last_error) == ("https://example.com/p/1", "")
    assert attempt_rows() == before


def test_marking_done_needs_no_address(cast: Cast, account) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION)
    failures.mark_done(delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.external_url) == (S.PUBLISHED, "")


def test_marking_done_refuses_an_address_that_is_not_a_web_address(cast: Cast, account) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION)
    with pytest.raises(failures.ActionRefused, match="not a web address"):
        failures.mark_done(delivery, "javascript:alert(1)")
    delivery.refresh_from_db()
    assert delivery.state == S.NEEDS_ATTENTION


def test_a_failed_delivery_cannot_be_marked_done(cast: Cast, account) -> None:
    delivery = failed(cast, account)
    with pytest.raises(failures.ActionRefused, match="this one is failed"):
        failures.mark_done(delivery)
    delivery.refresh_from_db()
    assert delivery.state == S.FAILED


@pytest.mark.parametrize(
    ("outcome", "code", "kind", "summary"),
    [
        ("permanent", "422", "refused", "Sandbox refused this post."),
        ("permanent", "403:duplicate", "duplicate", "Sandbox refused this as a duplicate"),
        ("permanent", "400:506", "duplicate", "Sandbox refused this as a duplicate"),
        ("permanent", "429:usage-capped", "capped", "used up its posting allowance"),
        ("auth_expired", "401", "auth", "no longer accepts this account's sign-in"),
        ("permanent", "400:190/460", "auth", "no longer accepts this account's sign-in"),
        ("permanent", "400:processing_failed", "media", "could not use the attached image"),
        ("transient", "503", "gave_up", "kept having temporary problems"),
        ("rate_limited", "", "rate", "asked SMO to slow down"),
    ],
)
def test_each_kind_of_failure_is_explained_in_plain_words(
    cast: Cast, account, outcome: str, code: str, kind: str, summary: str
) -> None:
    delivery = failed(cast, account)
    attempt(delivery, outcome=outcome, code=code)
    reason = failures.explain(failures.needing_a_look(cast.workspace).get())
    assert reason.kind == kind
    assert summary in reason.summary
    assert reason.advice


def test_the_last_finished_attempt_decides_the_reason(cast: Cast, account) -> None:
    delivery = failed(cast, account, attempts=2)
    attempt(delivery, outcome="transient", code="503", number=1)
    attempt(delivery, outcome="permanent", code="403:duplicate", number=2)
    reason = failures.explain(failures.needing_a_look(cast.workspace).get())
    assert reason.kind == "duplicate"


def test_a_post_smo_could_not_prepare_says_so(cast: Cast, account) -> None:
    delivery = failed(cast, account, last_error="Could not prepare the post: FileNotFoundError: x")
    attempt(delivery, error_class="FileNotFoundError", code="")
    reason = failures.explain(failures.needing_a_look(cast.workspace).get())
    assert (reason.kind, reason.summary) == (
        "prepare",
        "SMO could not prepare the post (a media file may be missing).",
    )


def test_needs_attention_says_smo_cannot_tell(cast: Cast, account) -> None:
    failed(cast, account, state=S.NEEDS_ATTENTION)
    reason = failures.explain(failures.needing_a_look(cast.workspace).get())
    assert reason.kind == "unsure"
    assert reason.summary == "SMO could not tell whether this post went out on Sandbox."


def test_the_list_and_count_hold_only_this_workspaces_failures(cast: Cast, account) -> None:
    mine = [failed(cast, account), failed(cast, account, state=S.NEEDS_ATTENTION)]
    DeliveryFactory(post__workspace=cast.workspace, account=account)  # scheduled
    DeliveryFactory(post__workspace=cast.outsider.workspace, state=S.FAILED)
    assert {d.pk for d in failures.needing_a_look(cast.workspace)} == {d.pk for d in mine}
    assert failures.count(cast.workspace.pk) == 2


def test_edit_and_retry_saves_the_words_and_schedules_only_the_failed_deliveries(
    cast: Cast, account
) -> None:
    delivery = failed(cast, account)
    other = DeliveryFactory(
        post=delivery.post,
        account=SandboxAccountFactory(workspace=cast.workspace),
        state=S.PUBLISHED,
        published_at=NOW,
    )
    changes = {"text": "Fixed words", "link": "https://example.com/", "first_comment": ""}
    assert failures.edit_and_retry(cast.editor, delivery.post, changes) == 1
    delivery.refresh_from_db()
    other.refresh_from_db()
    delivery.post.refresh_from_db()
    assert (delivery.post.text, delivery.post.link) == ("Fixed words", "https://example.com/")
    assert (delivery.state, delivery.due_at) == (S.SCHEDULED, NOW)
    assert other.state == S.PUBLISHED


def test_edit_and_retry_saves_nothing_when_the_edit_is_refused(cast: Cast, account) -> None:
    delivery = failed(cast, account)
    text = delivery.post.text
    with pytest.raises(posts.PostErrors) as caught:
        failures.edit_and_retry(cast.editor, delivery.post, {"text": "x" * 501})
    assert caught.value.errors == {
        "text": ["Acme Sandbox: Sandbox allows 500 characters; this text has 501."]
    }
    delivery.refresh_from_db()
    delivery.post.refresh_from_db()
    assert (delivery.state, delivery.post.text) == (S.FAILED, text)
