"""Small sample videos made by ffmpeg from its own test pattern (lavfi testsrc).

Nothing is downloaded or checked in: each test asks for the length, size and
container it needs, and gets a file of a few kilobytes. Made once per session
and copied, since encoding costs a little CPU. ffmpeg comes from
bin/ensure-ffmpeg; without it these tests are skipped, unless
SMO_REQUIRE_FFMPEG=1 (CI), where a missing ffmpeg fails them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

# Encoders that every Debian ffmpeg build has, set for speed over quality.
ENCODERS = {
    "mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    "mov": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    "webm": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "100k"],
}
MIME = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}

MakeVideo = Callable[..., Path]


def ffmpeg_missing() -> str | None:
    missing = [tool for tool in ("ffmpeg", "ffprobe") if shutil.which(tool) is None]
    if not missing:
        return None
    return f"no {' or '.join(missing)} (bin/ensure-ffmpeg installs Debian's ffmpeg)"


def require_ffmpeg() -> None:
    """Skip the calling test without ffmpeg, or fail it where CI demands ffmpeg."""
    reason = ffmpeg_missing()
    if reason:
        if os.environ.get("SMO_REQUIRE_FFMPEG") == "1":
            pytest.fail(f"SMO_REQUIRE_FFMPEG=1 and {reason}", pytrace=False)
        pytest.skip(reason)


def _ffmpeg(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args],
        capture_output=True,
        timeout=60,
        check=False,
    )


def render(
    path: Path,
    seconds: float,
    width: int,
    height: int,
    container: str = "mp4",
    rotate: int = 0,
) -> Path:
    """Write a `seconds`-long test pattern of width x height pixels to `path`.

    `rotate` (90 or 270) stores landscape frames with a "turn on display"
    note, the way phones record portrait video.
    """
    pattern = f"testsrc=duration={seconds}:size={width}x{height}:rate=10"
    target = path if not rotate else path.with_suffix(".unturned" + path.suffix)
    done = _ffmpeg("-f", "lavfi", "-i", pattern, *ENCODERS[container], "-f", container, str(target))
    assert done.returncode == 0, done.stderr.decode()
    if rotate:
        # FFmpeg 6 and later say it with -display_rotation; FFmpeg 5 with a tag.
        turned = _ffmpeg(
            "-display_rotation", str(rotate), "-i", str(target), "-c", "copy", str(path)
        )
        if turned.returncode != 0:
            turned = _ffmpeg(
                "-i", str(target), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", str(path)
            )
        assert turned.returncode == 0, turned.stderr.decode()
        target.unlink()
    return path


@pytest.fixture(scope="session")
def _video_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[object, ...], Path]:
    return {}


@pytest.fixture
def make_video(
    _video_cache: dict[tuple[object, ...], Path],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> MakeVideo:
    """make_video(seconds, width, height, container="mp4", rotate=0) -> a fresh copy's path."""
    require_ffmpeg()
    made = itertools.count(1)

    def make(
        seconds: float, width: int, height: int, container: str = "mp4", rotate: int = 0
    ) -> Path:
        key = (seconds, width, height, container, rotate)
        if key not in _video_cache:
            folder = tmp_path_factory.mktemp("videos")
            name = f"{seconds}s-{width}x{height}-r{rotate}.{container}"
            _video_cache[key] = render(folder / name, seconds, width, height, container, rotate)
        copy = tmp_path / f"clip-{next(made)}.{container}"
        shutil.copyfile(_video_cache[key], copy)
        return copy

    return make
