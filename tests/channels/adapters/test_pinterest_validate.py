"""What Pinterest would refuse, found before anything is scheduled; the board and
title options; and the board choices asked of the network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from channels.adapters import base
from channels.adapters.pinterest import PinterestAdapter
from channels.adapters.session import build_session
from tests.fakes.pinterest_contract import ContractCase, contract_case

MB = 1024 * 1024
BOARD = "549755885175"
ADAPTER = PinterestAdapter({"app_id": "1484211", "app_secret": "unused"}, build_session(1.0))


def image(
    name: str = "bun.jpg", mime: str = "image/jpeg", size: int = 200_000, alt_text: str = ""
) -> base.MediaItem:
    return base.MediaItem(f"/media/{name}", mime, "image", size, 1000, 1500, alt_text)


def video(
    seconds: float = 12, width: int = 1080, height: int = 1920, mime: str = "video/mp4"
) -> base.MediaItem:
    return base.MediaItem("/media/clip.mp4", mime, "video", 5 * MB, width, height, duration=seconds)


def content(*media: base.MediaItem, text: str = "Cardamom buns", **options: str) -> base.Content:
    return base.Content(text, media=media or (image(),), options={"board": BOARD, **options})


def problems(item: base.Content) -> list[tuple[str, str, str]]:
    return [(p.field, p.code, p.message) for p in ADAPTER.validate(item)]


def test_the_board_is_a_required_choice_per_account_and_the_title_is_optional() -> None:
    board, title = PinterestAdapter.post_options
    assert (board.name, board.kind, board.required, board.per_account) == (
        "board",
        "choice",
        True,
        True,
    )
    assert (title.name, title.kind, title.required, title.max_length) == (
        "title",
        "text",
        False,
        100,
    )


def test_a_pin_with_a_board_an_image_and_a_title_has_no_problems() -> None:
    assert problems(content(title="Buns are back")) == []
    assert problems(content(video(), image(), text="")) == []  # a video and its cover


def test_a_missing_board_is_named() -> None:
    item = replace(content(), options={"title": "Buns"})
    assert problems(item) == [("options.board", "required", "Pinterest needs Board.")]


def test_a_board_that_is_not_a_pinterest_id_is_refused() -> None:
    assert problems(content(board="Bakes")) == [
        ("options.board", "invalid_choice", "Pinterest has no board Bakes.")
    ]


def test_a_title_over_100_characters_is_refused() -> None:
    assert problems(content(title="b" * 100)) == []
    assert problems(content(title="b" * 101)) == [
        (
            "options.title",
            "too_long",
            "Pinterest allows 100 characters in Title; this has 101.",
        )
    ]


def test_a_description_over_800_characters_is_refused() -> None:
    assert problems(content(text="b" * 800)) == []
    assert problems(content(text="b" * 801)) == [
        ("text", "too_long", "Pinterest allows 800 characters; this text has 801.")
    ]


def test_a_link_over_2048_characters_is_refused() -> None:
    link = "https://acme.example/" + "b" * 2028
    assert problems(replace(content(), link=link)) == [
        ("link", "too_long", "Pinterest allows links of up to 2048 characters; this one has 2049.")
    ]


def test_a_pin_needs_a_photo_or_video() -> None:
    item = replace(content(), media=())
    assert problems(item) == [("media", "required", "Pinterest needs a photo or video.")]


def test_images_must_be_jpeg_or_png_up_to_20_mb_and_at_most_five() -> None:
    assert problems(content(image(mime="image/gif"))) == [
        ("media", "invalid", "Pinterest does not take image/gif files.")
    ]
    assert problems(content(image(size=21 * MB))) == [
        ("media", "invalid", "Pinterest takes images up to 20 MB.")
    ]
    assert problems(content(*[image(f"{n}.jpg") for n in range(5)])) == []
    assert problems(content(*[image(f"{n}.jpg") for n in range(6)])) == [
        ("media", "invalid", "Pinterest allows 5 images per post.")
    ]


def test_a_video_takes_one_cover_image_at_most_and_no_second_video() -> None:
    assert problems(content(video(), image("a.jpg"), image("b.jpg"))) == [
        (
            "media",
            "too_many",
            "A Pinterest video Pin takes one image, as its cover; this post has 2.",
        )
    ]
    assert problems(content(video(), video())) == [
        ("media", "invalid", "Pinterest allows 1 videos per post.")
    ]


def test_a_video_lasts_4_seconds_to_15_minutes() -> None:
    assert problems(content(video(seconds=4))) == []
    assert problems(content(video(seconds=900))) == []
    for seconds in (3.5, 901):
        assert problems(content(video(seconds=seconds))) == [
            (
                "media",
                "duration",
                f"Pinterest takes videos of 4 to 900 seconds; this one is {seconds:g}.",
            )
        ]


def test_a_video_is_between_1_to_2_and_1_91_to_1() -> None:
    for width, height in ((1080, 1920), (1000, 2000), (1920, 1080), (1910, 1000)):
        assert problems(content(video(width=width, height=height))) == []
    for width, height in ((1000, 2100), (2350, 1000)):
        assert problems(content(video(width=width, height=height))) == [
            (
                "media",
                "aspect",
                "Pinterest takes videos from 1:2 (tall) to 1.91:1 (wide); "
                f"this one is {width} by {height} pixels.",
            )
        ]


def test_videos_are_mp4_mov_or_m4v() -> None:
    for mime in ("video/mp4", "video/quicktime", "video/x-m4v"):
        assert problems(content(video(mime=mime))) == []
    assert problems(content(video(mime="video/webm"))) == [
        ("media", "invalid", "Pinterest does not take video/webm files.")
    ]


def test_alt_text_over_500_characters_is_refused() -> None:
    assert problems(content(image(alt_text="a" * 500))) == []
    assert problems(content(image(alt_text="a" * 501))) == [
        ("media", "too_long", "Pinterest allows alt text of up to 500 characters; this has 501.")
    ]


# --- Board choices, asked of the network ---


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case
    assert case.fake.contract_violations == []


def test_the_board_choices_are_the_accounts_boards_across_bookmarked_pages(
    case: ContractCase,
) -> None:
    boards = [case.board] + [case.fake.add_board(case.user, f"Board {n}") for n in range(1, 150)]
    someone = case.fake.add_user("someone")
    case.fake.add_board(someone, "Not yours")

    choices = case.adapter.option_choices(case.creds, "board")

    assert choices == [(case.board, "Bakes")] + [
        (board, f"Board {n}") for n, board in enumerate(boards[1:], start=1)
    ]
    calls = case.fake.calls("GET", "/v5/boards")
    assert [c.query.get("page_size") for c in calls] == ["100", "100"]
    assert "bookmark" not in calls[0].query and calls[1].query["bookmark"]


def test_an_option_with_no_network_choices_has_none(case: ContractCase) -> None:
    assert case.adapter.option_choices(case.creds, "title") == []
    assert case.fake.requests == []


def test_a_failed_board_listing_says_why(case: ContractCase) -> None:
    case.fake.expire_token(case.creds.secrets["access_token"])
    with pytest.raises(base.AuthExpired) as raised:
        case.adapter.option_choices(case.creds, "board")
    assert raised.value.detail == (
        "Pinterest did not accept the account's token: Authentication failed."
    )
