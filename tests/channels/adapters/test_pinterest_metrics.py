"""PinterestAdapter's analytics against FakePinterest (held to Pinterest's OpenAPI
description), over plain requests: a Pin's figures from GET /v5/pins/{id}/analytics
over the last 90 days, lifetime comments and reactions, a deleted Pin skipped,
Trial access refused plainly, and the follower count from /v5/user_account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters import metrics as m
from channels.adapters.metrics import PostMetrics
from channels.adapters.pinterest import PinterestAdapter
from tests.fakes.pinterest_contract import ContractCase, contract_case


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case
    assert case.fake.contract_violations == []


def pin(case: ContractCase, **fields: object) -> str:
    return case.fake.add_pin(case.board, **fields)


def fetch(case: ContractCase, ids: list[str]) -> dict[str, PostMetrics]:
    return {p.external_id: p for p in case.adapter.fetch_metrics(case.creds, ids)}


def test_figures_are_mapped_and_summed_over_the_last_90_days(case: ContractCase) -> None:
    video = pin(case, media_type="video")
    fake = case.fake
    fake.set_metrics(video, 0, IMPRESSION=100, SAVE=3, OUTBOUND_CLICK=2, VIDEO_MRC_VIEW=40)
    fake.set_metrics(video, 89, IMPRESSION=50, SAVE=1, OUTBOUND_CLICK=1, VIDEO_MRC_VIEW=10)
    fake.set_metrics(video, 90, IMPRESSION=1000)  # out of the window Pinterest allows
    fake.set_metrics(video, TOTAL_COMMENTS=4, TOTAL_REACTIONS=9)

    found = fetch(case, [video])

    assert found[video] == PostMetrics(
        video,
        impressions=150,
        likes=9,
        comments=4,
        saves=4,
        video_views=50,
        link_clicks=3,
    )
    assert (found[video].reach, found[video].shares) == (None, None)
    [call] = fake.calls("GET", f"/v5/pins/{video}/analytics")
    today = datetime.now(UTC).date()
    assert call.query == {
        "metric_types": "IMPRESSION,SAVE,OUTBOUND_CLICK,VIDEO_MRC_VIEW,TOTAL_COMMENTS,TOTAL_REACTIONS",
        "start_date": (today - timedelta(days=89)).isoformat(),
        "end_date": today.isoformat(),
    }
    assert date.fromisoformat(call.query["end_date"]) - date.fromisoformat(
        call.query["start_date"]
    ) == timedelta(days=89)
    assert PinterestAdapter.metrics.figures == {
        m.IMPRESSIONS,
        m.LIKES,
        m.COMMENTS,
        m.SAVES,
        m.VIDEO_VIEWS,
        m.LINK_CLICKS,
    }


def test_an_image_pin_has_no_video_views_and_unseeded_lifetime_stays_none(
    case: ContractCase,
) -> None:
    image = pin(case)
    case.fake.set_metrics(image, 2, IMPRESSION=30, SAVE=2)

    found = fetch(case, [image])[image]

    assert found == PostMetrics(image, impressions=30, saves=2, link_clicks=0)
    assert (found.video_views, found.likes, found.comments) == (None, None, None)


def test_a_deleted_pin_is_skipped_and_each_pin_is_one_call(case: ContractCase) -> None:
    first, gone, last = pin(case), pin(case), pin(case)
    case.fake.pins = [p for p in case.fake.pins if p["id"] != gone]

    found = fetch(case, [first, gone, last, first])

    assert list(found) == [first, last]
    analytics = [r for r in case.fake.requests if r.path.endswith("/analytics")]
    assert [r.path for r in analytics] == [f"/v5/pins/{i}/analytics" for i in (first, gone, last)]


def test_trial_access_is_a_plain_permanent(case: ContractCase) -> None:
    case.fake.trial_access = True
    with pytest.raises(base.Permanent) as refused:
        fetch(case, [pin(case)])
    assert (refused.value.code, refused.value.status) == ("analytics_refused", 403)
    assert "Trial access" in refused.value.detail
    assert "Standard access" in refused.value.detail


def test_rate_limit_is_rate_limited_for_a_minute(case: ContractCase) -> None:
    pins = [pin(case) for _ in range(3)]
    case.fake.limits["org_analytics"] = 2
    before = datetime.now(UTC)
    with pytest.raises(base.RateLimited) as limited:
        fetch(case, pins)
    assert limited.value.status == 429
    assert before + timedelta(seconds=59) <= limited.value.retry_at
    assert limited.value.retry_at <= datetime.now(UTC) + timedelta(minutes=1)


def test_a_bad_token_is_auth_expired(case: ContractCase) -> None:
    bad = replace(case.creds, secrets={"access_token": "pina_revoked"})
    with pytest.raises(base.AuthExpired):
        list(case.adapter.fetch_metrics(bad, [pin(case)]))
    with pytest.raises(base.AuthExpired):
        case.adapter.fetch_followers(bad)


def test_followers_come_from_the_user_account(case: ContractCase) -> None:
    case.fake.set_followers(case.user, 2048)

    assert case.adapter.fetch_followers(case.creds) == 2048
    assert len(case.fake.calls("GET", "/v5/user_account")) == 1
