"""How each YouTube failure maps to the error taxonomy, by where in the upload it
happens (platforms.md §6): step 1 creates nothing, the last chunk may create the
video. Against FakeYouTube; Google's envelopes come from tests/fakes/youtube_routes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.youtube import YouTubeAdapter
from channels.adapters.youtube_quota import next_quota_day
from tests.fakes.x import closed_port_url
from tests.fakes.youtube import VIDEOS
from tests.fakes.youtube_contract import CHANNEL, ContractCase, body, contract_case, image, video


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(timeout=0.5) as case:
        yield case
    assert case.fake.contract_violations == []


def content(case: ContractCase, *media: base.MediaItem) -> base.Content:
    return base.Content(
        "Fresh at 7.",
        media=media or (video(case.folder, size=3500),),
        options={"title": "Cardamom buns"},
    )


def publish(case: ContractCase, progress: base.Progress | None = None, **kw: Any) -> Any:
    post = kw.get("post") or content(case)
    return case.adapter.publish(case.creds, post, "key-1", progress or base.Progress())


def test_an_invalid_title_is_permanent_with_googles_reason(case: ContractCase) -> None:
    case.fake.fail_next(400, body(400, "invalidTitle"))
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    assert raised.value.detail == (
        "YouTube refused the video: The request metadata specifies an invalid or empty video title."
    )
    assert (raised.value.status, raised.value.code) == (400, "invalidTitle")


def test_the_fake_refuses_metadata_youtube_refuses(case: ContractCase) -> None:
    post = content(case)
    post = base.Content(post.text + " <3", media=post.media, options=post.options)
    with pytest.raises(base.Permanent) as raised:
        publish(case, post=post)
    assert raised.value.code == "invalidDescription"
    assert case.fake.sessions == {}


def test_html_in_googles_message_is_not_shown(case: ContractCase) -> None:
    case.fake.fail_next(400, body(400, "invalidCategoryId"))
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    assert "<" not in raised.value.detail
    assert raised.value.detail.endswith("property specifies an invalid category ID.")


def test_an_expired_token_is_auth_expired(case: ContractCase) -> None:
    case.fake.expire_token(case.creds.secrets["access_token"])
    with pytest.raises(base.AuthExpired) as raised:
        publish(case)
    assert (raised.value.status, raised.value.code) == (401, "authError")
    assert case.fake.sessions == {}


def test_a_token_without_the_upload_scope_needs_a_reconnect(case: ContractCase) -> None:
    token = case.fake.issue_token(
        "ann", scopes=("https://www.googleapis.com/auth/youtube.readonly",)
    )
    creds = base.Credentials(CHANNEL, "@acmebakery", {"access_token": token})
    with pytest.raises(base.AuthExpired) as raised:
        case.adapter.publish(creds, content(case), "k", base.Progress())
    assert raised.value.code == "insufficientPermissions"
    assert "allow uploading" in raised.value.detail


def test_a_server_error_at_step_1_is_transient_because_nothing_was_made(
    case: ContractCase,
) -> None:
    for status in (500, 502, 503):
        case.fake.fail_next(status, path=f"POST {VIDEOS}")
        with pytest.raises(base.Transient) as raised:
            publish(case)
        assert raised.value.status == status
    assert case.fake.videos == {}


def test_a_lost_answer_at_step_1_is_transient_because_nothing_was_made(case: ContractCase) -> None:
    case.fake.timeout_after_receive(f"POST {VIDEOS}")
    progress = base.Progress()
    with pytest.raises(base.Transient) as raised:
        publish(case, progress)
    assert raised.value.detail == (
        "YouTube did not answer the start of the upload (ReadTimeout); no video was created."
    )
    assert progress.get("upload_url") is None  # the session URL never arrived
    assert case.fake.videos == {}


def test_an_unreachable_api_is_transient_and_nothing_was_sent(case: ContractCase) -> None:
    config = case.fake.adapter_config(api_url=closed_port_url(), quota=case.quota)
    adapter = YouTubeAdapter(config, build_session(0.5))
    with pytest.raises(base.Transient) as raised:
        adapter.publish(case.creds, content(case), "k", base.Progress())
    assert raised.value.detail == "Could not reach YouTube (ConnectionError); nothing was sent."


def test_a_server_error_on_a_middle_chunk_is_transient_and_keeps_the_session(
    case: ContractCase,
) -> None:
    progress = base.Progress()
    case.fake.fail_next(503, path=f"PUT {VIDEOS}")
    with pytest.raises(base.Transient) as raised:
        publish(case, progress)
    assert raised.value.detail == (
        "YouTube had a temporary problem during the upload (503); SMO resumes the same upload."
    )
    assert progress.get("upload_url")
    publish(case, progress)
    assert len(case.fake.calls("POST", VIDEOS)) == 1
    assert len(case.fake.videos) == 1


def test_a_server_error_on_the_last_chunk_is_unknown(case: ContractCase) -> None:
    post = content(case, video(case.folder, size=900))  # one chunk: the first is the last
    case.fake.fail_next(500, path=f"PUT {VIDEOS}")
    with pytest.raises(base.Unknown) as raised:
        publish(case, post=post)
    assert raised.value.detail == (
        "YouTube answered 500 to the last part of the video; it may exist."
    )


def test_a_dropped_connection_on_the_last_chunk_is_unknown(case: ContractCase) -> None:
    case.fake.drop_after_receive(f"PUT {VIDEOS}", final_only=True)
    with pytest.raises(base.Unknown) as raised:
        publish(case)
    assert "the video may exist" in raised.value.detail
    assert len(case.fake.videos) == 1


def test_a_short_rate_limit_on_a_lookup_waits_as_google_asks(case: ContractCase) -> None:
    case.fake.fail_next(
        429, body(429, "userRateLimitExceeded", "Slow down"), headers={"Retry-After": "30"}
    )
    before = case.fake.clock()
    with pytest.raises(base.RateLimited) as raised:
        case.adapter.find_published(case.creds, content(case), "k", base.Progress())
    assert before + timedelta(seconds=29) <= raised.value.retry_at <= before + timedelta(seconds=32)
    assert raised.value.code == "userRateLimitExceeded"
    # Not the day's quota: the next lookup goes out at once.
    assert case.adapter.find_published(case.creds, content(case), "k", base.Progress()) is None


def test_the_daily_upload_limit_answered_as_429_waits_for_the_next_quota_day(
    case: ContractCase,
) -> None:
    case.fake.fail_next(429, body(429, "rateLimitExceeded"), path=f"POST {VIDEOS}")
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == next_quota_day(case.fake.clock())
    assert (raised.value.status, raised.value.code) == (429, "rateLimitExceeded")
    calls = len(case.fake.requests)
    with pytest.raises(base.RateLimited):
        publish(case)
    assert len(case.fake.requests) == calls  # not asked again today


def test_a_channel_at_its_upload_limit_waits_while_other_channels_upload(
    case: ContractCase,
) -> None:
    case.fake.channel_upload_cap = 0
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.code == "uploadLimitExceeded"
    assert raised.value.detail == (
        "This YouTube channel has reached its daily upload limit; SMO tries again after "
        "midnight Pacific time."
    )
    case.fake.channel_upload_cap = None
    case.fake.add_channel("UCother000000000000000aa", "Other", "@other", user="bob")
    other = base.Credentials(
        "UCother000000000000000aa", "@other", {"access_token": case.fake.issue_token("bob")}
    )
    assert case.adapter.publish(other, content(case), "k", base.Progress()).external_id
    with pytest.raises(base.RateLimited):
        publish(case)


def test_a_thumbnail_server_error_is_transient_and_the_retry_only_sets_the_thumbnail(
    case: ContractCase,
) -> None:
    post = content(case, video(case.folder, size=1500), image(case.folder))
    progress = base.Progress()
    case.fake.fail_next(503, path="/upload/youtube/v3/thumbnails/set")
    with pytest.raises(base.Transient):
        publish(case, progress, post=post)
    [video_id] = case.fake.videos
    assert progress.get("video_id") == video_id
    case.fake.requests.clear()
    assert publish(case, progress, post=post).external_id == video_id
    assert [(r.method, r.path) for r in case.fake.requests] == [
        ("POST", "/upload/youtube/v3/thumbnails/set")
    ]


def test_an_expired_token_mid_upload_resumes_the_same_session_after_a_refresh(
    case: ContractCase,
) -> None:
    progress = base.Progress()
    case.fake.fail_next(401, path=f"PUT {VIDEOS}")
    with pytest.raises(base.AuthExpired):
        publish(case, progress)
    fresh = case.adapter.refresh(case.creds)
    case.adapter.publish(fresh, content(case), "key-1", progress)
    assert len(case.fake.calls("POST", VIDEOS)) == 1
    assert len(case.fake.videos) == 1


def test_no_token_or_secret_appears_in_an_error(case: ContractCase) -> None:
    token = case.creds.secrets["access_token"]
    echo = body(400, "invalidTitle", f"Bad title for Bearer {token} ({case.fake.client_secret})")
    case.fake.fail_next(400, echo)
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    text = f"{raised.value.detail} {raised.value} {raised.value.network_code}"
    assert token not in text
    assert "[hidden]" in text
    assert token not in repr(case.adapter) and token not in repr(case.creds)


def test_an_account_without_a_token_must_reconnect(case: ContractCase) -> None:
    creds = base.Credentials(CHANNEL, "@acmebakery", {})
    with pytest.raises(base.AuthExpired):
        case.adapter.publish(creds, content(case), "k", base.Progress())
    assert case.fake.requests == []


def test_no_token_reaches_a_log_line(case: ContractCase, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    post = content(case, video(case.folder, size=1500), image(case.folder))
    case.fake.thumbnails_allowed = False  # the adapter logs the refusal
    case.fake.fail_next(503, path=f"PUT {VIDEOS}")
    progress = base.Progress()
    with pytest.raises(base.Transient):
        publish(case, progress, post=post)
    publish(case, progress, post=post)
    case.adapter.refresh(case.creds)
    assert "thumbnail refused" in caplog.text
    for secret in (*case.creds.secrets.values(), case.fake.client_secret):
        assert secret not in caplog.text
