"""The one interface every network adapter implements, and its plain-data types.

Adapters work on frozen dataclasses and never touch the database, so each one is
tested without Django against a local fake of its network (STYLE.md §3). The
engine decides what to do from the error class alone (DESIGN.md "Adapter
interface"), never from message text.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

import requests

from channels import text as text_rules
from channels.adapters.engagement import NO_ENGAGEMENT, Engagement, EngagementSupport, PostRef
from channels.adapters.metrics import NO_METRICS, MetricsSupport, PostMetrics
from channels.words import Words, as_words, whole, words

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
    # Read from the file by ffprobe at upload (scheduler.video_probe); None
    # when unknown (images, or a file ffprobe could not read).
    duration: float | None = None  # seconds
    container: str = ""  # ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"

    @property
    def aspect(self) -> float | None:
        """Width over height, when both are known."""
        if self.width and self.height:
            return self.width / self.height
        return None


@dataclass(frozen=True)
class Content:
    """What to publish. `link` is shared with the post: networks with link
    previews attach it, the others append it to the text. `thread` holds the
    posts that follow the first one, each replying to the one before, on
    networks with `Limits.threads`. `first_comment` is posted by the account
    under its own post right after publishing."""

    text: str
    media: tuple[MediaItem, ...] = ()
    link: str = ""
    first_comment: str = ""
    thread: tuple[str, ...] = ()
    # ISO 3166 country codes of an audience variant, for networks that can
    # show a post only there (Facebook Pages); others ignore it.
    countries: tuple[str, ...] = ()
    # This network's own settings for the post, named by the adapter's
    # `post_options` (a YouTube title, a Pinterest board, a TikTok privacy
    # level). Per-account settings arrive already resolved for the account.
    options: Mapping[str, Any] = field(default_factory=dict)

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


class Progress:
    """The steps of one publish the network already has, kept across attempts.

    A publish that takes several calls (a thread, a media container, a first
    comment) records each step as soon as the network confirms it, under a name
    of the adapter's choosing and with a JSON value. The engine stores the
    record on the delivery at once, so a retry, or the reconciler after a crash,
    resumes after the last confirmed step instead of posting it twice.
    """

    def __init__(
        self,
        steps: Mapping[str, Any] | None = None,
        save: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self._steps: dict[str, Any] = dict(steps or {})
        self._save = save

    def get(self, name: str, default: Any = None) -> Any:
        return self._steps.get(name, default)

    def record(self, name: str, value: Any) -> None:
        self._steps[name] = value
        if self._save is not None:
            self._save(dict(self._steps))

    def as_dict(self) -> dict[str, Any]:
        return dict(self._steps)


# --- Plain data out --------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    external_id: str
    url: str
    published_at: datetime


@dataclass(frozen=True)
class Authorization:
    """Where to send a person to grant access, and what to keep until they return."""

    url: str
    # The PKCE code verifier: kept server-side (the session) until the callback.
    verifier: str = field(default="", repr=False)


@dataclass(frozen=True)
class Connection:
    """An account a person may connect, found at the end of an OAuth flow."""

    network: str
    credentials: Credentials
    name: str
    picture_url: str = ""


@dataclass(frozen=True)
class Problem:
    """Something the network would refuse, found before anything is scheduled."""

    field: str  # "text", "media", ...
    words: Words | str
    code: str = "invalid"

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", as_words(self.words))

    @property
    def message(self) -> str:
        """The English sentence; the web app shows `words` in the reader's language."""
        return str(self.words)

    def __eq__(self, other: object) -> bool:
        # Two problems are the same when they say the same thing, however the
        # sentence was put together.
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.field, self.message, self.code) == (other.field, other.message, other.code)

    def __hash__(self) -> int:
        return hash((self.field, self.message, self.code))


@dataclass(frozen=True)
class PostOption:
    """One setting a network takes beside the text, shown in the composer.

    The value lands in `Content.options[name]`. `kind` is "text", "textarea",
    "choice" (one of `choices`), "tags" (a list of words) or "bool". A field
    with `per_account` set has choices that depend on the account (Pinterest
    boards): the composer asks `Adapter.option_choices` for each account and
    the post stores one value per account.
    """

    name: str
    label: Words | str
    kind: str = "text"
    choices: tuple[tuple[str, Words | str], ...] = ()
    max_length: int | None = None  # characters; for "tags", all tags together
    required: bool = False
    default: Any = None
    per_account: bool = False
    help: Words | str = ""


@dataclass(frozen=True)
class Limits:
    max_text: int
    counting: str = text_rules.CHARACTERS
    # What one URL counts for under counting rules that weigh URLs (a Mastodon
    # instance's characters_reserved_per_url).
    url_length: int = 23
    max_images: int = 4
    max_videos: int = 1
    mix_images_and_video: bool = False
    requires_text_or_media: bool = True
    threads: bool = False  # takes Content.thread
    first_comment: bool = False  # takes Content.first_comment
    max_image_bytes: int = 5 * 1024 * 1024
    max_video_bytes: int = 512 * 1024 * 1024
    image_types: frozenset[str] = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
    video_types: frozenset[str] = frozenset({"video/mp4", "video/quicktime"})
    # The post must carry media (YouTube a video; Pinterest an image or video).
    requires_media: bool = False
    # Checked when the file's duration (ffprobe) and dimensions are known.
    min_video_seconds: float | None = None
    max_video_seconds: float | None = None
    min_aspect: float | None = None  # width / height, images and video
    max_aspect: float | None = None
    # The network's own publish cap, kept under by the engine's rate budget.
    posts_per_window: int | None = None
    window: timedelta = timedelta(minutes=15)


def _seconds(value: float, towards: str = "") -> int | float:
    """Seconds for a sentence, to one decimal. Rounded "up" or "down" away from a
    limit, so a 60.04 s video over a 60 s cap never reads "this one is 60"."""
    tenths = value * 10
    if towards == "up":
        tenths = math.ceil(tenths - 1e-9)
    elif towards == "down":
        tenths = math.floor(tenths + 1e-9)
    return whole(round(tenths) / 10)


def ratio_label(value: float) -> str:
    """0.5625 -> "9:16", 1.91 -> "1.91:1": the way networks write their limits."""
    known = {
        16 / 9: "16:9",
        9 / 16: "9:16",
        4 / 5: "4:5",
        1.0: "1:1",
        2 / 3: "2:3",
        3 / 2: "3:2",
        4 / 3: "4:3",
        3 / 4: "3:4",
        1 / 2: "1:2",
        2.0: "2:1",
    }
    for ratio, label in known.items():
        if abs(ratio - value) < 0.005:
            return label
    return f"{value:g}:1"


# Python types an option's value may have, by PostOption.kind.
OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "textarea": (str,),
    "choice": (str,),
    "tags": (list, tuple),
    "bool": (bool,),
}


def option_is_empty(value: Any) -> bool:
    """True when an option holds nothing: None, blank text or no tags."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not any(str(v).strip() for v in value)
    return False


def option_length(value: Any) -> int:
    """An option's length in characters; for tags, all tags together."""
    if isinstance(value, (list, tuple)):
        return sum(len(str(t)) for t in value)
    return len(str(value))


# --- Errors ----------------------------------------------------------------------


class AdapterError(Exception):
    """Base of the error taxonomy. `detail` (English, for logs) and `words` (shown to
    people in their language) are safe to show: they never hold a secret."""

    def __init__(self, detail: Words | str, *, status: int | None = None, code: str = "") -> None:
        self.words = as_words(detail)
        self.detail = str(self.words)
        super().__init__(self.detail)
        self.status = status  # the network's HTTP status, for logs
        self.code = code  # the network's own error code, for logs

    @property
    def network_code(self) -> str:
        return ":".join(str(p) for p in (self.status, self.code) if p not in (None, ""))


def scrub(text: str, hidden: Iterable[str]) -> str:
    """Keep tokens and codes out of what people and logs see, and keep it short."""
    for secret in hidden:
        if len(secret) >= 8:  # shorter is no token, and would blank out ordinary words
            text = text.replace(secret, "[hidden]")
    return text if len(text) <= 300 else text[:299] + "…"


class RateLimited(AdapterError):
    """Try again after the network's reset time."""

    def __init__(self, detail: Words | str, retry_at: datetime, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_at = retry_at


class Transient(AdapterError):
    """Certainly nothing was created; retry with backoff."""


class Unknown(AdapterError):
    """The request may have reached the network: reconcile, never retry blindly."""


class AuthExpired(AdapterError):
    """The credentials are dead: refresh them, or a person must reconnect."""


class CannotTell(AdapterError):
    """From find_published only: the network cannot say whether this delivery's
    post exists (TikTok lists public posts only, so a private one whose answer
    was lost cannot be looked up). The reconciler hands the delivery to a person
    instead of asking again or publishing a second time."""


class Permanent(AdapterError):
    """The network refuses this content; retrying will not help."""

    def __init__(self, detail: Words | str, *, duplicate: bool = False, **kwargs: Any) -> None:
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
    # Config keys (from SMO_NETWORKS) that must be set before accounts can be
    # connected, and the environment variables a person sets to provide them.
    required_config: ClassVar[tuple[str, ...]] = ()
    required_settings: ClassVar[tuple[str, ...]] = ()
    # How an account is connected: "oauth" (the adapter's own
    # authorization/connect flow), "through" (another network's login, see
    # registry.CONNECTED_THROUGH), "password" (a form with the account's
    # handle, an app password and optionally its server, passed to
    # `connect_password`; Bluesky) or "manual" (a form naming the account; no
    # credentials, for networks that publish by reminder only); "builtin"
    # for the sandbox, which smo_setup makes.
    connects_by: ClassVar[str] = "oauth"
    # True when the admin names the server to connect to (a Mastodon instance):
    # the connect form asks for it, and authorization()/connect() receive it as
    # `server`, checked by scheduler.public_urls.server().
    asks_for_server: ClassVar[bool] = False
    # False for networks with no posting API open to us (Snapchat): every
    # delivery to them becomes a reminder to a person, who posts by hand.
    # Any account can also be set to reminders (SocialAccount.publishing).
    can_publish: ClassVar[bool] = True
    # True where the network refuses a post whose text repeats a recent one
    # (platforms.md: X 403 duplicate, Facebook #506, LinkedIn DUPLICATE_POST);
    # the evergreen queue never puts near-identical texts next to each other there.
    rejects_duplicates: ClassVar[bool] = False
    # Settings beside the text that this network takes (see PostOption).
    post_options: ClassVar[tuple[PostOption, ...]] = ()
    # Refresh credentials this long before they expire; None takes
    # SMO_TOKEN_REFRESH_MARGIN. Long-lived tokens that may only be refreshed
    # while still valid (Threads' 60 days) set a margin of days.
    refresh_margin: ClassVar[timedelta | None] = None
    # What refresh() renews expiring credentials with: None when it cannot
    # (a person reconnects when they expire), "" when it needs no stored secret
    # (Threads swaps a still-valid token), else the secret it needs
    # ("refresh_token"; LinkedIn issues one only to approved apps).
    renews_with: ClassVar[str | None] = None

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        self.config = config
        self.session = session

    def validate(self, content: Content) -> list[Problem]:
        """Return what the network would refuse in `content`, checked against `limits`."""
        limits = self.limits
        problems: list[Problem] = []
        length = text_rules.count(content.text, limits.counting, limits.url_length)
        if length > limits.max_text:
            problems.append(
                Problem(
                    "text",
                    words(
                        "%(network)s allows %(limit)s characters; this text has %(length)s.",
                        network=self.display_name,
                        limit=limits.max_text,
                        length=length,
                    ),
                    "too_long",
                )
            )
        if limits.requires_text_or_media and not content.text.strip() and not content.media:
            problems.append(
                Problem(
                    "text",
                    words("%(network)s needs text or media.", network=self.display_name),
                    "empty",
                )
            )
        if content.thread and not limits.threads:
            problems.append(
                Problem(
                    "thread",
                    words("%(network)s does not publish threads.", network=self.display_name),
                    "unsupported",
                )
            )
        if content.first_comment and not limits.first_comment:
            problems.append(
                Problem(
                    "first_comment",
                    words("%(network)s does not take a first comment.", network=self.display_name),
                    "unsupported",
                )
            )
        if limits.requires_media and not content.media:
            problems.append(
                Problem(
                    "media",
                    words("%(network)s needs a photo or video.", network=self.display_name),
                    # Not "empty": that one is about a blank post, and the composer
                    # hides it while nothing is typed; a missing file is news then too.
                    "required",
                )
            )
        problems.extend(self._media_problems(content.media))
        problems.extend(self._option_problems(content.options))
        return problems

    def account_limits(self, options: Mapping[str, Any]) -> Limits:
        """Return the limits for one account, from its stored `options`.

        Most networks have one set; a Mastodon instance has its own, read from
        the instance when the account is connected. registry.adapter_for sets
        the result as the adapter's `limits`, so `validate` and the composer's
        meters use the account's own.
        """
        return self.limits

    def option_choices(self, creds: Credentials, name: str) -> list[tuple[str, str]]:
        """Return the choices of the per-account option `name` for this account
        (value, label), asked of the network (Pinterest's boards)."""
        return []

    def _option_problems(self, options: Mapping[str, Any]) -> list[Problem]:
        problems = []
        for option in self.post_options:
            field_name = f"options.{option.name}"
            value = options.get(option.name, option.default)
            if option_is_empty(value):
                if option.required:
                    problems.append(
                        Problem(
                            field_name,
                            words(
                                "%(network)s needs %(what)s.",
                                network=self.display_name,
                                what=option.label,
                            ),
                            "required",
                        )
                    )
                continue
            kinds = OPTION_TYPES.get(option.kind, (str,))
            if not isinstance(value, kinds) or (
                option.kind == "tags" and not all(isinstance(t, str) for t in value)
            ):
                problems.append(
                    Problem(
                        field_name,
                        words(
                            "%(network)s cannot use this value for %(what)s.",
                            network=self.display_name,
                            what=option.label,
                        ),
                        "invalid",
                    )
                )
                continue
            if option.kind == "choice" and option.choices and not option.per_account:
                allowed = {v for v, _ in option.choices}
                if value not in allowed:
                    problems.append(
                        Problem(
                            field_name,
                            words(
                                "%(network)s has no %(what)s %(value)s.",
                                network=self.display_name,
                                what=option.label,
                                value=value,
                            ),
                            "invalid_choice",
                        )
                    )
            size = option_length(value)
            if option.max_length is not None and size > option.max_length:
                problems.append(
                    Problem(
                        field_name,
                        words(
                            "%(network)s allows %(limit)s characters in %(what)s; "
                            "this has %(length)s.",
                            network=self.display_name,
                            limit=option.max_length,
                            what=option.label,
                            length=size,
                        ),
                        "too_long",
                    )
                )
        return problems

    def posts_used(self, content: Content) -> int:
        """Return how many of the network's posts publishing `content` takes.

        The engine spends that many from the account's rate budget: a thread of
        five is five posts against X's 100 per 15 minutes.
        """
        return 1 + (len(content.thread) if self.limits.threads else 0)

    def text_length(self, content: Content) -> int:
        """Return the length of the first post as this network counts it.

        The composer shows it beside `limits.max_text`; networks that append
        `content.link` to the text count it here too.
        """
        return text_rules.count(content.text, self.limits.counting, self.limits.url_length)

    def _media_problems(self, media: tuple[MediaItem, ...]) -> list[Problem]:
        limits, name = self.limits, self.display_name
        images = [m for m in media if m.kind == "image"]
        videos = [m for m in media if m.kind == "video"]
        problems = []
        if len(images) > limits.max_images:
            problems.append(
                Problem(
                    "media",
                    words(
                        "%(network)s allows %(count)s images per post.",
                        network=name,
                        count=limits.max_images,
                    ),
                )
            )
        if len(videos) > limits.max_videos:
            problems.append(
                Problem(
                    "media",
                    words(
                        "%(network)s allows %(count)s videos per post.",
                        network=name,
                        count=limits.max_videos,
                    ),
                )
            )
        if images and videos and not limits.mix_images_and_video:
            problems.append(
                Problem(
                    "media",
                    words("%(network)s does not mix images and video in one post.", network=name),
                )
            )
        for item in media:
            types = limits.image_types if item.kind == "image" else limits.video_types
            cap = limits.max_image_bytes if item.kind == "image" else limits.max_video_bytes
            if item.mime_type not in types:
                problems.append(
                    Problem(
                        "media",
                        words(
                            "%(network)s does not take %(type)s files.",
                            network=name,
                            type=item.mime_type,
                        ),
                    )
                )
            elif item.size > cap:
                mb = cap // (1024 * 1024)
                if item.kind == "image":
                    sentence = words(
                        "%(network)s takes images up to %(mb)s MB.", network=name, mb=mb
                    )
                else:
                    sentence = words(
                        "%(network)s takes videos up to %(mb)s MB.", network=name, mb=mb
                    )
                problems.append(Problem("media", sentence))
            problems.extend(self._shape_problems(item))
        return problems

    def _shape_problems(self, item: MediaItem) -> list[Problem]:
        """Duration and aspect ratio, where the file's are known."""
        problems = []
        if item.kind == "video" and item.duration is not None:
            problems.extend(self._duration_problems(item.duration))
        aspect = item.aspect
        low, high = self.limits.min_aspect, self.limits.max_aspect
        # A pixel either way is no reason to refuse: 1080x1350 is 4:5 exactly,
        # 1079x1350 is not, and networks take both.
        if aspect is None or not (
            (low is not None and aspect < low - 0.01) or (high is not None and aspect > high + 0.01)
        ):
            return problems
        values = {
            "network": self.display_name,
            "width": item.width,
            "height": item.height,
            "low": ratio_label(low) if low is not None else "",
            "high": ratio_label(high) if high is not None else "",
        }
        if low is not None and high is not None:
            sentence = words(
                "%(network)s takes width:height from %(low)s to %(high)s; "
                "this file is %(width)s by %(height)s pixels.",
                **values,
            )
        elif low is not None:
            sentence = words(
                "%(network)s takes width:height of %(low)s or wider; "
                "this file is %(width)s by %(height)s pixels.",
                **values,
            )
        else:
            sentence = words(
                "%(network)s takes width:height of %(high)s or taller; "
                "this file is %(width)s by %(height)s pixels.",
                **values,
            )
        problems.append(Problem("media", sentence, "aspect"))
        return problems

    def _duration_problems(self, duration: float) -> list[Problem]:
        low, high = self.limits.min_video_seconds, self.limits.max_video_seconds
        short = low is not None and duration < low
        long = high is not None and duration > high
        if not (short or long):
            return []
        values = {
            "network": self.display_name,
            "low": _seconds(low) if low is not None else 0,
            "high": _seconds(high) if high is not None else 0,
            "length": _seconds(duration, "up" if long else "down"),
        }
        if low is not None and high is not None:
            sentence = words(
                "%(network)s takes videos of %(low)s to %(high)s seconds; this one is %(length)s.",
                **values,
            )
        elif long:
            sentence = words(
                "%(network)s takes videos of up to %(high)s seconds; this one is %(length)s.",
                **values,
            )
        else:
            sentence = words(
                "%(network)s takes videos of at least %(low)s seconds; this one is %(length)s.",
                **values,
            )
        return [Problem("media", sentence, "duration")]

    @abstractmethod
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        """Publish `content`; `key` is the delivery's idempotency key.

        Resume after the steps `progress` already holds, and record each new
        step there as soon as the network confirms it.
        """

    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        """Return the post made for this delivery if the network has all of it, else None.

        Steps found on the network are recorded in `progress`, so the publish
        that follows a None resumes after them.
        """
        return None

    @classmethod
    def access_ends_at(cls, creds: Credentials) -> datetime | None:
        """Return when a person must reconnect because refresh() cannot renew
        `creds` past that time; None when it can, or they never expire.

        A refresh token with an end of its own (LinkedIn's 365 days, stored as
        the `refresh_expires_at` option) ends renewal then.
        """
        if creds.expires_at is None:
            return None
        if cls.renews_with is None or (cls.renews_with and not creds.secrets.get(cls.renews_with)):
            return creds.expires_at
        ends = creds.options.get("refresh_expires_at")
        return datetime.fromisoformat(str(ends)) if ends else None

    def refresh(self, creds: Credentials) -> Credentials:
        """Return fresh credentials; raise AuthExpired if a person must reconnect."""
        raise AuthExpired(
            words(
                "%(network)s credentials cannot be refreshed; reconnect.",
                network=self.display_name,
            )
        )

    # --- Connecting accounts (networks with an OAuth flow) ---

    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        """Return the URL that asks a person to grant this app access."""
        raise NotImplementedError(f"{self.display_name} has no OAuth connection flow")

    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        """Exchange the callback's code for the accounts the person may connect."""
        raise NotImplementedError(f"{self.display_name} has no OAuth connection flow")

    # --- Connecting accounts (networks with connects_by "password") ---

    def connect_password(self, handle: str, password: str, server: str = "") -> Connection:
        """Sign in with what a person typed; `server` is already checked
        (scheduler.public_urls.server), or empty for the configured one.

        Raise Permanent with `code` "handle" or "password" for the field at
        fault, or another AdapterError when the server cannot be used.
        """
        raise NotImplementedError(f"{self.display_name} does not connect with a password")

    # --- The inbox: comments, replies, mentions and messages ---
    # What this network lets SMO read and answer; none by default.
    engagement: ClassVar[EngagementSupport] = NO_ENGAGEMENT

    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        """Yield the comments, replies, mentions and messages made since `since`.

        `posts` are the account's posts SMO published recently: networks that
        list comments per post (Facebook, Instagram, YouTube, LinkedIn, Threads)
        read under each; networks with a notifications or mentions feed (X,
        Mastodon, Bluesky) read that and name the post an item belongs to in
        `parent_post_id`. Follow the network's paging to the end, yielding as
        each page arrives: the caller stores what it has been given, so an error
        on page three loses nothing of pages one and two, and the next fetch
        starts again from `since` (items are stored once, by network id). Items
        a little older than `since` are harmless. Raise the usual errors
        (RateLimited with the network's reset time, Transient, AuthExpired).
        """
        return iter(())

    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        """Answer `target` (an item this adapter yielded, as stored) with `text`.

        `key` is the answer's idempotency key, sent where the network takes one;
        record steps in `progress` as in publish(). Return the answer as the
        network holds it (its id, URL and time). The same errors as publish():
        Unknown when the request may have reached the network.
        """
        raise Permanent(
            words("%(network)s does not let SMO answer this.", network=self.display_name),
            code="unsupported",
        )

    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        """Return the answer to `target` made for `key` if the network has it.

        The default reads the conversation again and looks for the account's own
        answer to `target` with the same text: every adapter that yields its own
        replies (`own`) gets a lookup for free. Override where the network can
        look up by key. Raise CannotTell where it cannot say.
        """
        parent = [PostRef(target.parent_post_id)] if target.parent_post_id else []
        wanted = Engagement("", target.kind, text, target.created_at).fingerprint
        since = target.created_at - timedelta(minutes=1)
        for item in self.fetch_engagement(creds, since, parent):
            if (
                item.own
                and item.in_reply_to_id == target.external_id
                and (item.fingerprint == wanted)
            ):
                return Published(item.external_id, item.url, item.created_at)
        return None

    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        """Hide, unhide or delete `target` on the network (engagement.HIDE, ...).

        Hiding an item already hidden, or deleting one already gone, succeeds:
        the scheduler may ask twice.
        """
        raise Permanent(
            words("%(network)s does not let SMO do this.", network=self.display_name),
            code="unsupported",
        )

    # --- Analytics: what each post achieved, and the account's followers ---
    # What this network lets SMO read; nothing by default.
    metrics: ClassVar[MetricsSupport] = NO_METRICS

    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        """Yield the current figures of each of the account's posts named in
        `external_ids` (as publish() returned them), in as few calls as the
        network allows.

        A post the network no longer has (deleted) is skipped, not an error; a
        figure it does not give stays None. Raise the usual errors (RateLimited
        with the network's reset time, Transient, AuthExpired).
        """
        return iter(())

    def fetch_followers(self, creds: Credentials) -> int | None:
        """Return the account's follower count now (None where the network gives none)."""
        return None
