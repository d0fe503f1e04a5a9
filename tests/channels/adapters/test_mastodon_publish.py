"""MastodonAdapter publishing against FakeMastodon: the request each post sends, media
with descriptions and processing, polls, threads as reply chains, and the
Idempotency-Key that keeps a retry from posting twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from channels.adapters.base import Content, Progress, Transient
from tests.fakes.mastodon_contract import ContractCase, contract_case


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def test_a_text_post_is_one_status_with_the_deliverys_key(case: ContractCase) -> None:
    result = case.publish(Content("Cardamom buns at 7"), key="k1")

    [status] = case.fake.posted()
    assert result.external_id == status["id"]
    assert result.url == f"https://mastodon.example/@acmebakery/{status['id']}"
    assert result.published_at.tzinfo is not None
    [call] = case.fake.calls("POST", "/api/v1/statuses")
    assert call.headers["idempotency-key"] == "k1-0"
    assert call.headers["authorization"] == f"Bearer {case.creds.secrets['access_token']}"
    assert call.params() == {"status": "Cardamom buns at 7", "sensitive": "0"}


def test_the_link_is_added_to_the_text_once(case: ContractCase) -> None:
    case.publish(Content("Buns", link="https://acme.example/buns"), key="a")
    case.publish(
        Content("Buns at https://acme.example/buns", link="https://acme.example/buns"), key="b"
    )
    first, second = case.fake.posted()
    assert first["text"] == "Buns\n\nhttps://acme.example/buns"
    assert second["text"] == "Buns at https://acme.example/buns"


def test_content_warning_visibility_and_language_go_with_the_status(case: ContractCase) -> None:
    options = {"spoiler_text": "Food", "visibility": "unlisted", "language": "sv"}
    case.publish(Content("Kardemummabullar", options=options))
    [status] = case.fake.posted()
    assert (status["spoiler_text"], status["visibility"], status["language"]) == (
        "Food",
        "unlisted",
        "sv",
    )
    [call] = case.fake.calls("POST", "/api/v1/statuses")
    assert call.params()["spoiler_text"] == "Food"


def test_images_are_uploaded_to_v2_media_with_their_descriptions(case: ContractCase) -> None:
    photos = (case.image("a.jpg", "Buns on a tray"), case.image("b.jpg", "A warm oven"))
    progress = Progress()
    case.publish(Content("Two photos", media=photos), progress=progress)

    uploads = case.fake.calls("POST", "/api/v2/media")
    assert [u.body["description"] for u in uploads] == ["Buns on a tray", "A warm oven"]
    assert [u.file_types["file"] for u in uploads] == ["image/jpeg", "image/jpeg"]
    assert case.fake.calls("POST", "/api/v1/media") == []
    [status] = case.fake.posted()
    assert status["media_ids"] == progress.get("media_ids")
    assert len(progress.get("media_ids")) == 2
    [call] = case.fake.calls("POST", "/api/v1/statuses")
    assert call.params()["media_ids"] == progress.get("media_ids")


def test_a_video_is_polled_with_the_injected_sleep_until_processed(case: ContractCase) -> None:
    case.fake.processing_checks = 3  # 202, then 206, 206, 200
    case.publish(Content("A clip", media=(case.video(),)))
    [media_id] = case.fake.media
    assert len(case.fake.calls("GET", f"/api/v1/media/{media_id}")) == 3
    assert case.sleeps == [2.0, 2.0]
    [status] = case.fake.posted()
    assert status["media_ids"] == [media_id]


def test_media_still_processing_hands_over_and_the_retry_uploads_nothing_again(
    case: ContractCase,
) -> None:
    case.adapter.media_wait = 4.0  # two checks' worth
    case.fake.processing_checks = 5
    progress = Progress()
    content = Content("A long clip", media=(case.video(),))
    with pytest.raises(Transient):
        case.publish(content, progress=progress)
    assert case.fake.posted() == []
    assert len(progress.get("media_ids")) == 1

    case.publish(content, progress=progress)

    assert len(case.fake.calls("POST", "/api/v2/media")) == 1
    assert len(case.fake.posted()) == 1


def test_a_poll_is_sent_as_json_with_its_choices_and_length(case: ContractCase) -> None:
    options = {"poll": "Cardamom\nCinnamon\n", "poll_duration": "3600", "poll_multiple": True}
    case.publish(Content("Which bun?", options=options))
    [status] = case.fake.posted()
    assert status["poll"]["options"] == ["Cardamom", "Cinnamon"]
    assert status["poll"]["multiple"] is True
    [call] = case.fake.calls("POST", "/api/v1/statuses")
    assert call.content_type.startswith("application/json")
    assert call.body["poll"] == {
        "options": ["Cardamom", "Cinnamon"],
        "expires_in": 3600,
        "multiple": True,
        "hide_totals": False,
    }


def test_a_thread_is_a_chain_of_replies_each_with_its_own_key(case: ContractCase) -> None:
    progress = Progress()
    content = Content(
        "1/3 Buns", thread=("2/3 Oven", "3/3 Tray"), options={"spoiler_text": "Baking"}
    )
    result = case.publish(content, key="k", progress=progress)

    first, second, third = case.fake.posted()
    assert (second["in_reply_to_id"], third["in_reply_to_id"]) == (first["id"], second["id"])
    assert [s["spoiler_text"] for s in (first, second, third)] == ["Baking"] * 3
    keys = [c.headers["idempotency-key"] for c in case.fake.calls("POST", "/api/v1/statuses")]
    assert keys == ["k-0", "k-1", "k-2"]
    assert progress.get("status_ids") == [first["id"], second["id"], third["id"]]
    assert result.external_id == first["id"]


def test_a_thread_resumes_after_the_parts_already_posted(case: ContractCase) -> None:
    first = case.fake.add_status(case.account, "1/2 Buns")
    progress = Progress(
        {
            "status_ids": [first["id"]],
            "url": "https://x",
            "published_at": "2026-11-26T02:00:00+00:00",
        }
    )
    result = case.publish(Content("1/2 Buns", thread=("2/2 Oven",)), key="k", progress=progress)

    [call] = case.fake.calls("POST", "/api/v1/statuses")
    assert call.params()["in_reply_to_id"] == first["id"]
    assert call.headers["idempotency-key"] == "k-1"
    assert result.external_id == first["id"]
    assert len(progress.get("status_ids")) == 2


def test_a_retry_with_the_same_key_within_the_hour_gets_the_same_status(
    case: ContractCase,
) -> None:
    first = case.publish(Content("Once only"), key="same")
    again = case.publish(Content("Once only"), key="same")  # a fresh Progress: a crash
    assert again.external_id == first.external_id
    assert len(case.fake.posted()) == 1

    case.fake.advance(3601)  # the instance forgets keys after an hour
    later = case.publish(Content("Once only"), key="same")
    assert later.external_id != first.external_id


def test_a_server_error_retried_with_the_key_posts_once(case: ContractCase) -> None:
    case.fake.fail_next(500, path="/api/v1/statuses")
    with pytest.raises(Transient):
        case.publish(Content("Fresh buns"), key="k")
    case.publish(Content("Fresh buns"), key="k")
    assert len(case.fake.posted()) == 1


def test_a_finished_delivery_is_not_posted_again(case: ContractCase) -> None:
    progress = Progress()
    first = case.publish(Content("Done"), progress=progress)
    again = case.publish(Content("Done"), progress=progress)
    assert again == first
    assert len(case.fake.calls("POST", "/api/v1/statuses")) == 1
    assert first.published_at <= datetime.now(UTC)
