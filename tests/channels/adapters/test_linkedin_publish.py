"""Publishing to LinkedIn against FakeLinkedIn: text, one image, several images, a
video, a link card, as a Page and as a member, and resuming after a failure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from channels.adapters.base import Content, Permanent, Progress, Transient
from tests.fakes.linkedin_contract import ContractCase, contract_case

KEY = "delivery-key"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(media_wait_seconds=10, poll_interval_seconds=2) as case:
        yield case


def test_a_text_post_as_a_page_sends_the_versioned_request_and_returns_its_urn(
    case: ContractCase,
) -> None:
    text = "Buns (warm) from 7 #bakery, 50% off_today"
    result = case.adapter.publish(case.creds, Content(text), KEY, Progress())

    [post] = case.fake.posts
    assert result.external_id == post["id"]
    assert result.url == f"https://www.linkedin.com/feed/update/{post['id']}/"
    assert result.published_at.tzinfo is not None
    [call] = case.fake.calls("POST", "/rest/posts")
    assert call.headers["linkedin-version"] == "202610"
    assert call.headers["x-restli-protocol-version"] == "2.0.0"
    assert call.body == {
        "author": case.page,
        "commentary": "Buns \\(warm\\) from 7 #bakery, 50% off\\_today",
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    # Nothing was cut off, and the hashtag stayed one.
    assert post["commentary"] == "Buns \\(warm\\) from 7 {hashtag|\\#|bakery}, 50% off\\_today"


def test_a_member_posts_as_themselves_to_connections_only(case: ContractCase) -> None:
    creds = case.person()
    content = Content("Hello network", options={"visibility": "CONNECTIONS"})
    case.adapter.publish(creds, content, KEY, Progress())
    [post] = case.fake.posts
    assert (post["author"], post["visibility"]) == (creds.external_id, "CONNECTIONS")


def test_a_page_always_posts_publicly(case: ContractCase) -> None:
    content = Content("Hello followers", options={"visibility": "CONNECTIONS"})
    case.adapter.publish(case.creds, content, KEY, Progress())
    assert case.fake.posts[0]["visibility"] == "PUBLIC"


def test_one_image_is_uploaded_with_its_alt_text(case: ContractCase) -> None:
    image = case.image(alt_text="Buns on a tray")
    progress = Progress()
    case.adapter.publish(case.creds, Content("Buns", media=(image,)), KEY, progress)

    [urn] = case.fake.images
    [init] = case.fake.calls("POST", "/rest/images")
    assert init.query == {"action": "initializeUpload"}
    assert init.body == {"initializeUploadRequest": {"owner": case.page}}
    [put] = case.fake.uploads
    assert put.method == "PUT" and put.body == open(image.path, "rb").read()
    assert put.headers["authorization"].startswith("Bearer ")
    assert case.fake.posts[0]["content"] == {"media": {"id": urn, "altText": "Buns on a tray"}}
    assert progress.get("image.0") == urn


def test_several_images_make_a_multi_image_post_in_order(case: ContractCase) -> None:
    images = (case.image("1.jpg", "first"), case.image("2.jpg"), case.image("3.jpg", "third"))
    case.adapter.publish(case.creds, Content("Three bakes", media=images), KEY, Progress())
    urns = list(case.fake.images)
    assert case.fake.posts[0]["content"] == {
        "multiImage": {
            "images": [
                {"id": urns[0], "altText": "first"},
                {"id": urns[1]},
                {"id": urns[2], "altText": "third"},
            ]
        }
    }


def test_a_video_is_uploaded_in_parts_finalized_and_waited_for(case: ContractCase) -> None:
    case.fake.part_size = 32 * 1024  # a few parts
    video = case.video()
    content = Content("Watch us bake", media=(video,), options={"title": "Morning bake"})
    case.adapter.publish(case.creds, content, KEY, Progress())

    [urn] = case.fake.videos
    data = open(video.path, "rb").read()
    assert b"".join(u.body for u in case.fake.uploads) == data
    assert len(case.fake.uploads) == 3
    assert all("authorization" not in u.headers for u in case.fake.uploads)
    init, finalize = case.fake.calls("POST", "/rest/videos")
    assert init.body["initializeUploadRequest"]["fileSizeBytes"] == len(data)
    assert finalize.query == {"action": "finalizeUpload"}
    assert len(finalize.body["finalizeUploadRequest"]["uploadedPartIds"]) == 3
    assert case.sleeps == [2.0, 2.0]  # PROCESSING twice, then AVAILABLE
    assert case.fake.posts[0]["content"] == {"media": {"id": urn, "title": "Morning bake"}}


def test_a_video_still_processing_is_waited_for_again_without_a_second_upload(
    case: ContractCase,
) -> None:
    case.fake.processing_checks = 10
    progress = Progress()
    content = Content("Watch", media=(case.video(),))
    with pytest.raises(Transient) as raised:
        case.adapter.publish(case.creds, content, KEY, progress)
    assert raised.value.code == "processing"
    assert sum(case.sleeps) == 10
    case.fake.processing_checks = 0
    case.adapter.publish(case.creds, content, KEY, progress)
    assert len(case.fake.videos) == 1 and len(case.fake.calls("POST", "/rest/videos")) == 2
    assert len(case.fake.posts) == 1


def test_a_video_linkedin_cannot_process_fails_for_good(case: ContractCase) -> None:
    case.fake.video_fails = True
    with pytest.raises(Permanent) as raised:
        case.adapter.publish(case.creds, Content("W", media=(case.video(),)), KEY, Progress())
    assert raised.value.detail == "LinkedIn could not process the video."
    assert case.fake.posts == []


def test_a_link_without_media_becomes_a_link_card_titled_by_the_option_or_the_link(
    case: ContractCase,
) -> None:
    link = "https://acme.example/menu"
    titled = Content("Our menu", link=link, options={"title": "Winter menu"})
    case.adapter.publish(case.creds, titled, KEY, Progress())
    case.adapter.publish(case.creds, Content("Menu again", link=link), KEY, Progress())
    first, second = case.fake.posts
    assert first["content"] == {"article": {"source": link, "title": "Winter menu"}}
    assert second["content"] == {"article": {"source": link, "title": link}}
    assert first["commentary"] == "Our menu"


def test_with_media_the_link_goes_into_the_text(case: ContractCase) -> None:
    content = Content("Buns", media=(case.image(),), link="https://acme.example/buns_2")
    case.adapter.publish(case.creds, content, KEY, Progress())
    assert case.fake.posts[0]["commentary"] == "Buns\n\nhttps://acme.example/buns\\_2"


def test_a_server_error_on_an_upload_is_transient_and_nothing_is_posted(
    case: ContractCase,
) -> None:
    progress = Progress()
    case.fake.fail_next(500, path="/rest/images")
    with pytest.raises(Transient):
        case.adapter.publish(case.creds, Content("One", media=(case.image(),)), KEY, progress)
    assert case.fake.posts == [] and progress.get("image.0") is None
    assert not progress.get("create_unanswered")


def test_images_uploaded_before_a_refused_create_are_not_uploaded_again(
    case: ContractCase,
) -> None:
    images = (case.image("1.jpg"), case.image("2.jpg"))
    progress = Progress()
    case.fake.fail_next(403, path="/rest/posts")
    with pytest.raises(Permanent):
        case.adapter.publish(case.creds, Content("Two", media=images), KEY, progress)
    assert len(case.fake.images) == 2
    result = case.adapter.publish(case.creds, Content("Two", media=images), KEY, progress)
    assert len(case.fake.images) == 2 and len(case.fake.uploads) == 2
    assert result.external_id == case.fake.posts[0]["id"]


def test_a_published_delivery_is_not_posted_again(case: ContractCase) -> None:
    progress = Progress()
    first = case.adapter.publish(case.creds, Content("Once"), KEY, progress)
    again = case.adapter.publish(case.creds, Content("Once"), KEY, progress)
    assert again == first and len(case.fake.posts) == 1
    assert isinstance(datetime.fromisoformat(progress.get("published_at")), datetime)
