"""Finding a Threads post whose publish answer was lost: by its container's status
(PUBLISHED or not) and the account's recent posts and replies (platforms.md §4)."""

from __future__ import annotations

import pytest

from channels.adapters import base
from channels.adapters.threads import ThreadsAdapter
from tests.channels.adapters import threads_support
from tests.fakes.threads import FakeThreads

fake, creds, sleeps, adapter = (
    threads_support.fake,
    threads_support.creds,
    threads_support.sleeps,
    threads_support.adapter,
)
CONTENT = base.Content("Cardamom buns are back 🥐")


def test_a_post_whose_answer_was_lost_is_found_and_not_published_again(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    progress = base.Progress()
    fake.timeout_after_receive("/threads_publish")
    with pytest.raises(base.Unknown):
        adapter.publish(creds, CONTENT, "k", progress)

    found = adapter.find_published(creds, CONTENT, "k", progress)

    [post] = fake.threads
    assert found == base.Published(post["id"], post["permalink"], found.published_at)
    assert progress.get("post_ids") == [post["id"]]
    assert len(fake.calls("POST", "/threads_publish")) == 1


def test_a_container_that_is_not_published_means_not_there_and_the_retry_reuses_it(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    progress = base.Progress()
    fake.fail_next(503, path="/threads_publish")  # refused, yet "may exist" for the engine
    with pytest.raises(base.Unknown):
        adapter.publish(creds, CONTENT, "k", progress)
    [container] = fake.containers

    assert adapter.find_published(creds, CONTENT, "k", progress) is None
    assert fake.calls("GET", "/threads") == []  # the container said it all

    result = adapter.publish(creds, CONTENT, "k", progress)
    assert len(fake.containers) == 1
    [post] = fake.threads
    assert (post["container_id"], result.external_id) == (container, post["id"])


def test_a_retry_after_a_lost_answer_publishes_nothing_twice(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    progress = base.Progress()
    fake.timeout_after_receive("/threads_publish")
    with pytest.raises(base.Unknown):
        adapter.publish(creds, CONTENT, "k", progress)

    result = adapter.publish(creds, CONTENT, "k", progress)  # its container says PUBLISHED

    [post] = fake.threads
    assert result.external_id == post["id"]
    assert len(fake.calls("POST", "/threads_publish")) == 1


def test_without_progress_the_recent_posts_are_searched_by_text(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    adapter.publish(creds, base.Content("Something else"), "k1", base.Progress())
    adapter.publish(creds, CONTENT, "k2", base.Progress())
    adapter.publish(creds, base.Content("And more"), "k3", base.Progress())

    found = adapter.find_published(
        creds, base.Content(" Cardamom  buns are back 🥐 "), "k2", base.Progress()
    )

    assert found is not None and found.external_id == fake.threads[1]["id"]
    [listing] = fake.calls("GET", "/threads")
    assert listing.params == {"fields": "id,text,timestamp,permalink", "limit": "25"}


def test_nothing_posted_is_not_there(adapter: ThreadsAdapter, creds: base.Credentials) -> None:
    assert adapter.find_published(creds, CONTENT, "k", base.Progress()) is None


def test_published_but_not_listed_yet_asks_again_later(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    progress = base.Progress()
    fake.timeout_after_receive("/threads_publish")
    with pytest.raises(base.Unknown):
        adapter.publish(creds, CONTENT, "k", progress)
    fake.threads.clear()  # Threads lists it a little later

    with pytest.raises(base.Unknown) as raised:
        adapter.find_published(creds, CONTENT, "k", progress)
    assert raised.value.code == "published"


def test_a_thread_found_in_part_resumes_with_the_missing_replies(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    content = base.Content("Spring menu, a thread:", thread=("Buns.", "Cold brew."))
    progress = base.Progress()
    fake.timeout_after_receive("/threads_publish")  # the first post is made, its answer lost
    with pytest.raises(base.Unknown):
        adapter.publish(creds, content, "k", progress)
    fresh = base.Progress({"started_at": progress.get("started_at")})  # a crash lost the rest

    assert adapter.find_published(creds, content, "k", fresh) is None
    [first] = fake.threads
    assert fresh.get("post_ids") == [first["id"]]

    adapter.publish(creds, content, "k", fresh)
    assert [t["text"] for t in fake.threads] == ["Spring menu, a thread:", "Buns.", "Cold brew."]


def test_a_whole_thread_is_found_through_the_replies(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    content = base.Content("Spring menu, a thread:", thread=("Buns.", "Cold brew."))
    adapter.publish(creds, content, "k", base.Progress())
    progress = base.Progress()

    found = adapter.find_published(creds, content, "k", progress)

    first, second, third = (t["id"] for t in fake.threads)
    assert found is not None and found.external_id == first
    assert progress.get("post_ids") == [first, second, third]
    assert fake.calls("GET", "/replies")[0].params["fields"] == (
        "id,text,timestamp,permalink,replied_to"
    )


def test_a_post_of_media_alone_with_no_start_time_cannot_be_told(
    adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    photo = base.MediaItem("/m/a.jpg", "image/jpeg", "image", 10, url="https://s/a.jpg")
    with pytest.raises(base.CannotTell):
        adapter.find_published(creds, base.Content("", media=(photo,)), "k", base.Progress())
