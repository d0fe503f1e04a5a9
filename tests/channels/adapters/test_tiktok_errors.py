"""TikTok's refusals and failures, each mapped to its class by the envelope's code and
the HTTP status (platforms.md §7), with the words people see; rate-limit waits;
and no secret in any error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from channels.adapters import base
from tests.channels.adapters.tiktok_support import (
    CREATOR_INFO,
    INIT,
    NOW,
    OPEN_ID,
    STATUS,
    adapter,
    content,
    creds,
    start,
    video,
)
from tests.fakes.tiktok import FakeTikTok
from tests.fakes.tiktok_wire import envelope
from tests.fakes.x import closed_port_url


@pytest.fixture
def fake() -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        yield start(fake)


def publish(fake: FakeTikTok, tmp_path: Path, **config: object) -> base.Published:
    post = content(video(tmp_path, 900, fake=fake))
    return adapter(fake, **config).publish(creds(fake), post, "k", base.Progress())


@pytest.mark.parametrize(
    ("status", "code", "expected", "detail"),
    [
        (
            403,
            "url_ownership_unverified",
            base.Permanent,
            "TikTok fetches media only from a domain verified for this app. Verify the "
            "domain of SMO_PUBLIC_URL under URL properties in the TikTok developer portal, "
            "or, for videos, set TIKTOK_PULL_FROM_URL=false so SMO uploads the file.",
        ),
        (
            403,
            "unaudited_client_can_only_post_to_private_accounts",
            base.Permanent,
            "TikTok lets this app post only to private accounts until TikTok has audited it. "
            "Make the TikTok account private, or have the app audited.",
        ),
        (
            403,
            "privacy_level_option_mismatch",
            base.Permanent,
            "TikTok does not offer the chosen privacy level for this account (Mismatch). "
            "Choose one of the account's own.",
        ),
        (
            403,
            "spam_risk_user_banned_from_posting",
            base.Permanent,
            "TikTok has stopped this account from posting (Mismatch). "
            "Check the account in the TikTok app.",
        ),
        (400, "invalid_params", base.Permanent, "TikTok refused this: Mismatch"),
        (400, "invalid_param", base.Permanent, "TikTok refused this: Mismatch"),
        (
            401,
            "access_token_invalid",
            base.AuthExpired,
            "TikTok no longer accepts this account's access (Mismatch). "
            "Reconnect the account and allow everything SMO asks for.",
        ),
        (
            403,
            "spam_risk_too_many_posts",
            base.RateLimited,
            "TikTok will take no more posts from this account or app for now (Mismatch); "
            "SMO tries again after 15:00 UTC.",
        ),
        (
            429,
            "rate_limit_exceeded",
            base.RateLimited,
            "TikTok asks to slow down (rate limit); SMO tries again after 14:01 UTC.",
        ),
        (
            500,
            "internal_error",
            base.Unknown,
            "TikTok had an internal error (Mismatch); the post may exist, so SMO checks "
            "before trying again.",
        ),
    ],
)
def test_each_init_refusal_maps_by_its_code(
    fake: FakeTikTok,
    tmp_path: Path,
    status: int,
    code: str,
    expected: type[base.AdapterError],
    detail: str,
) -> None:
    fake.fail_next(status, envelope(code, "Mismatch"), path=INIT)
    with pytest.raises(base.AdapterError) as raised:
        publish(fake, tmp_path, pull_from_url=True)
    assert type(raised.value) is expected
    assert raised.value.detail == detail
    assert (raised.value.status, raised.value.code) == (status, code)


def test_a_refusal_sent_with_http_200_is_still_a_refusal(fake: FakeTikTok, tmp_path: Path) -> None:
    # Seen for url_ownership_unverified in the wild: the code decides, not the status.
    fake.fail_next(200, envelope("url_ownership_unverified", "Verify"), path=INIT)
    with pytest.raises(base.Permanent) as raised:
        publish(fake, tmp_path, pull_from_url=True)
    assert raised.value.code == "url_ownership_unverified"
    assert fake.publishes == {}


def test_the_fake_refuses_a_url_outside_the_verified_prefixes(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.verified_prefixes = ["https://media.acme.example/"]
    with pytest.raises(base.Permanent) as raised:
        publish(fake, tmp_path, pull_from_url=True)
    assert (raised.value.status, raised.value.code) == (403, "url_ownership_unverified")


def test_a_rate_limit_waits_one_sliding_window_or_what_a_header_says(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.fail_next(429, path=CREATOR_INFO)
    with pytest.raises(base.RateLimited) as raised:
        publish(fake, tmp_path)
    assert raised.value.retry_at == NOW + timedelta(minutes=1)
    fake.fail_next(429, headers={"Retry-After": "120"}, path=CREATOR_INFO)
    with pytest.raises(base.RateLimited) as raised:
        publish(fake, tmp_path)
    assert raised.value.retry_at == NOW + timedelta(seconds=120)


def test_the_seventh_init_in_a_minute_is_rate_limited_and_the_window_slides(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.processing_fetches = 0
    tiktok, account = adapter(fake), creds(fake)
    post = content(video(tmp_path, 900))
    for _ in range(6):
        tiktok.publish(account, post, "k", base.Progress())
    with pytest.raises(base.RateLimited) as raised:
        tiktok.publish(account, post, "k", base.Progress())
    assert (raised.value.status, raised.value.code) == (429, "rate_limit_exceeded")
    assert len(fake.publishes) == 6
    fake.advance(61)
    tiktok.publish(account, post, "k", base.Progress())
    assert len(fake.publishes) == 7


def test_a_rate_limit_while_polling_keeps_the_publish_for_the_next_attempt(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.fail_next(429, path=STATUS)
    progress = base.Progress()
    post, account = content(video(tmp_path, 900)), creds(fake)
    with pytest.raises(base.RateLimited):
        adapter(fake).publish(account, post, "k", progress)
    adapter(fake).publish(account, post, "k", progress)
    assert len(fake.calls("POST", INIT)) == 1


def test_the_daily_post_cap_waits_an_hour_without_another_init(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.posts_per_day = 1
    publish(fake, tmp_path)
    with pytest.raises(base.RateLimited) as raised:
        publish(fake, tmp_path)
    assert raised.value.retry_at == NOW + timedelta(hours=1)
    assert raised.value.code == "spam_risk_too_many_posts"
    assert len(fake.calls("POST", INIT)) == 1  # creator_info said so first


def test_the_apps_daily_active_user_cap_waits_too(fake: FakeTikTok, tmp_path: Path) -> None:
    fake.add_creator("-000OtherOpenId", "other", "Other")
    fake.new_publish(fake.creators["-000OtherOpenId"], "PHOTO", {}, "SELF_ONLY")
    fake.active_user_cap = 1
    with pytest.raises(base.RateLimited) as raised:
        publish(fake, tmp_path)
    assert raised.value.code == "reached_active_user_cap"


def test_a_banned_account_is_permanent(fake: FakeTikTok, tmp_path: Path) -> None:
    fake.creators[OPEN_ID].banned = True
    with pytest.raises(base.Permanent) as raised:
        publish(fake, tmp_path)
    assert raised.value.code == "spam_risk_user_banned_from_posting"


def test_an_expired_token_and_a_missing_scope_are_auth_expired(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    account = creds(fake)
    fake.expire_token(account.secrets["access_token"])
    post = content(video(tmp_path, 900))
    with pytest.raises(base.AuthExpired) as raised:
        adapter(fake).publish(account, post, "k", base.Progress())
    assert (raised.value.status, raised.value.code) == (401, "access_token_invalid")
    narrow = creds(fake, scopes=("user.info.basic", "video.list"))
    with pytest.raises(base.AuthExpired) as raised:
        adapter(fake).publish(narrow, post, "k", base.Progress())
    assert raised.value.code == "scope_not_authorized"
    no_token = base.Credentials(OPEN_ID, "acmebakery", {})
    with pytest.raises(base.AuthExpired):
        adapter(fake).publish(no_token, post, "k", base.Progress())


def test_tiktok_unreachable_is_transient_and_nothing_was_sent(tmp_path: Path) -> None:
    with FakeTikTok() as fake:
        start(fake)
        tiktok = adapter(fake, api_url=closed_port_url())
        with pytest.raises(base.Transient) as raised:
            tiktok.publish(creds(fake), content(video(tmp_path, 900)), "k", base.Progress())
    assert raised.value.detail == (
        "TikTok could not be reached (ConnectionError); nothing was sent."
    )


def test_a_proxy_page_instead_of_an_answer(fake: FakeTikTok, tmp_path: Path) -> None:
    fake.fail_next(502, "<html>Bad gateway</html>", path=CREATOR_INFO)
    with pytest.raises(base.Transient):
        publish(fake, tmp_path)
    fake.fail_next(200, "<html>Welcome</html>", path=INIT)
    with pytest.raises(base.Unknown) as raised:
        publish(fake, tmp_path, pull_from_url=True)
    assert raised.value.detail.startswith("TikTok sent an unexpected answer (HTTP 200)")


def test_a_chunk_the_upload_host_refuses_is_permanent(fake: FakeTikTok, tmp_path: Path) -> None:
    fake.fail_next(
        400, envelope("invalid_file_upload", "Content-Range is wrong."), path="/upload/video/"
    )
    with pytest.raises(base.Permanent) as raised:
        publish(fake, tmp_path)
    assert raised.value.detail == (
        "TikTok refused part 1 of 1 of the video (HTTP 400: Content-Range is wrong.)."
    )


def test_chunk_rules_that_differ_from_tiktoks_are_refused_at_init(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    tiktok = adapter(fake, max_chunk_bytes=6000, max_last_chunk_bytes=12_000, chunk_bytes=5000)
    with pytest.raises(base.Permanent) as raised:
        tiktok.publish(creds(fake), content(video(tmp_path, 10_700)), "k", base.Progress())
    assert raised.value.detail == (
        "TikTok refused this: chunk_size is outside the allowed chunk sizes"
    )


def test_no_secret_reaches_an_error(fake: FakeTikTok, tmp_path: Path) -> None:
    account = creds(fake)
    token = account.secrets["access_token"]
    fake.fail_next(400, envelope("invalid_params", f"bad token {token} / {fake.client_secret}"))
    with pytest.raises(base.Permanent) as raised:
        adapter(fake).publish(account, content(video(tmp_path, 900)), "k", base.Progress())
    assert raised.value.detail == "TikTok refused this: bad token [hidden] / [hidden]"
    shown = json.dumps(raised.value.words.as_json())  # what the delivery page renders
    for secret in (token, fake.client_secret, account.secrets["refresh_token"]):
        assert secret not in str(raised.value)
        assert secret not in shown
        assert secret not in repr(raised.value.__context__)
        assert secret not in repr(account)
        assert secret not in repr(adapter(fake))
