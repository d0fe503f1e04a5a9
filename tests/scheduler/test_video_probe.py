"""ffprobe reads a video's container, length, shape and codec, or says it is none."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from scheduler import video_probe
from tests.media_samples import MakeVideo


def test_an_mp4_gives_its_container_length_size_and_codec(make_video: MakeVideo) -> None:
    info = video_probe.probe(make_video(2, 320, 180, "mp4"))
    assert info is not None
    assert (info.container, info.width, info.height, info.codec) == (
        "mov,mp4,m4a,3gp,3g2,mj2",
        320,
        180,
        "h264",
    )
    assert info.duration == pytest.approx(2.0, abs=0.05)


def test_a_quicktime_movie_is_read_too(make_video: MakeVideo) -> None:
    info = video_probe.probe(make_video(1, 160, 160, "mov"))
    assert info is not None
    assert (info.container, info.width, info.height) == ("mov,mp4,m4a,3gp,3g2,mj2", 160, 160)
    assert info.duration == pytest.approx(1.0, abs=0.05)


def test_a_webm_gives_its_length_from_the_container(make_video: MakeVideo) -> None:
    info = video_probe.probe(make_video(3, 320, 240, "webm"))
    assert info is not None
    assert (info.container, info.width, info.height, info.codec) == (
        "matroska,webm",
        320,
        240,
        "vp8",
    )
    assert info.duration == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize("turn", [90, 270])
def test_a_phones_portrait_video_is_portrait(make_video: MakeVideo, turn: int) -> None:
    # Stored as 320x180 landscape frames with a note to turn them on display.
    info = video_probe.probe(make_video(1, 320, 180, "mp4", rotate=turn))
    assert info is not None
    assert (info.width, info.height) == (180, 320)


def test_a_file_that_is_not_a_video_is_refused(tmp_path: Path, make_video: MakeVideo) -> None:
    notes = tmp_path / "notes.mp4"
    notes.write_text("just some text, named like a video\n")
    with pytest.raises(video_probe.NotAVideo):
        video_probe.probe(notes)


def test_a_truncated_video_is_refused(tmp_path: Path, make_video: MakeVideo) -> None:
    # ffmpeg writes the index (moov) last, so the first half has none.
    whole = make_video(2, 320, 180, "mp4").read_bytes()
    half = tmp_path / "half.mp4"
    half.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(video_probe.NotAVideo):
        video_probe.probe(half)


def test_sound_with_a_cover_picture_is_not_a_video() -> None:
    found = {
        "format": {"format_name": "mp3", "duration": "181.5"},
        "streams": [
            {"codec_type": "audio", "codec_name": "mp3"},
            {
                "codec_type": "video",
                "codec_name": "mjpeg",
                "width": 600,
                "height": 600,
                "disposition": {"attached_pic": 1},
            },
        ],
    }
    with pytest.raises(video_probe.NotAVideo, match="no video stream"):
        video_probe.read(found)


def test_an_unknown_length_is_none_and_the_streams_length_is_the_fallback() -> None:
    stream = {"codec_type": "video", "codec_name": "h264", "width": 64, "height": 48}
    unknown = video_probe.read({"format": {"duration": "N/A"}, "streams": [stream]})
    assert unknown.duration is None
    from_stream = video_probe.read(
        {"format": {"format_name": "mpegts"}, "streams": [{**stream, "duration": "4.5"}]}
    )
    assert (from_stream.container, from_stream.duration) == ("mpegts", 4.5)


def test_an_old_rotate_tag_turns_the_picture_as_well() -> None:
    stream = {
        "codec_type": "video",
        "width": 1920,
        "height": 1080,
        "tags": {"rotate": "90"},
    }
    info = video_probe.read({"format": {"duration": "1"}, "streams": [stream]})
    assert (info.width, info.height) == (1080, 1920)


def test_ffprobe_is_run_without_a_shell_on_the_local_file_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[list[str], dict[str, object]]] = []

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append((command, kwargs))
        return subprocess.CompletedProcess(command, 0, stdout=b'{"streams": []}', stderr=b"")

    monkeypatch.setattr(video_probe, "ffprobe_path", lambda: "/usr/bin/ffprobe")
    monkeypatch.setattr(video_probe.subprocess, "run", run)
    with pytest.raises(video_probe.NotAVideo):
        video_probe.probe(tmp_path / "http:" / "clip.mp4", timeout=3)
    [(command, kwargs)] = calls
    assert command[0] == "/usr/bin/ffprobe"
    assert command[command.index("-protocol_whitelist") + 1] == "file"
    assert command[-2:] == ["-i", f"file:{tmp_path / 'http:' / 'clip.mp4'}"]
    assert kwargs["timeout"] == 3 and "shell" not in kwargs


def test_a_probe_that_hangs_is_stopped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        raise subprocess.TimeoutExpired(command, float(kwargs["timeout"]))  # type: ignore[arg-type]

    monkeypatch.setattr(video_probe, "ffprobe_path", lambda: "/usr/bin/ffprobe")
    monkeypatch.setattr(video_probe.subprocess, "run", run)
    with pytest.raises(video_probe.NotAVideo, match="longer than 2 s"):
        video_probe.probe(tmp_path / "slow.mp4", timeout=2)


def test_without_ffprobe_the_probe_says_unknown_and_logs_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(video_probe, "ffprobe_path", lambda: None)
    monkeypatch.setattr(video_probe, "_warned_missing", False)
    with caplog.at_level(logging.WARNING, logger="scheduler.video_probe"):
        assert video_probe.probe(tmp_path / "a.mp4") is None
        assert video_probe.probe(tmp_path / "b.mp4") is None
    assert [r.getMessage()[:31] for r in caplog.records] == ["ffprobe is not installed: video"]
