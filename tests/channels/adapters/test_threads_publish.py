"""Publishing to Threads: text, an image, a video, a carousel and a thread of replies,
each a container waited on and then published (platforms.md §4)."""

from __future__ import annotations

from channels.adapters import base
from channels.adapters.threads import ThreadsAdapter
from tests.channels.adapters import threads_support
from tests.channels.adapters.threads_support import image, video
from tests.fakes.threads import FakeThreads

# The shared fixtures, used by name.
fake, creds, sleeps, adapter = (
    threads_support.fake,
    threads_support.creds,
    threads_support.sleeps,
    threads_support.adapter,
)
LIMIT = "quota_usage,config,reply_quota_usage,reply_config"


def test_a_text_post(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, sleeps: list[float]
) -> None:
    progress = base.Progress()

    result = adapter.publish(creds, base.Content("Fresh bread at 7 🥖"), "k", progress)

    [container] = fake.containers
    [post] = fake.threads
    user = creds.external_id
    assert [(r.method, r.path, r.params) for r in fake.requests] == [
        ("POST", f"/{user}/threads", {"text": "Fresh bread at 7 🥖", "media_type": "TEXT"}),
        ("GET", f"/{container}", {"fields": "status,error_message"}),
        ("GET", f"/{user}/threads_publishing_limit", {"fields": LIMIT}),
        ("POST", f"/{user}/threads_publish", {"creation_id": container}),
        ("GET", f"/{post['id']}", {"fields": "permalink,timestamp"}),
    ]
    assert all(r.version == "v1.0" for r in fake.requests)
    assert all(r.token == creds.secrets["access_token"] for r in fake.requests)
    assert result == base.Published(post["id"], post["permalink"], result.published_at)
    assert result.url.startswith("https://www.threads.net/@acmebakery/post/")
    assert progress.as_dict() == {
        "started_at": progress.get("started_at"),
        "container": {"step": 0, "id": container},
        "post_ids": [post["id"]],
    }
    assert sleeps == []


def test_the_link_ends_the_text(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    content = base.Content("New menu", link="https://acme.example/menu")
    adapter.publish(creds, content, "k", base.Progress())
    assert fake.threads[0]["text"] == "New menu\n\nhttps://acme.example/menu"


def test_an_image_is_fetched_by_threads_from_its_public_url(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    item = image(fake)
    adapter.publish(creds, base.Content("Loaves", media=(item,)), "k", base.Progress())
    [create] = fake.calls("POST", "/threads")
    assert create.params == {"text": "Loaves", "media_type": "IMAGE", "image_url": item.url}
    assert [(f.url, f.status, f.size) for f in fake.fetches] == [(item.url, 200, item.size)]
    assert fake.threads[0]["media_type"] == "IMAGE"


def test_a_video_is_waited_on_until_threads_has_processed_it(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, sleeps: list[float]
) -> None:
    fake.container_polls = 3
    item = video(fake)
    adapter.publish(creds, base.Content("", media=(item,)), "k", base.Progress())
    [create] = fake.calls("POST", "/threads")
    assert create.params == {"media_type": "VIDEO", "video_url": item.url}
    [container] = fake.containers
    assert len(fake.calls("GET", f"/{container}")) == 4
    assert sleeps == [5.0, 5.0, 5.0]  # the injected sleep, never a real one
    assert fake.threads[0]["media_type"] == "VIDEO"


def test_a_carousel_of_images_and_a_video(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    items = (image(fake, "a.jpg"), video(fake), image(fake, "b.jpg"))
    fake.container_polls = 1
    progress = base.Progress()

    result = adapter.publish(creds, base.Content("Our week", media=items), "k", progress)

    children = [c for c in fake.containers if fake.containers[c]["is_carousel_item"]]
    assert [c.params for c in fake.calls("POST", "/threads")] == [
        {"is_carousel_item": "true", "media_type": "IMAGE", "image_url": items[0].url},
        {"is_carousel_item": "true", "media_type": "VIDEO", "video_url": items[1].url},
        {"is_carousel_item": "true", "media_type": "IMAGE", "image_url": items[2].url},
        {"text": "Our week", "media_type": "CAROUSEL", "children": ",".join(children)},
    ]
    carousel = next(c for c in fake.containers if not fake.containers[c]["is_carousel_item"])
    assert progress.get("children") == children
    assert progress.get("container") == {"step": 0, "id": carousel}
    [post] = fake.threads
    assert (post["media_type"], post["children"], result.external_id) == (
        "CAROUSEL_ALBUM",
        children,
        post["id"],
    )


def test_a_thread_is_a_chain_of_replies(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    content = base.Content("Spring menu, a thread:", thread=("Buns.", "Cold brew."))
    progress = base.Progress()

    result = adapter.publish(creds, content, "k", progress)

    first, second, third = fake.threads
    assert [t["text"] for t in fake.threads] == ["Spring menu, a thread:", "Buns.", "Cold brew."]
    creates = fake.calls("POST", "/threads")
    assert [c.params.get("reply_to_id") for c in creates] == [None, first["id"], second["id"]]
    assert (second["replied_to"], third["replied_to"]) == (
        {"id": first["id"]},
        {"id": second["id"]},
    )
    assert progress.get("post_ids") == [first["id"], second["id"], third["id"]]
    assert result.external_id == first["id"] and result.url == first["permalink"]
    assert len(fake.calls("GET", "/threads_publishing_limit")) == 1  # once per attempt


def test_a_thread_cut_off_after_its_first_post_resumes_with_the_second(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    content = base.Content("Spring menu, a thread:", thread=("Buns.", "Cold brew."))
    progress = base.Progress()
    fake.fail_next(503, path="/threads", after=1)  # the second post's container
    try:
        adapter.publish(creds, content, "k", progress)
    except base.Transient:
        pass
    else:
        raise AssertionError("expected the 503 to stop the attempt")
    [first] = fake.threads
    assert progress.get("post_ids") == [first["id"]]

    adapter.publish(creds, content, "k", progress)

    assert [t["text"] for t in fake.threads] == ["Spring menu, a thread:", "Buns.", "Cold brew."]
    assert fake.threads[1]["replied_to"] == {"id": first["id"]}


def test_still_processing_hands_over_and_the_next_attempt_waits_for_the_same_container(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, sleeps: list[float]
) -> None:
    fake.container_polls = 20  # more than 60 s of 5 s polls
    progress = base.Progress()
    content = base.Content("", media=(video(fake),))
    try:
        adapter.publish(creds, content, "k", progress)
    except base.Transient as error:
        assert error.code == "in-progress"
        assert "after 60 seconds" in error.detail
    else:
        raise AssertionError("expected Transient")
    [container] = fake.containers
    fake.set_status(container, "FINISHED")

    adapter.publish(creds, content, "k", progress)

    assert len(fake.containers) == 1  # no second container
    assert fake.threads[0]["container_id"] == container
    assert sum(sleeps) == 60


def test_an_expired_container_is_made_again(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    progress = base.Progress()
    adapter.publish(creds, base.Content("First"), "k", progress)
    old = next(iter(fake.containers))
    fake.threads.clear()
    fake.set_status(old, "EXPIRED")
    stale = base.Progress({"container": {"step": 0, "id": old}})

    adapter.publish(creds, base.Content("First"), "k", stale)

    [post] = fake.threads
    assert post["container_id"] != old
    assert stale.get("container")["id"] == post["container_id"]


def test_a_container_threads_could_not_process_fails_with_its_reason(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    missing = base.MediaItem(
        "/media/x.jpg", "image/jpeg", "image", 10, url=f"{fake.url}/files/missing.jpg"
    )
    try:
        adapter.publish(creds, base.Content("x", media=(missing,)), "k", base.Progress())
    except base.Permanent as error:
        assert error.detail == "Threads could not process the media: FAILED_DOWNLOADING_MEDIA"
    else:
        raise AssertionError("expected Permanent")
    assert fake.threads == []


def test_media_without_a_public_url_is_refused_before_any_call(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    item = base.MediaItem("/media/a.jpg", "image/jpeg", "image", 10)
    try:
        adapter.publish(creds, base.Content("x", media=(item,)), "k", base.Progress())
    except base.Permanent as error:
        assert error.code == "no-url"
    else:
        raise AssertionError("expected Permanent")
    assert fake.requests == []


def test_at_the_24_hour_cap_nothing_is_published_and_smo_waits_an_hour(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.use_quota(creds.external_id, 250)
    progress = base.Progress()
    try:
        adapter.publish(creds, base.Content("One more"), "k", progress)
    except base.RateLimited as error:
        wait = error.retry_at - fake.now()
        assert 3590 <= wait.total_seconds() <= 3600
        assert error.detail == (
            "Threads' 24-hour cap of 250 posts is reached (250 published); "
            "SMO tries again in an hour."
        )
    else:
        raise AssertionError("expected RateLimited")
    assert fake.threads == [] and fake.calls("POST", "/threads_publish") == []
    # The container waits in progress for the next attempt.
    assert progress.get("container")["id"] in fake.containers


def test_replies_have_their_own_cap_checked_before_the_first_post(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.use_quota(creds.external_id, 1000, replies=True)
    try:
        adapter.publish(creds, base.Content("A", thread=("B",)), "k", base.Progress())
    except base.RateLimited as error:
        assert error.detail == (
            "Threads' 24-hour cap of 1000 replies is reached (1000 published); "
            "SMO tries again in an hour."
        )
    else:
        raise AssertionError("expected RateLimited")
    assert fake.threads == []  # no first post left without its thread


def test_a_single_post_ignores_a_full_reply_cap(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.use_quota(creds.external_id, 1000, replies=True)
    adapter.publish(creds, base.Content("A"), "k", base.Progress())
    assert len(fake.threads) == 1
