"""Facebook errors: each Graph code's class, lost answers, and finding what was posted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from channels.adapters import base
from channels.adapters.facebook import FacebookAdapter
from channels.adapters.session import build_session
from tests.fakes.clock import NOW, Clock
from tests.fakes.graph import FakeGraph, buc_header, graph_error
from tests.fakes.graph_contract import ErrorCase, facebook_contract_case

TOKEN = "page-token-acme"
CREDS = base.Credentials("1001", "Acme Bakery", {"access_token": TOKEN})
TEXT = base.Content("Fresh bread at 7.")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeGraph]:
    with FakeGraph(now=clock) as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN)
        yield fake
        assert fake.crashes == []  # the fake itself never failed


def adapter(fake: FakeGraph, clock: Clock, timeout: float = 1.0) -> FacebookAdapter:
    return FacebookAdapter(fake.config(now=clock), build_session(timeout))


def error_cases() -> list[ErrorCase]:
    with facebook_contract_case() as case:
        return case.errors


@pytest.mark.parametrize(("status", "body", "headers", "expected"), error_cases())
def test_each_documented_error_maps_to_its_class(
    fake: FakeGraph,
    clock: Clock,
    status: int,
    body: dict[str, object] | None,
    headers: dict[str, str] | None,
    expected: type,
) -> None:
    fake.fail_next(status, body, headers)
    progress = base.Progress()
    with pytest.raises(base.AdapterError) as raised:
        adapter(fake, clock).publish(CREDS, TEXT, "k", progress)
    assert type(raised.value) is expected
    assert fake.posts == []  # a planned fault answers before doing anything
    assert "post_id" not in progress.as_dict()
    assert TOKEN not in repr(raised.value.__dict__) and fake.app_secret not in str(raised.value)


def test_a_page_rate_limit_waits_for_the_time_facebook_gives(fake: FakeGraph, clock: Clock) -> None:
    fake.fail_next(400, graph_error(32, "(#32) Page request limit reached"), buc_header("1001", 25))
    with pytest.raises(base.RateLimited) as raised:
        adapter(fake, clock).publish(CREDS, TEXT, "k", base.Progress())
    assert raised.value.retry_at == NOW + timedelta(minutes=25)
    assert raised.value.network_code == "400:32"


def test_an_expired_token_says_to_reconnect(fake: FakeGraph, clock: Clock) -> None:
    fake.expire_token(TOKEN, subcode=460)
    with pytest.raises(base.AuthExpired) as raised:
        adapter(fake, clock).publish(CREDS, TEXT, "k", base.Progress())
    assert raised.value.detail.endswith("Reconnect the account.")
    assert raised.value.code == "190/460"


def test_an_unknown_token_is_auth_expired(fake: FakeGraph, clock: Clock) -> None:
    creds = base.Credentials("1001", secrets={"access_token": "revoked-token"})
    with pytest.raises(base.AuthExpired):
        adapter(fake, clock).publish(creds, TEXT, "k", base.Progress())


def test_a_lost_answer_is_unknown_and_find_published_finds_the_post(
    fake: FakeGraph, clock: Clock
) -> None:
    fake.timeout_after_receive(path="/1001/feed")
    progress = base.Progress()
    with pytest.raises(base.Unknown):
        adapter(fake, clock, timeout=0.2).publish(CREDS, TEXT, "k", progress)
    [post] = fake.posts  # it was made
    assert "post_id" not in progress.as_dict()

    found = adapter(fake, clock).find_published(CREDS, TEXT, "k", progress)

    assert found == base.Published(post["id"], post["permalink_url"], NOW)
    assert progress.get("post_id") == post["id"]
    assert fake.calls("GET", f"/{post['id']}") == []  # the listing gave its link
    lookup = fake.calls("GET", "/published_posts")[0]
    assert lookup.params == {"fields": "id,message,created_time,permalink_url", "limit": "25"}
    # The engine's next publish only reads the link: nothing is posted twice.
    adapter(fake, clock).publish(CREDS, TEXT, "k", progress)
    assert len(fake.posts) == 1


def test_find_published_matches_the_text_loosely(fake: FakeGraph, clock: Clock) -> None:
    adapter(fake, clock).publish(CREDS, base.Content("Fresh  bread\nat 7."), "k", base.Progress())
    found = adapter(fake, clock).find_published(
        CREDS, TEXT, "k", base.Progress({"started_at": NOW.isoformat()})
    )
    assert found is not None and found.external_id == fake.posts[0]["id"]


def test_find_published_ignores_posts_older_than_the_first_attempt(
    fake: FakeGraph, clock: Clock
) -> None:
    adapter(fake, clock).publish(CREDS, TEXT, "k", base.Progress())  # last week's post
    clock.now = NOW + timedelta(days=7)
    progress = base.Progress()
    fake.fail_next(400, graph_error(100, "(#100) Invalid parameter"), path="/feed")
    with pytest.raises(base.Permanent):
        adapter(fake, clock).publish(CREDS, TEXT, "k", progress)

    assert adapter(fake, clock).find_published(CREDS, TEXT, "k", progress) is None


def test_find_published_says_none_when_nothing_was_posted(fake: FakeGraph, clock: Clock) -> None:
    assert adapter(fake, clock).find_published(CREDS, TEXT, "k", base.Progress()) is None
    assert FacebookAdapter.supports_lookup is True


def test_a_duplicate_after_a_lost_answer_is_flagged(fake: FakeGraph, clock: Clock) -> None:
    fake.timeout_after_receive(path="/feed")
    with pytest.raises(base.Unknown):
        adapter(fake, clock, timeout=0.2).publish(CREDS, TEXT, "k", base.Progress())
    with pytest.raises(base.Permanent) as raised:  # a blind retry: Facebook says 506
        adapter(fake, clock).publish(CREDS, TEXT, "k", base.Progress())
    assert raised.value.duplicate is True
    assert raised.value.code == "506"


def test_a_lost_first_comment_is_found_too(fake: FakeGraph, clock: Clock) -> None:
    content = base.Content("Fresh bread at 7.", first_comment="Order at acme.example")
    fake.timeout_after_receive(path="/comments")
    progress = base.Progress()
    with pytest.raises(base.Unknown):
        adapter(fake, clock, timeout=0.2).publish(CREDS, content, "k", progress)
    assert progress.get("post_id") == fake.posts[0]["id"]

    found = adapter(fake, clock).find_published(CREDS, content, "k", progress)

    assert found is not None
    assert progress.get("comment_id") == fake.comments[0]["id"]


def test_a_post_without_its_comment_is_not_done(fake: FakeGraph, clock: Clock) -> None:
    content = base.Content("Fresh bread at 7.", first_comment="Order at acme.example")
    fake.fail_next(500, path="/comments")
    progress = base.Progress()
    with pytest.raises(base.Unknown):
        adapter(fake, clock).publish(CREDS, content, "k", progress)

    assert adapter(fake, clock).find_published(CREDS, content, "k", progress) is None

    adapter(fake, clock).publish(CREDS, content, "k", progress)  # resumes with the comment
    assert len(fake.posts) == 1 and len(fake.comments) == 1


def test_a_lost_video_upload_is_found_among_the_pages_videos(
    fake: FakeGraph, clock: Clock, tmp_path: Path
) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"\0" * 2000)
    video = base.MediaItem(str(tmp_path / "clip.mp4"), "video/mp4", "video", 2000)
    content = base.Content("Behind the counter", media=(video,))
    fake.timeout_after_receive(path="/videos")
    progress = base.Progress()
    with pytest.raises(base.Unknown):
        adapter(fake, clock, timeout=0.2).publish(CREDS, content, "k", progress)

    found = adapter(fake, clock).find_published(CREDS, content, "k", progress)

    [video_id] = fake.videos
    assert found is not None and found.external_id == video_id


def test_random_server_errors_on_a_create_are_unknown(fake: FakeGraph, clock: Clock) -> None:
    fake.error_rate = 1.0
    with pytest.raises(base.Unknown) as raised:
        adapter(fake, clock).publish(CREDS, TEXT, "k", base.Progress())
    assert raised.value.network_code == "500:2"
