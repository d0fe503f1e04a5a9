"""Why a post failed reads in each person's language, though the worker wrote it once.

Adapters and the engine store a failure as English text (for logs and the admin)
and as words (template and values); pages, notifications and e-mails put the
words into the reader's language.
"""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.test import Client

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt, Notification
from tests.conftest import Cast
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = pytest.mark.django_db

REFUSED_SV = "Sandlåda: simulerat avvisande av det här inlägget."


def failing(cast: Cast, account, kind: str) -> Delivery:  # type: ignore[no-untyped-def]
    account.options = {"failure_rate": 1, "failure_kind": kind}
    account.save(update_fields=["options"])
    return DeliveryFactory(
        state=S.QUEUED,
        account=account,
        post__workspace=cast.workspace,
        post__author=cast.editor.user,
        post__text="Buns at 7",
    )


def page(cast: Cast, url: str, language: str) -> str:
    user = cast.owner.user
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return html.unescape(client.get(url).content.decode())


def test_a_refusal_is_stored_in_english_and_as_words(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    delivery = failing(cast, account, "permanent")
    assert engine.publish(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error == "Sandbox: simulated refusal of this post."
    assert delivery.error_words == {
        "template": "Sandbox: simulated refusal of this post.",
        "params": {},
    }
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.detail_words == delivery.error_words
    assert delivery.reason == attempt.reason == "Sandbox: simulated refusal of this post."


def test_pages_show_the_reason_in_the_readers_language(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    delivery = failing(cast, account, "permanent")
    engine.publish(delivery.pk)
    post_url = f"/posts/{delivery.post_id}/"
    swedish = page(cast, post_url, "sv")
    assert REFUSED_SV in swedish
    assert "simulated refusal" not in swedish
    needs_a_look = page(cast, "/needs-a-look/", "sv")
    assert REFUSED_SV in needs_a_look
    # The plain-words summary and advice above the network's reason, too.
    assert "Sandbox avvisade inlägget." in needs_a_look
    assert "Redigera och försök igen." in needs_a_look
    assert "Sandbox: simulated refusal of this post." in page(cast, post_url, "en")


def test_a_sentence_inside_a_sentence_is_translated_too(cast: Cast, account, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_MAX_ATTEMPTS = 1
    delivery = failing(cast, account, "transient")
    assert engine.publish(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error == (
        "Gave up after 1 attempts. Last error: "
        "Sandbox: simulated temporary error (nothing was posted)."
    )
    assert (
        "Gav upp efter 1 försök. Senaste fel: "
        "Sandlåda: simulerat tillfälligt fel (inget publicerades)."
    ) in page(cast, f"/posts/{delivery.post_id}/", "sv")


def test_each_person_is_notified_in_their_own_language(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    for membership, language in ((cast.owner, "sv"), (cast.admin, "en"), (cast.editor, "")):
        membership.user.language = language
        membership.user.email = f"{membership.user.username}@example.com"
        membership.user.save(update_fields=["language", "email"])
    delivery = failing(cast, account, "permanent")
    with pytest.MonkeyPatch.context() as patch:
        # E-mails leave on commit; the test transaction never commits.
        patch.setattr("django.db.transaction.on_commit", lambda run, **kw: run())
        engine.publish(delivery.pk)
    said = dict(
        Notification.objects.filter(kind=Notification.Kind.DELIVERY_FAILED).values_list(
            "user__username", "message"
        )
    )
    assert said["owner"] == f"Inlägget ”Buns at 7” misslyckades på Acme Sandbox: {REFUSED_SV}"
    assert said["admin"] == (
        "Post “Buns at 7” failed on Acme Sandbox: Sandbox: simulated refusal of this post."
    )
    assert said["editor"] == said["admin"]  # no choice made: the site's language
    to_owner = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert REFUSED_SV in to_owner.subject
    assert "Öppna det:" in to_owner.body


def test_an_account_that_needs_reconnecting_says_why_in_the_readers_language(
    cast: Cast, account
) -> None:  # type: ignore[no-untyped-def]
    delivery = failing(cast, account, "auth_expired")
    engine.publish(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(state=S.QUEUED)
    assert engine.publish(delivery.pk) == "needs-reconnect"
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert account.status_detail == "Sandbox: simulated expired token."
    assert "Sandlåda: simulerad utgången token." in page(cast, "/accounts/", "sv")


def test_the_composer_names_problems_in_the_readers_language(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    user = cast.editor.user
    user.language = "sv"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.post("/compose/check/", {"text": "x" * 501, "accounts": [account.pk]})
    [meter] = response.context["meters"]
    assert meter.problems == ("Sandbox tillåter 500 tecken; den här texten har 501.",)
