"""The one interface every network adapter implements, and its plain-data types.

Adapters work on frozen dataclasses and never touch the database, so each one is
tested without Django against a local fake of its network (STYLE.md §3). The
engine decides what to do from the error class alone (DESIGN.md "Adapter
interface"), never from message text.
"""

from __future__ import annotations

import hashlib
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

import requests

from channels import text as text_rules

# --- Plain data in ---------------------------------------------------------------


@dataclass(frozen=True)
class MediaItem:
    path: str  # a local file the adapter may read
    mime_type: str
    kind: str  # "image" or "video"
    size: int
    width: int | None = None
    height: int | None = None
    alt_text: str = ""
    url: str = ""  # public URL, for networks that fetch media themselves


@dataclass(frozen=True)
class Content:
    text: str
    media: tuple[MediaItem, ...] = ()
    link: str = ""
    first_comment: str = ""

    @property
    def fingerprint(self) -> str:
        """A short hash that finds this content among an account's recent posts."""
        normal = " ".join(unicodedata.normalize("NFC", self.text).split())
        return hashlib.sha256(normal.encode()).hexdigest()[:32]


@dataclass(frozen=True, repr=False)
class Credentials:
    """Who to publish as. `secrets` holds tokens: never log or render them."""

    external_id: str
    handle: str = ""
    secrets: Mapping[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Credentials(external_id={self.external_id!r}, secrets=<{len(self.secrets)} hidden>)"
        )


# --- Plain data out --------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    external_id: str
    url: str
    published_at: datetime


@dataclass(frozen=True)
class Problem:
    """Something the network would refuse, found before anything is scheduled."""

    field: str  # "text", "media", ...
    message: str
    code: str = "invalid"


@dataclass(frozen=True)
class Limits:
    max_text: int
    counting: str = text_rules.CHARACTERS
    max_images: int = 4
    max_videos: int = 1
    mix_images_and_video: bool = False
    requires_text_or_media: bool = True
    max_image_bytes: int = 5 * 1024 * 1024
    max_video_bytes: int = 512 * 1024 * 1024
    image_types: frozenset[str] = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
    video_types: frozenset[str] = frozenset({"video/mp4", "video/quicktime"})
    # The network's own publish cap, kept under by the engine's rate budget.
    posts_per_window: int | None = None
    window: timedelta = timedelta(minutes=15)


# --- Errors ----------------------------------------------------------------------


class AdapterError(Exception):
    """Base of the error taxonomy. `detail` is safe to show to people."""

    def __init__(self, detail: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status  # the network's HTTP status, for logs
        self.code = code  # the network's own error code, for logs

    @property
    def network_code(self) -> str:
        return ":".join(str(p) for p in (self.status, self.code) if p not in (None, ""))


class RateLimited(AdapterError):
    """Try again after the network's reset time."""

    def __init__(self, detail: str, retry_at: datetime, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_at = retry_at


class Transient(AdapterError):
    """Certainly nothing was created; retry with backoff."""


class Unknown(AdapterError):
    """The request may have reached the network: reconcile, never retry blindly."""


class AuthExpired(AdapterError):
    """The credentials are dead: refresh them, or a person must reconnect."""


class Permanent(AdapterError):
    """The network refuses this content; retrying will not help."""

    def __init__(self, detail: str, *, duplicate: bool = False, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        # "Duplicate content" after an Unknown attempt means the post probably
        # exists: the engine reconciles instead of failing (STYLE.md §3).
        self.duplicate = duplicate


# --- The interface ---------------------------------------------------------------


class Adapter(ABC):
    network: ClassVar[str]
    display_name: ClassVar[str]
    limits: ClassVar[Limits]
    # True when find_published can say "not there" for certain; otherwise the
    # reconciler hands an unknown delivery to a person.
    supports_lookup: ClassVar[bool] = False

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        self.config = config
        self.session = session

    def validate(self, content: Content) -> list[Problem]:
        """Return what the network would refuse in `content`, checked against `limits`."""
        limits = self.limits
        problems: list[Problem] = []
        length = text_rules.count(content.text, limits.counting)
        if length > limits.max_text:
            problems.append(
                Problem(
                    "text",
                    f"{self.display_name} allows {limits.max_text} characters; "
                    f"this text has {length}.",
                    "too_long",
                )
            )
        if limits.requires_text_or_media and not content.text.strip() and not content.media:
            problems.append(Problem("text", f"{self.display_name} needs text or media.", "empty"))
        problems.extend(self._media_problems(content.media))
        return problems

    def _media_problems(self, media: tuple[MediaItem, ...]) -> list[Problem]:
        limits, name = self.limits, self.display_name
        images = [m for m in media if m.kind == "image"]
        videos = [m for m in media if m.kind == "video"]
        problems = []
        if len(images) > limits.max_images:
            problems.append(Problem("media", f"{name} allows {limits.max_images} images per post."))
        if len(videos) > limits.max_videos:
            problems.append(Problem("media", f"{name} allows {limits.max_videos} videos per post."))
        if images and videos and not limits.mix_images_and_video:
            problems.append(Problem("media", f"{name} does not mix images and video in one post."))
        for item in media:
            types = limits.image_types if item.kind == "image" else limits.video_types
            cap = limits.max_image_bytes if item.kind == "image" else limits.max_video_bytes
            if item.mime_type not in types:
                problems.append(Problem("media", f"{name} does not take {item.mime_type} files."))
            elif item.size > cap:
                problems.append(
                    Problem("media", f"{name} takes {item.kind}s up to {cap // (1024 * 1024)} MB.")
                )
        return problems

    @abstractmethod
    def publish(self, creds: Credentials, content: Content, key: str) -> Published:
        """Publish `content`; `key` is the delivery's idempotency key."""

    def find_published(self, creds: Credentials, key: str, fingerprint: str) -> Published | None:
        """Return the post made for `key` if the network has it, else None."""
        return None

    def refresh(self, creds: Credentials) -> Credentials:
        """Return fresh credentials; raise AuthExpired if a person must reconnect."""
        raise AuthExpired(f"{self.display_name} credentials cannot be refreshed; reconnect.")
