"""Signatures go out once, count against limits, can be turned off per post, and are
frozen at save; hashtags count against each network's cap."""

from __future__ import annotations

import pytest
from django.test import Client

from channels.models import SocialAccount
from scheduler import posts
from scheduler.content import content_for
from scheduler.models import AccountSignature, Delivery, Post
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

pytestmark = pytest.mark.django_db


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def sign(account: SocialAccount, text: str, auto_add: bool = True) -> None:
    AccountSignature.objects.create(account=account, text=text, auto_add=auto_add)


def test_a_signature_is_frozen_into_the_post_and_goes_out_once(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    sign(account, "— Ana, Acme support")
    post = posts.create_post(cast.editor, posts.PostInput(text="Spring menu", accounts=[account]))
    assert post.signatures == {str(account.pk): "— Ana, Acme support"}
    AccountSignature.objects.filter(account=account).update(text="— changed later")
    delivery = Delivery.objects.select_related("post", "account").get(post=post)
    assert content_for(delivery).text == "Spring menu\n— Ana, Acme support"
    # Editing the post keeps the signature it was approved with.
    posts.update_post(cast.editor, post, {"text": "Summer menu"})
    delivery = Delivery.objects.select_related("post", "account").get(post=post)
    assert content_for(delivery).text == "Summer menu\n— Ana, Acme support"


def test_a_signature_counts_against_the_limit_before_scheduling(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    sign(account, "— Acme")  # a new line and 6 characters: 493 + 7 = 500 fits
    posts.create_post(cast.editor, posts.PostInput(text="x" * 493, accounts=[account]))
    with pytest.raises(posts.PostErrors) as refused:
        posts.create_post(cast.editor, posts.PostInput(text="x" * 494, accounts=[account]))
    assert refused.value.errors == {
        "text": ["Acme Sandbox: Sandbox allows 500 characters; this text has 501."]
    }


def test_a_post_can_opt_out_of_signatures(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    sign(account, "— Acme")
    post = posts.create_post(
        cast.editor,
        posts.PostInput(text="x" * 500, accounts=[account], add_signatures=False),
    )
    assert (post.add_signatures, post.signatures) == (False, {})
    delivery = Delivery.objects.select_related("post", "account").get(post=post)
    assert content_for(delivery).text == "x" * 500


def test_a_signature_not_added_automatically_stays_off(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    sign(account, "— Acme", auto_add=False)
    post = posts.create_post(cast.editor, posts.PostInput(text="Hi", accounts=[account]))
    assert post.signatures == {}


def test_each_account_gets_its_own_signature(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    other = SandboxAccountFactory(workspace=cast.workspace, name="Acme Two")
    sign(account, "— one")
    sign(other, "— two")
    post = posts.create_post(cast.editor, posts.PostInput(text="Hi", accounts=[account, other]))
    sent = {
        d.account.name: content_for(d).text
        for d in Delivery.objects.select_related("post", "account").filter(post=post)
    }
    assert sent == {"Acme Sandbox": "Hi\n— one", "Acme Two": "Hi\n— two"}


def test_the_composer_says_which_signature_is_added_and_counts_it(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    sign(account, "— Acme")
    client = signed_in(cast)
    on = client.post(
        "/compose/check/", {"text": "Hi", "accounts": [account.pk], "add_signatures": "on"}
    )
    [meter] = on.context["meters"]
    assert (meter.used, meter.signatures, meter.text) == (
        9,
        (("Acme Sandbox", "— Acme"),),
        "Hi\n— Acme",
    )
    assert "Signature added for Acme Sandbox: — Acme" in on.content.decode()
    off = client.post("/compose/check/", {"text": "Hi", "accounts": [account.pk]})
    [meter] = off.context["meters"]
    assert (meter.used, meter.signatures) == (2, ())


def test_the_composer_saves_the_opt_out(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    sign(account, "— Acme")
    response = signed_in(cast).post(
        "/compose/", {"text": "Hi", "accounts": [account.pk], "when": "draft"}
    )
    assert response.status_code == 302
    assert Post.objects.get().signatures == {}


def instagram(cast: Cast) -> SocialAccount:
    return SocialAccount.objects.create(
        workspace=cast.workspace, network="instagram", external_id="1", name="Acme IG", handle="a"
    )


def test_the_counter_shows_hashtags_against_each_networks_cap(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    ig = instagram(cast)
    text = "Menu " + " ".join(f"#tag{i}" for i in range(31))
    response = signed_in(cast).post(
        "/compose/check/", {"text": text, "accounts": [account.pk, ig.pk]}
    )
    meters = {m.network: m for m in response.context["meters"]}
    assert (meters["instagram"].hashtags, meters["instagram"].hashtag_limit) == (31, 30)
    assert meters["instagram"].hashtags_over
    assert (
        "Instagram allows 30 hashtags in a caption; this one has 31."
        in meters["instagram"].problems
    )
    assert (meters["sandbox"].hashtags, meters["sandbox"].hashtag_limit) == (31, None)
    page = response.content.decode()
    assert "# 31 / 30" in page and "31 hashtags" in page


def test_a_signatures_hashtags_count_against_the_cap(cast: Cast) -> None:
    ig = instagram(cast)
    sign(ig, "#acme")
    text = " ".join(f"#t{i}" for i in range(30))
    with pytest.raises(posts.PostErrors) as refused:
        posts.create_post(cast.editor, posts.PostInput(text=text, accounts=[ig]))
    assert (
        "Acme IG: Instagram allows 30 hashtags in a caption; this one has 31."
        in refused.value.errors["text"]
    )


def test_the_post_page_shows_each_accounts_frozen_signature(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    sign(account, "— Ana")
    post = posts.create_post(cast.editor, posts.PostInput(text="Hi", accounts=[account]))
    AccountSignature.objects.filter(account=account).update(text="— later")
    page = signed_in(cast, "viewer").get(f"/posts/{post.pk}/").content.decode()
    assert "Acme Sandbox adds: — Ana" in page and "— later" not in page


def test_the_edit_page_checks_the_signature_the_post_was_saved_with(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    sign(account, "— Ana")
    post = posts.create_post(cast.editor, posts.PostInput(text="Hi", accounts=[account]))
    AccountSignature.objects.filter(account=account).update(text="— a much longer one")
    response = signed_in(cast).get(f"/posts/{post.pk}/edit/")
    [meter] = response.context["meters"]
    assert (meter.text, meter.signatures) == ("Hi\n— Ana", (("Acme Sandbox", "— Ana"),))


def test_add_to_queue_keeps_the_signature_opt_out(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    from scheduler.models import QueueSlot

    sign(account, "— Acme")
    QueueSlot.objects.create(account=account, weekday=0, time="09:00")
    response = signed_in(cast).post("/queue/add/", {"text": "Hi", "accounts": [account.pk]})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Post.objects.get().signatures == {}
