"""Audience variants: same local time in the audience's zone, one per audience, retime, cancel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from scheduler import posts, variants
from scheduler.models import Audience, Delivery, Post
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

S = Delivery.State
pytestmark = pytest.mark.usefixtures("frozen")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def new_york(cast: Cast) -> Audience:
    return Audience.objects.create(
        workspace=cast.workspace,
        name="New York",
        timezone="America/New_York",
        locale="en-US",
        regions=["US"],
        targeting={"facebook": {"countries": ["US"]}},
    )


@pytest.fixture
def stockholm(cast: Cast) -> Audience:
    return Audience.objects.create(
        workspace=cast.workspace, name="Stockholm", timezone="Europe/Stockholm", locale="sv-SE"
    )


def parent_at(cast: Cast, account, when: datetime) -> Post:  # type: ignore[no-untyped-def]
    data = posts.PostInput(text="Our drink, ice cold.", accounts=[account], scheduled_at=when)
    return posts.create_post(cast.editor, data)


@pytest.mark.parametrize(
    ("parent_utc", "variant_utc"),
    [
        # 09:00 in Stockholm (the workspace's zone) -> 09:00 in New York.
        (utc(2027, 3, 3, 8), utc(2027, 3, 3, 14)),  # both on winter time: 6 hours apart
        # 14-27 March 2027: New York is on summer time, Stockholm not yet: 5 hours apart.
        (utc(2027, 3, 17, 8), utc(2027, 3, 17, 13)),
        (utc(2027, 3, 31, 7), utc(2027, 3, 31, 13)),  # both on summer time
    ],
)
def test_variant_goes_out_at_the_parents_local_time_in_the_audiences_zone(
    cast: Cast, account, new_york: Audience, parent_utc: datetime, variant_utc: datetime
) -> None:
    parent = parent_at(cast, account, parent_utc)
    variant = variants.create_variant(
        cast.editor, parent, new_york, "Tastes like summer", [account]
    )
    variant.refresh_from_db()
    assert variant.scheduled_at == variant_utc
    assert (variant.variant_of, variant.audience, variant.text) == (
        parent,
        new_york,
        "Tastes like summer",
    )
    assert list(variant.deliveries.values_list("account_id", "state", "due_at")) == [
        (account.pk, S.SCHEDULED, variant_utc)
    ]


def test_a_contributors_variant_waits_for_approval(cast: Cast, account, new_york) -> None:
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    variant = variants.create_variant(cast.contributor, parent, new_york, "Hi", [account])
    assert list(variant.deliveries.values_list("state", flat=True)) == [S.AWAITING_APPROVAL]


def test_a_time_that_does_not_exist_in_the_audiences_zone_is_refused(
    cast: Cast, account, new_york
) -> None:
    # 02:30 on 14 March 2027 exists in Stockholm, but New York jumps from 02:00 to 03:00.
    parent = parent_at(cast, account, utc(2027, 3, 14, 1, 30))
    with pytest.raises(posts.PostErrors) as caught:
        variants.create_variant(cast.editor, parent, new_york, "Hi", [account])
    assert caught.value.errors == {
        "scheduled_at": [
            "For New York: 2027-03-14 02:30 does not exist in America/New_York: the clocks "
            "move forward at that time (daylight saving). Pick another time."
        ]
    }
    assert Post.objects.count() == 1


def test_a_time_that_happens_twice_in_the_audiences_zone_is_refused(
    cast: Cast, account, new_york
) -> None:
    # 01:30 on 7 November 2027 happens twice in New York.
    parent = parent_at(cast, account, utc(2027, 11, 7, 0, 30))
    with pytest.raises(posts.PostErrors) as caught:
        variants.create_variant(cast.editor, parent, new_york, "Hi", [account])
    assert caught.value.errors["scheduled_at"] == [
        "For New York: 2027-11-07 01:30 happens twice in America/New_York (the clocks go back). "
        "Give the UTC offset to say which: -0400 or -0500."
    ]


def test_one_variant_per_audience(cast: Cast, account, new_york) -> None:
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    variants.create_variant(cast.editor, parent, new_york, "One", [account])
    with pytest.raises(posts.PostErrors) as caught:
        variants.create_variant(cast.editor, parent, new_york, "Two", [account])
    assert caught.value.errors == {"audience": ["This post already has a variant for New York."]}
    assert parent.variants.count() == 1


def test_the_networks_rules_apply_to_the_variants_text(cast: Cast, account, new_york) -> None:
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    with pytest.raises(posts.PostErrors) as caught:
        variants.create_variant(cast.editor, parent, new_york, "   ", [account])
    assert caught.value.errors["text"] == ["Write something to post."]
    assert Post.objects.count() == 1


def test_drafts_and_variants_get_no_variants(cast: Cast, account, new_york, stockholm) -> None:
    draft = posts.create_post(cast.editor, posts.PostInput(text="Later", accounts=[account]))
    with pytest.raises(posts.PostErrors) as caught:
        variants.create_variant(cast.editor, draft, new_york, "Hi", [account])
    assert caught.value.errors == {
        "audience": ["Schedule the post first: a variant follows its time."]
    }
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    variant = variants.create_variant(cast.editor, parent, new_york, "Hi", [account])
    with pytest.raises(posts.PostErrors) as caught:
        variants.create_variant(cast.editor, variant, stockholm, "Hej", [account])
    assert caught.value.errors == {"audience": ["Add variants to the main post, not to a variant."]}


def test_another_workspaces_audience_is_refused(cast: Cast, account) -> None:
    theirs = Audience.objects.create(
        workspace=cast.outsider.workspace, name="Theirs", timezone="Asia/Tokyo"
    )
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    with pytest.raises(posts.PostErrors):
        variants.create_variant(cast.editor, parent, theirs, "Hi", [account])


def test_retime_variants_follows_the_parents_new_local_time(
    cast: Cast, account, new_york, stockholm
) -> None:
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    ny = variants.create_variant(cast.editor, parent, new_york, "Hi", [account])
    se = variants.create_variant(cast.editor, parent, stockholm, "Hej", [account])
    # Moved to 10:00 Stockholm on 17 March, in the week New York is already on summer time.
    posts.update_post(cast.editor, parent, {"scheduled_at": utc(2027, 3, 17, 9)})
    moved = variants.retime_variants(cast.editor, parent)
    assert sorted(v.pk for v in moved) == sorted([ny.pk, se.pk])
    assert dict(Post.objects.filter(variant_of=parent).values_list("pk", "scheduled_at")) == {
        ny.pk: utc(2027, 3, 17, 14),
        se.pk: utc(2027, 3, 17, 9),
    }
    assert set(
        Delivery.objects.filter(post__variant_of=parent).values_list("due_at", flat=True)
    ) == {utc(2027, 3, 17, 14), utc(2027, 3, 17, 9)}
    assert variants.retime_variants(cast.editor, parent) == []  # nothing left to move


def test_retime_is_all_or_nothing_and_names_the_audience(
    cast: Cast, account, new_york, stockholm
) -> None:
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    ny = variants.create_variant(cast.editor, parent, new_york, "Hi", [account])
    se = variants.create_variant(cast.editor, parent, stockholm, "Hej", [account])
    posts.update_post(cast.editor, parent, {"scheduled_at": utc(2027, 3, 14, 1, 30)})
    with pytest.raises(posts.PostErrors) as caught:
        variants.retime_variants(cast.editor, parent)
    assert caught.value.errors["scheduled_at"][0].startswith("For New York: 2027-03-14 02:30")
    ny.refresh_from_db()
    se.refresh_from_db()
    assert (ny.scheduled_at, se.scheduled_at) == (utc(2027, 3, 3, 14), utc(2027, 3, 3, 8))


def test_cancel_variants_cancels_those_not_yet_out(
    cast: Cast, account, new_york, stockholm
) -> None:
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    variants.create_variant(cast.editor, parent, new_york, "Hi", [account])
    variants.create_variant(cast.editor, parent, stockholm, "Hej", [account])
    posts.cancel_post(parent)
    assert variants.cancel_variants(parent) == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {S.CANCELLED}
    assert variants.cancel_variants(parent) == 0


def test_targeting_for_gives_the_audiences_facebook_countries(
    cast: Cast, account, new_york, stockholm
) -> None:
    parent = parent_at(cast, account, utc(2027, 3, 3, 8))
    page = SandboxAccountFactory(workspace=cast.workspace)
    ny = variants.create_variant(cast.editor, parent, new_york, "Hi", [account, page])
    se = variants.create_variant(cast.editor, parent, stockholm, "Hej", [account])
    assert variants.targeting_for(ny, "facebook") == {"countries": ["US"]}
    assert variants.targeting_for(ny, "x") == {}
    assert variants.targeting_for(se, "facebook") == {}
    assert variants.targeting_for(parent, "facebook") == {}


def test_clean_regions_reads_comma_separated_codes() -> None:
    assert variants.clean_regions(" se, no ,SE,dk ") == ["SE", "NO", "DK"]
    assert variants.clean_regions("") == []
    with pytest.raises(ValidationError) as caught:
        variants.clean_regions("SE, XX, Sweden")
    assert caught.value.messages == [
        "Not ISO 3166 country codes: XX, SWEDEN. Use two letters, like SE or US."
    ]
