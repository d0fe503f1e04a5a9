"""What TikTok would refuse, found before anything is sent (validate), and what the
account's own settings refuse at publish time (creator_info)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.tiktok import TikTokAdapter
from tests.channels.adapters.tiktok_support import (
    INIT,
    OPEN_ID,
    adapter,
    content,
    creds,
    photo,
    start,
    video,
)
from tests.fakes.tiktok import FakeTikTok

TIKTOK = TikTokAdapter({"client_key": "k", "client_secret": "s"}, build_session(1.0))


def clip(**fields: object) -> base.MediaItem:
    values: dict[str, object] = {
        "path": "/media/clip.mp4",
        "mime_type": "video/mp4",
        "kind": "video",
        "size": 5_000_000,
        "duration": 30.0,
        **fields,
    }
    return base.MediaItem(**values)  # type: ignore[arg-type]


def image(name: str = "buns.jpg", mime: str = "image/jpeg", size: int = 300_000) -> base.MediaItem:
    return base.MediaItem(f"/media/{name}", mime, "image", size, 1080, 1350)


def problems(post: base.Content) -> list[tuple[str, str, str]]:
    return [(p.field, p.code, p.message) for p in TIKTOK.validate(post)]


def test_a_good_video_and_a_good_photo_post_have_no_problems() -> None:
    assert problems(content(clip())) == []
    assert problems(content(image(), image("b.webp", "image/webp"), title="Buns")) == []


def test_png_photos_are_refused_with_what_to_do() -> None:
    assert problems(content(image("logo.png", "image/png"))) == [
        (
            "media",
            "type",
            "TikTok takes JPEG or WebP photos only; logo.png is image/png. "
            "Save it as JPEG and add it again.",
        )
    ]


def test_media_is_required_and_is_one_video_or_photos() -> None:
    assert problems(content()) == [
        ("media", "required", "TikTok needs a video or photos; it has no text-only posts.")
    ]
    assert problems(content(clip(), image())) == [
        (
            "media",
            "too_many",
            "TikTok takes one video, or photos without a video; this post has 2 files.",
        )
    ]
    many = tuple(image(f"{n}.jpg") for n in range(36))
    assert problems(content(*many)) == [
        ("media", "too_many", "TikTok takes up to 35 photos; this post has 36.")
    ]


def test_file_types_sizes_and_length() -> None:
    assert problems(content(clip(mime_type="video/x-msvideo", path="/m/a.avi"))) == [
        ("media", "type", "TikTok takes MP4, MOV or WebM videos; a.avi is video/x-msvideo.")
    ]
    assert problems(content(clip(size=4_100_000_000))) == [
        ("media", "too_big", "TikTok takes videos up to 4 GB; clip.mp4 is 4100 MB.")
    ]
    assert problems(content(clip(duration=601.0))) == [
        (
            "media",
            "duration",
            "TikTok takes videos up to 10 minutes (some accounts less); clip.mp4 is 601 seconds.",
        )
    ]
    assert problems(content(image(size=21_000_000))) == [
        ("media", "too_big", "TikTok takes photos up to 20 MB; buns.jpg is 21 MB.")
    ]


def test_the_caption_is_counted_in_utf16_units_2200_for_videos_4000_for_photos() -> None:
    assert problems(content(clip(), text="a" * 2200)) == []
    assert problems(content(clip(), text="🥐" * 1101)) == [
        ("text", "too_long", "TikTok allows 2200 characters; this text has 2202.")
    ]
    assert problems(content(image(), text="a" * 4000)) == []
    assert problems(content(image(), text="a" * 4001)) == [
        ("text", "too_long", "TikTok allows 4000 characters; this text has 4001.")
    ]
    assert TIKTOK.text_length(content(clip(), text="🥐 buns")) == 7


def test_the_privacy_level_must_be_chosen_and_be_one_tiktok_has() -> None:
    post = base.Content("Buns", media=(clip(),))
    assert problems(post) == [
        (
            "options.privacy_level",
            "required",
            "Choose who can see this TikTok post: TikTok asks for it every time.",
        )
    ]
    assert problems(content(clip(), privacy_level="FRIENDS")) == [
        ("options.privacy_level", "invalid_choice", "TikTok has no privacy level FRIENDS.")
    ]


def test_branded_content_cannot_be_private() -> None:
    post = content(clip(), privacy_level="SELF_ONLY", brand_content_toggle=True)
    assert problems(post) == [
        (
            "options.privacy_level",
            "branded_private",
            "TikTok does not let branded content (a paid partnership) be private; "
            "choose who else can see it.",
        )
    ]
    assert problems(content(clip(), privacy_level="SELF_ONLY", brand_organic_toggle=True)) == []


def test_photo_settings_title_cover_and_no_ai_label() -> None:
    assert problems(content(image(), title="t" * 91)) == [
        (
            "options.title",
            "too_long",
            "TikTok allows 90 characters in a photo title; this one has 91.",
        )
    ]
    assert problems(content(image(), image("b.jpg"), photo_cover="3")) == [
        ("options.photo_cover", "invalid", "The cover photo's number must be 1 to 2.")
    ]
    assert problems(content(image(), is_aigc=True)) == [
        ("options.is_aigc", "unsupported", "TikTok labels AI-generated content on videos only.")
    ]


def test_threads_and_first_comments_are_not_tiktok_things() -> None:
    post = base.Content(
        "Buns",
        media=(clip(),),
        thread=("more",),
        first_comment="first!",
        options={"privacy_level": "SELF_ONLY"},
    )
    assert [(f, c) for f, c, _ in problems(post)] == [
        ("thread", "unsupported"),
        ("first_comment", "unsupported"),
    ]


def test_the_post_options_follow_tiktoks_ux_rules() -> None:
    options = {o.name: o for o in TikTokAdapter.post_options}
    privacy = options["privacy_level"]
    assert (privacy.kind, privacy.required, privacy.per_account, privacy.default) == (
        "choice",
        True,
        True,
        None,  # no default: a person picks it for each post
    )
    # Interactions stay off unless a person turns them on.
    assert [options[n].default for n in ("disable_comment", "disable_duet", "disable_stitch")] == [
        True,
        True,
        True,
    ]
    assert [
        options[n].kind for n in ("brand_content_toggle", "brand_organic_toggle", "is_aigc")
    ] == [
        "bool",
        "bool",
        "bool",
    ]
    assert options["title"].max_length == 90


# --- The account's own settings, from creator_info -----------------------------------


@pytest.fixture
def fake() -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        yield start(fake)


def refused(fake: FakeTikTok, post: base.Content) -> base.Permanent:
    with pytest.raises(base.Permanent) as raised:
        adapter(fake).publish(creds(fake), post, "k", base.Progress())
    assert fake.calls("POST", INIT) == []  # refused before anything was made
    return raised.value


def test_a_privacy_level_the_account_does_not_offer_is_refused(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.creators[OPEN_ID].private = True
    error = refused(fake, content(video(tmp_path, 900)))
    assert error.detail == (
        "This TikTok account offers Followers, Friends (followers you follow back), Only me "
        "as who can see a post; this post asks for Everyone. Choose one the account offers."
    )
    assert error.code == "privacy_level_option_mismatch"


def test_a_video_longer_than_the_account_may_post_is_refused(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.creators[OPEN_ID].max_video_post_duration_sec = 180
    error = refused(fake, content(video(tmp_path, 900, duration=181.4)))
    assert error.detail == (
        "This TikTok account takes videos up to 180 seconds; this one is 181 seconds."
    )


@pytest.mark.parametrize(
    ("setting", "option", "what"),
    [
        ("comment_disabled", "disable_comment", "comments"),
        ("duet_disabled", "disable_duet", "duets"),
        ("stitch_disabled", "disable_stitch", "stitches"),
    ],
)
def test_an_interaction_the_creator_turned_off_cannot_be_asked_for(
    fake: FakeTikTok, tmp_path: Path, setting: str, option: str, what: str
) -> None:
    setattr(fake.creators[OPEN_ID], setting, True)
    error = refused(fake, content(video(tmp_path, 900), **{option: False}))
    assert error.detail == (
        f"The TikTok account has {what} turned off in its settings, and this post asks for "
        "them. Turn them off for the post, or on in the TikTok app."
    )
    # Left off, as by default, the post goes out.
    adapter(fake).publish(creds(fake), content(video(tmp_path, 900)), "k", base.Progress())
    assert len(fake.publishes) == 1


def test_duets_and_stitches_do_not_apply_to_photos(fake: FakeTikTok) -> None:
    fake.creators[OPEN_ID].duet_disabled = True
    fake.creators[OPEN_ID].stitch_disabled = True
    post = content(photo(fake), disable_duet=False, disable_stitch=False)
    adapter(fake).publish(creds(fake), post, "k", base.Progress())
    assert len(fake.publishes) == 1


def test_publish_refuses_what_validate_finds_before_calling_tiktok(fake: FakeTikTok) -> None:
    post = content(photo(fake, "logo.png", "PNG"))
    with pytest.raises(base.Permanent) as raised:
        adapter(fake).publish(creds(fake), post, "k", base.Progress())
    assert raised.value.detail == (
        "TikTok takes JPEG or WebP photos only; logo.png is image/png. "
        "Save it as JPEG and add it again."
    )
    assert raised.value.code == "type"
    assert fake.requests == []
