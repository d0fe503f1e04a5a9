"""What a video file holds, read by Debian's ffprobe: container, duration, size, codec.

The networks refuse videos by length and shape (YouTube Shorts, TikTok, Reels),
so the composer needs both before anything is sent. ffprobe reads only the
file's headers, so a probe takes milliseconds however large the file is; the
timeout is for a file crafted to make it spin.

Installed by bin/ensure-ffmpeg (`apt-get install ffmpeg`). Where it is missing
the upload is stored with its duration unknown, and validation skips the checks
that need it.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15.0
_warned_missing = False


@dataclass(frozen=True)
class VideoInfo:
    container: str  # ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration: float | None  # seconds
    width: int | None  # as shown: a phone's portrait video is taller than wide
    height: int | None
    codec: str  # the video stream's codec, e.g. "h264"


class NotAVideo(ValueError):
    """ffprobe could not read the file as a video."""


def ffprobe_path() -> str | None:
    return shutil.which("ffprobe")


def available() -> bool:
    return ffprobe_path() is not None


def probe(path: str | Path, timeout: float = TIMEOUT_SECONDS) -> VideoInfo | None:
    """Return what the video at `path` holds; None when ffprobe is not installed.

    Raise NotAVideo for a file ffprobe cannot read, or one without a video stream.
    """
    global _warned_missing
    binary = ffprobe_path()
    if binary is None:
        if not _warned_missing:
            _warned_missing = True
            logger.warning(
                "ffprobe is not installed: videos are stored without their duration and "
                "size, and the networks' length and shape limits are not checked "
                "(bin/ensure-ffmpeg installs it)"
            )
        return None
    # "file:" and the protocol whitelist keep ffprobe on this one local file: a
    # name like "http://..." or a playlist inside the file cannot make it fetch
    # anything else.
    command = [
        binary,
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        "-i",
        f"file:{Path(path).resolve()}",
    ]
    try:
        done = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
            command, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise NotAVideo(f"ffprobe took longer than {timeout:g} s") from exc
    if done.returncode != 0:
        raise NotAVideo(_last_line(done.stderr) or f"ffprobe exited {done.returncode}")
    try:
        found = json.loads(done.stdout or b"{}")
    except ValueError as exc:
        raise NotAVideo("ffprobe's answer is not JSON") from exc
    return read(found)


def read(found: dict[str, Any]) -> VideoInfo:
    """Turn ffprobe's JSON (-show_format -show_streams) into VideoInfo."""
    streams = [s for s in found.get("streams") or [] if isinstance(s, dict)]
    # A cover picture in a music file is a "video" stream of one still frame.
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    if not videos:
        raise NotAVideo("no video stream")
    video = videos[0]
    fmt = found.get("format") or {}
    width = _number(video.get("width"), int) or None
    height = _number(video.get("height"), int) or None
    if width is not None and height is not None and _quarter_turn(video):
        width, height = height, width
    duration = _number(fmt.get("duration"), float)
    if duration is None:
        duration = _number(video.get("duration"), float)
    if duration is not None and duration < 0:
        duration = None
    return VideoInfo(
        container=str(fmt.get("format_name") or ""),
        duration=duration,
        width=width,
        height=height,
        codec=str(video.get("codec_name") or ""),
    )


def _quarter_turn(stream: dict[str, Any]) -> bool:
    """True when the player turns the picture by 90 or 270 degrees.

    Phones record landscape frames and say "turn on display" in a display
    matrix (side data since FFmpeg 5; a "rotate" tag before).
    """
    turns = [d.get("rotation") for d in stream.get("side_data_list") or [] if isinstance(d, dict)]
    turns.append((stream.get("tags") or {}).get("rotate"))
    for turn in turns:
        degrees = _number(turn, float)
        if degrees is not None:
            return round(abs(degrees)) % 180 == 90
    return False


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    """ffprobe writes numbers as strings, and "N/A" when it does not know."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return kind(number) if math.isfinite(number) else None


def _last_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[-1][:300] if text else ""
