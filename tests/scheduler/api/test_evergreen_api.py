"""The evergreen queue in the API: marking posts, per-account settings, fill now."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from channels.models import SocialAccount
from scheduler.models import Delivery, EvergreenSettings, Post, QueueSlot
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory, PostFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def out(cast: Cast, account: SocialAccount) -> Post:
    """A post published on `account` sixty days ago."""
    at = NOW - timedelta(days=60)
    post = PostFactory(workspace=cast.workspace, text="Our best tip", scheduled_at=at)
    DeliveryFactory(post=post, account=account, state=S.PUBLISHED, published_at=at)
    return post


def test_marking_a_published_post_evergreen(api, out: Post) -> None:  # type: ignore[no-untyped-def]
    response = api.patch(f"/api/v1/posts/{out.pk}/", {"evergreen": True}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["evergreen"], response.json()["evergreen_of_id"]) == (True, None)
    assert Post.objects.get(pk=out.pk).evergreen is True
    response = api.patch(f"/api/v1/posts/{out.pk}/", {"evergreen": False}, format="json")
    assert response.json()["evergreen"] is False


def test_a_post_not_yet_published_is_refused_naming_the_field(  # type: ignore[no-untyped-def]
    api, cast: Cast, account: SocialAccount
) -> None:
    waiting = DeliveryFactory(post__workspace=cast.workspace, account=account).post
    response = api.patch(f"/api/v1/posts/{waiting.pk}/", {"evergreen": True}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "evergreen": ["Only a post published on at least one account can be evergreen."]
    }


def test_a_contributor_cannot_mark_posts(api, out: Post) -> None:  # type: ignore[no-untyped-def]
    api.as_role("contributor")
    response = api.patch(f"/api/v1/posts/{out.pk}/", {"evergreen": True}, format="json")
    assert response.status_code == 403
    assert Post.objects.get(pk=out.pk).evergreen is False


def test_settings_read_with_their_defaults_then_change(api, account: SocialAccount) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/evergreen/{account.pk}/")
    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if k != "updated_at"} == {
        "account_id": account.pk,
        "enabled": False,
        "min_gap_days": 30,
        "slots_ahead": 3,
    }
    response = api.patch(
        f"/api/v1/evergreen/{account.pk}/", {"enabled": True, "min_gap_days": 14}, format="json"
    )
    assert response.status_code == 200, response.content
    saved = EvergreenSettings.objects.get(account=account)
    assert (saved.enabled, saved.min_gap_days, saved.slots_ahead) == (True, 14, 3)
    listed = api.get("/api/v1/evergreen/").json()
    assert [(r["account_id"], r["enabled"]) for r in listed] == [(account.pk, True)]


@pytest.mark.parametrize("gap", [0, 366, "soon", None])
def test_a_bad_gap_is_a_400_naming_the_field(api, account: SocialAccount, gap) -> None:  # type: ignore[no-untyped-def]
    response = api.patch(f"/api/v1/evergreen/{account.pk}/", {"min_gap_days": gap}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["min_gap_days"]
    assert not EvergreenSettings.objects.exists()


def test_a_viewer_cannot_change_settings_or_fill(api, account: SocialAccount) -> None:  # type: ignore[no-untyped-def]
    api.as_role("viewer")
    assert api.get(f"/api/v1/evergreen/{account.pk}/").status_code == 200
    response = api.patch(f"/api/v1/evergreen/{account.pk}/", {"enabled": True}, format="json")
    assert response.status_code == 403
    assert api.post(f"/api/v1/evergreen/{account.pk}/fill/").status_code == 403
    assert not EvergreenSettings.objects.exists()


def test_another_workspace_answers_404(api, account: SocialAccount, out: Post) -> None:  # type: ignore[no-untyped-def]
    api.as_role("outsider")
    assert api.get(f"/api/v1/evergreen/{account.pk}/").status_code == 404
    response = api.patch(f"/api/v1/evergreen/{account.pk}/", {"enabled": True}, format="json")
    assert response.status_code == 404
    assert api.post(f"/api/v1/evergreen/{account.pk}/fill/").status_code == 404
    response = api.patch(f"/api/v1/posts/{out.pk}/", {"evergreen": True}, format="json")
    assert response.status_code == 404
    assert api.get("/api/v1/evergreen/").json() == []
    assert Post.objects.get(pk=out.pk).evergreen is False


def test_fill_now_makes_copies_and_answers_their_ids(
    api, account: SocialAccount, out: Post
) -> None:  # type: ignore[no-untyped-def]
    QueueSlot.objects.create(account=account, weekday=3, time=time(9, 0))
    api.patch(f"/api/v1/posts/{out.pk}/", {"evergreen": True}, format="json")
    refused = api.post(f"/api/v1/evergreen/{account.pk}/fill/")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["enabled"]
    api.patch(f"/api/v1/evergreen/{account.pk}/", {"enabled": True}, format="json")
    response = api.post(f"/api/v1/evergreen/{account.pk}/fill/")
    assert response.status_code == 200
    (copy_id,) = response.json()["created_post_ids"]
    copy = api.get(f"/api/v1/posts/{copy_id}/").json()
    assert (copy["text"], copy["evergreen_of_id"], copy["scheduled_at"]) == (
        "Our best tip",
        out.pk,
        "2026-11-26T08:00:00Z",
    )
