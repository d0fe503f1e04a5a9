"""RedditAdapter through praw against FakeReddit: each kind of post, flair, the
errors Reddit puts in HTTP 200 bodies, rate limits, lookup of a lost post,
token refresh and what validate() refuses."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from channels.adapters.base import (
    AuthExpired,
    Content,
    MediaItem,
    Permanent,
    Progress,
    RateLimited,
    Transient,
    Unknown,
)
from channels.adapters.reddit_api import break_of
from tests.fakes.graph_wire import jpeg
from tests.fakes.reddit import errors, ratelimited
from tests.fakes.reddit_contract import ContractCase, contract_case


@pytest.fixture
def case(monkeypatch: pytest.MonkeyPatch) -> Iterator[ContractCase]:
    def no_sleeping(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s for real")

    monkeypatch.setattr(time, "sleep", no_sleeping)
    with contract_case() as case:
        yield case


def publish(case: ContractCase, content: Content, progress: Progress | None = None) -> Any:
    return case.adapter.publish(case.creds, content, "key", progress or Progress())


def photo(tmp_path: Path, mime: str = "image/jpeg") -> MediaItem:
    data = jpeg(800, 600)
    path = tmp_path / "buns.jpg"
    path.write_bytes(data)
    return MediaItem(str(path), mime, "image", len(data), 800, 600)


def with_options(content: Content, **options: Any) -> Content:
    return dataclasses.replace(content, options={**content.options, **options})


def test_a_text_post_goes_to_the_subreddit_with_its_title_and_body(case: ContractCase) -> None:
    progress = Progress()
    result = publish(case, case.content_ok, progress)
    [post] = case.fake.posts
    assert post["is_self"] and post["subreddit"] == "Baking"
    assert (post["title"], post["selftext"]) == (
        "Cardamom buns, the recipe",
        "Cardamom buns are back, warm from 7.",
    )
    assert result.external_id == post["id"] == progress.get("post_id")
    assert result.url == "https://www.reddit.com" + post["permalink"]
    [submit] = case.fake.calls("POST", "/api/submit/")
    assert (submit.body["kind"], submit.body["sr"], submit.body["api_type"]) == (
        "self",
        "Baking",
        "json",
    )
    assert submit.headers["user-agent"].startswith("web:smo-scheduler:1.0")
    # Done once: a second call returns the recorded post without posting again.
    assert publish(case, case.content_ok, progress) == result
    assert len(case.fake.posts) == 1


def test_a_link_post_is_sent_without_resubmitting(case: ContractCase) -> None:
    content = Content("", link="https://acme.example/buns", options=case.content_ok.options)
    result = publish(case, content)
    [post] = case.fake.posts
    assert (post["is_self"], post["url"]) == (False, "https://acme.example/buns")
    [submit] = case.fake.calls("POST", "/api/submit/")
    assert (submit.body["kind"], submit.body["resubmit"]) == ("link", "False")
    assert result.url.startswith("https://www.reddit.com/r/Baking/comments/")
    # The same link again is Reddit's duplicate, which the engine reconciles.
    with pytest.raises(Permanent) as raised:
        publish(case, content)
    assert raised.value.duplicate and raised.value.code == "ALREADY_SUB"


def test_an_image_post_is_uploaded_through_the_lease_and_found_without_a_websocket(
    case: ContractCase, tmp_path: Path
) -> None:
    content = Content(
        "Fresh from the oven",
        media=(photo(tmp_path),),
        link="https://acme.example/buns",
        options={"subreddit": "Baking", "title": "Buns"},
    )
    result = publish(case, content)
    [lease] = case.fake.calls("POST", "/api/media/asset.json")
    assert (lease.body["filepath"], lease.body["mimetype"]) == ("image.jpg", "image/jpeg")
    [upload] = case.fake.uploads
    assert upload.body["file"] == Path(content.media[0].path).read_bytes()
    [submit] = case.fake.calls("POST", "/api/submit/")
    assert submit.body["kind"] == "image"
    assert submit.body["text"] == "Fresh from the oven\n\nhttps://acme.example/buns"
    [post] = case.fake.posts
    assert result.external_id == post["id"] and not post["is_self"]
    assert case.fake.calls("GET", "/user/acmebakery/submitted")


def test_an_image_post_whose_look_up_fails_is_unknown_not_retried(
    case: ContractCase, tmp_path: Path
) -> None:
    content = Content("", media=(photo(tmp_path),), options={"subreddit": "Baking", "title": "B"})
    case.fake.fail_next(503, path="/user/acmebakery/submitted")
    with pytest.raises(Unknown):
        publish(case, content)
    [post] = case.fake.posts
    found = case.adapter.find_published(case.creds, content, "key", Progress())
    assert found is not None and found.external_id == post["id"]


def test_a_flair_is_chosen_by_its_text(case: ContractCase) -> None:
    publish(case, with_options(case.content_ok, flair="recipe"))
    [post] = case.fake.posts
    wanted = next(
        t for t, text in case.fake.subreddits["baking"]["flairs"].items() if text == "Recipe"
    )
    assert post["link_flair_template_id"] == wanted


def test_an_unknown_flair_is_refused_before_posting_and_names_the_choices(
    case: ContractCase,
) -> None:
    with pytest.raises(Permanent) as raised:
        publish(case, with_options(case.content_ok, flair="Memes"))
    assert raised.value.detail == "r/Baking has no flair Memes; it has: Recipe, Question."
    assert case.fake.posts == []


def test_nsfw_and_spoiler_marks_go_with_the_post(case: ContractCase) -> None:
    publish(case, with_options(case.content_ok, nsfw=True, spoiler=True))
    [post] = case.fake.posts
    assert post["over_18"] and post["spoiler"]


def test_a_subreddit_that_does_not_exist_is_a_permanent_failure(case: ContractCase) -> None:
    with pytest.raises(Permanent) as raised:
        publish(case, with_options(case.content_ok, subreddit="NoSuchPlace"))
    assert (raised.value.code, raised.value.detail) == (
        "SUBREDDIT_NOEXIST",
        "Reddit has no such subreddit.",
    )


def test_a_subreddit_for_links_only_refuses_a_text_post(case: ContractCase) -> None:
    case.fake.add_subreddit("LinksOnly", kinds="link")
    with pytest.raises(Permanent) as raised:
        publish(case, with_options(case.content_ok, subreddit="LinksOnly"))
    assert raised.value.code == "NO_SELFS"


@pytest.mark.parametrize(
    ("wait", "seconds"),
    [("9 minutes", 540), ("1 minute", 60), ("30 seconds", 30), ("500 milliseconds", 1)],
)
def test_ratelimit_in_the_body_says_when_to_come_back(
    case: ContractCase, wait: str, seconds: int
) -> None:
    case.fake.fail_next(200, body=ratelimited(wait))
    before = case.adapter.now()
    with pytest.raises(RateLimited) as raised:
        publish(case, case.content_ok)
    assert abs((raised.value.retry_at - before) - timedelta(seconds=seconds)) < timedelta(seconds=2)
    assert case.fake.posts == []


def test_a_ratelimit_message_without_a_time_waits_a_minute() -> None:
    assert break_of("you are doing that too much") == timedelta(minutes=1)


def test_a_429_waits_for_reddits_window_to_reset(case: ContractCase) -> None:
    case.fake.fail_next(
        429,
        headers={
            "x-ratelimit-used": "100",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "300",
        },
    )
    before = case.adapter.now()
    with pytest.raises(RateLimited) as raised:
        publish(case, case.content_ok)
    assert timedelta(seconds=298) < raised.value.retry_at - before < timedelta(seconds=302)


def test_a_used_up_window_raises_instead_of_sleeping(case: ContractCase) -> None:
    # One request left: the flair look-up spends it, and praw would sleep before
    # the submit; the adapter says when the window resets instead.
    case.fake.quota = 1
    with pytest.raises(RateLimited) as raised:
        publish(case, with_options(case.content_ok, flair="Recipe"))
    assert raised.value.code == "x-ratelimit-remaining"
    assert case.fake.posts == [] and case.fake.calls("POST", "/api/submit/") == []


def test_a_server_error_on_the_submit_is_not_retried_by_praw(case: ContractCase) -> None:
    case.fake.fail_next(502, path="/api/submit/")
    with pytest.raises(Unknown):
        publish(case, case.content_ok)
    assert len(case.fake.calls("POST", "/api/submit/")) == 1


def test_a_server_error_while_reading_flairs_is_transient(case: ContractCase) -> None:
    case.fake.fail_next(503, path="/r/Baking/api/flairselector/")
    with pytest.raises(Transient):
        publish(case, with_options(case.content_ok, flair="Recipe"))
    assert case.fake.posts == []


def test_an_expired_token_is_auth_expired_and_refresh_renews_it(case: ContractCase) -> None:
    case.fake.expire_token(case.creds.secrets["access_token"])
    with pytest.raises(AuthExpired):
        publish(case, case.content_ok)
    fresh = case.adapter.refresh(case.creds)
    assert fresh.secrets["access_token"] != case.creds.secrets["access_token"]
    assert fresh.secrets["refresh_token"] == case.creds.secrets["refresh_token"]
    assert fresh.expires_at is not None
    assert timedelta(minutes=58) < fresh.expires_at - case.adapter.now() <= timedelta(hours=1)
    assert case.adapter.publish(fresh, case.content_ok, "key", Progress()).external_id
    [token_call] = case.fake.calls("POST", "/api/v1/access_token")
    assert token_call.body["grant_type"] == "refresh_token"


def test_a_revoked_refresh_token_means_reconnecting(case: ContractCase) -> None:
    case.fake.refresh_tokens.clear()
    with pytest.raises(AuthExpired) as raised:
        case.adapter.refresh(case.creds)
    assert raised.value.code == "invalid_grant"
    for secret in case.creds.secrets.values():
        assert secret not in str(raised.value)


def test_the_lookup_finds_only_this_posts_match(case: ContractCase) -> None:
    # Same title elsewhere, other title here, and an old look-alike: none is it.
    case.fake.add_subreddit("Bread")
    case.fake.add_post(case.user, "Bread", "Cardamom buns, the recipe")
    case.fake.add_post(case.user, "Baking", "Something else")
    case.fake.add_post(
        case.user, "Baking", "Cardamom buns, the recipe", created_utc=time.time() - 86400
    )
    progress = Progress({"started_at": case.adapter.now().isoformat()})
    assert case.adapter.find_published(case.creds, case.content_ok, "key", progress) is None
    case.fake.timeout_after_receive("/api/submit/")
    waited = time.monotonic()
    with pytest.raises(Unknown):
        publish(case, case.content_ok, progress)
    assert time.monotonic() - waited < 5  # the session's 1 s timeout, not prawcore's 16 s
    found = case.adapter.find_published(case.creds, case.content_ok, "key", progress)
    assert found is not None
    assert found.external_id == case.fake.posts[-1]["id"] == progress.get("post_id")


def test_validate_checks_title_subreddit_and_media(case: ContractCase, tmp_path: Path) -> None:
    adapter = case.adapter
    assert adapter.validate(case.content_ok) == []
    missing = adapter.validate(Content("text"))
    assert {(p.field, p.code) for p in missing} == {
        ("options.subreddit", "required"),
        ("options.title", "required"),
    }
    long = with_options(case.content_ok, title="t" * 301, subreddit="r/no such place")
    assert {(p.field, p.code) for p in adapter.validate(long)} == {
        ("options.title", "too_long"),
        ("options.subreddit", "invalid"),
    }
    video = MediaItem(str(tmp_path / "v.mp4"), "video/mp4", "video", 1000)
    two = (photo(tmp_path), photo(tmp_path))
    assert [
        p.field for p in adapter.validate(dataclasses.replace(case.content_ok, media=(video,)))
    ] == ["media"]
    assert [p.field for p in adapter.validate(dataclasses.replace(case.content_ok, media=two))] == [
        "media"
    ]
    webp = dataclasses.replace(case.content_ok, media=(photo(tmp_path, "image/webp"),))
    assert [p.code for p in adapter.validate(webp)] == ["invalid"]
    body = dataclasses.replace(case.content_ok, text="a" * 40_001)
    assert [(p.field, p.code) for p in adapter.validate(body)] == [("text", "too_long")]
    # A link-only post with no text is fine.
    assert (
        adapter.validate(Content("", link="https://a.example", options=case.content_ok.options))
        == []
    )


def test_errors_never_show_the_tokens_or_the_app_secret(case: ContractCase) -> None:
    token = case.creds.secrets["access_token"]
    for secret in (case.fake.client_secret, token):
        case.fake.fail_next(200, body=errors(("ODD", f"odd {secret}", "sr")))
        with pytest.raises(Permanent) as raised:
            publish(case, case.content_ok)
        assert secret not in str(raised.value)
        assert raised.value.detail == "Reddit refused the post: odd [hidden]"
