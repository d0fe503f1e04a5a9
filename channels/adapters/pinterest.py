"""Pinterest API v5: Pins on a board, from images, carousels or a video (platforms.md §8).

A Pin is one POST /v5/pins: the board (a per-account choice), an optional
title, the text as its description, the post's link, and the media inside the
request (pinterest_media.py). Pinterest has no idempotency key, so the Pin's id
is recorded in Progress the moment it is known, and `find_published` looks a
lost Pin up on its board. Accounts connect with OAuth 2 (HTTP Basic app
credentials at the token endpoint; refresh tokens renew on each refresh).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import requests
from typing_extensions import override

from channels.adapters import pinterest_metrics as analytics
from channels.adapters.base import (
    Adapter,
    AuthExpired,
    Authorization,
    Connection,
    Content,
    Credentials,
    Limits,
    MediaItem,
    Permanent,
    PostOption,
    Problem,
    Progress,
    Published,
    Unknown,
)
from channels.adapters.engagement import EngagementSupport
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.pinterest_http import (
    API_URL,
    PinterestAPI,
    parse_time,
    token_request,
)
from channels.adapters.pinterest_media import (
    IMAGE_TYPES,
    Budget,
    image_source,
    ready_video,
    video_source,
)
from channels.words import words

AUTHORIZE_URL = "https://www.pinterest.com/oauth/"
SCOPES = "boards:read,boards:write,pins:read,pins:write,user_accounts:read"  # comma-separated
MB = 1024 * 1024
MAX_TITLE = 100  # PinCreate.title.maxLength (pinterest-v5.openapi.json)
MAX_LINK = 2048  # PinCreate.link.maxLength
MAX_ALT_TEXT = 500  # PinCreate.alt_text.maxLength
# Pinterest's "taller than 1.91:1 and shorter than 1:2" for video (help.pinterest.com,
# "Review product specs"); images of any shape are taken, tall ones are cropped in feeds.
VIDEO_ASPECT = (0.5, 1.91)
BOARD_ID = re.compile(r"^\d+$")  # PinCreate.board_id.pattern
LOOKUP_PAGES = 3  # a board's 300 newest Pins are searched for a lost one
BOARD_PAGES = 10  # boards offered in the composer: up to 1,000
# Pinterest's clock and SMO's may differ: a Pin made this long before the first
# attempt started still counts as that attempt's.
CLOCK_SKEW = timedelta(minutes=10)
THE_PIN = words("the Pin")


class PinterestAdapter(Adapter):
    network: ClassVar[str] = "pinterest"
    renews_with: ClassVar[str | None] = "refresh_token"
    display_name: ClassVar[str] = "Pinterest"
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        note=words("Pinterest's API gives no comments or messages, so answer on Pinterest itself.")
    )
    limits: ClassVar[Limits] = Limits(
        max_text=800,  # PinCreate.description.maxLength
        max_images=5,  # a carousel: multiple_image_base64 takes 2 to 5 items
        max_videos=1,
        mix_images_and_video=True,  # one image beside a video is its cover
        requires_text_or_media=False,
        requires_media=True,
        image_types=IMAGE_TYPES,
        # help.pinterest.com "Review product specs": images up to 20 MB; videos
        # .mp4, .mov or .m4v up to 2 GB, 4 seconds to 15 minutes.
        max_image_bytes=20 * MB,
        video_types=frozenset({"video/mp4", "video/quicktime", "video/x-m4v"}),
        max_video_bytes=2048 * MB,
        min_video_seconds=4,
        max_video_seconds=15 * 60,
    )
    supports_lookup: ClassVar[bool] = True
    metrics: ClassVar[MetricsSupport] = analytics.SUPPORT
    required_config: ClassVar[tuple[str, ...]] = ("app_id", "app_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("PINTEREST_APP_ID", "PINTEREST_APP_SECRET")
    post_options: ClassVar[tuple[PostOption, ...]] = (
        PostOption(
            "board",
            words("Board"),
            kind="choice",
            required=True,
            per_account=True,
            help=words("The board the Pin is saved to; each account has its own boards."),
        ),
        PostOption(
            "title",
            words("Title"),
            max_length=MAX_TITLE,
            help=words("Shown above the description; up to 100 characters."),
        ),
    )

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.api_url = str(config.get("api_url") or API_URL).rstrip("/")
        self.authorize_url = str(config.get("authorize_url") or AUTHORIZE_URL)
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))
        self.sleep: Callable[[float], None] = config.get("sleep") or time.sleep
        self.media_wait = float(config.get("media_wait_seconds", 60))
        self.poll_interval = float(config.get("poll_interval_seconds", 5))

    def __repr__(self) -> str:
        return f"PinterestAdapter(api_url={self.api_url!r})"

    # --- Checking ---

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(content)
        if len(content.link) > MAX_LINK:
            message = words(
                "Pinterest allows links of up to %(most)s characters; this one has %(count)s.",
                most=MAX_LINK,
                count=len(content.link),
            )
            problems.append(Problem("link", message, "too_long"))
        board = content.options.get("board")
        if board not in (None, "") and not BOARD_ID.match(str(board)):
            message = words("Pinterest has no board %(value)s.", value=str(board))
            problems.append(Problem("options.board", message, "invalid_choice"))
        return problems

    @override
    def _media_problems(self, media: tuple[MediaItem, ...]) -> list[Problem]:
        problems = super()._media_problems(media)
        videos = [m for m in media if m.kind == "video"]
        images = [m for m in media if m.kind == "image"]
        if videos and len(images) > 1:
            message = words(
                "A Pinterest video Pin takes one image, as its cover; this post has %(count)s.",
                count=len(images),
            )
            problems.append(Problem("media", message, "too_many"))
        for video in videos:
            aspect = video.aspect
            if (
                aspect is not None
                and not VIDEO_ASPECT[0] - 0.01 <= aspect <= VIDEO_ASPECT[1] + 0.01
            ):
                message = words(
                    "Pinterest takes videos from 1:2 (tall) to 1.91:1 (wide); "
                    "this one is %(width)s by %(height)s pixels.",
                    width=video.width,
                    height=video.height,
                )
                problems.append(Problem("media", message, "aspect"))
        for item in media:
            if len(item.alt_text) > MAX_ALT_TEXT:
                message = words(
                    "Pinterest allows alt text of up to %(most)s characters; this has %(count)s.",
                    most=MAX_ALT_TEXT,
                    count=len(item.alt_text),
                )
                problems.append(Problem("media", message, "too_long"))
        return problems

    @override
    def option_choices(self, creds: Credentials, name: str) -> list[tuple[str, str]]:
        """Return the account's boards (id, name), following Pinterest's bookmarks."""
        if name != "board":
            return []
        api = self._api(creds)
        boards = api.paged("/boards", words("the list of boards"), max_pages=BOARD_PAGES)
        return [(str(b["id"]), str(b.get("name") or b["id"])) for b in boards if b.get("id")]

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        if progress.get("pin_id"):
            return self._published(progress)
        board = str(content.options.get("board") or "")
        if not BOARD_ID.match(board):
            raise Permanent(words("Choose a Pinterest board for this account."), code="no-board")
        if not progress.get("started_at"):
            progress.record("started_at", self.now().isoformat())
        api = self._api(creds)
        body = self._pin_body(content, board)
        videos = [m for m in content.media if m.kind == "video"]
        images = [m for m in content.media if m.kind == "image"]
        if videos:
            budget = Budget(self.media_wait, self.poll_interval, self.sleep)
            media_id = ready_video(api, self.session, videos[0], progress, budget)
            body["media_source"] = video_source(media_id, images[0] if images else None)
        elif images:
            body["media_source"] = image_source(images, content.link)
        else:
            raise Permanent(words("Pinterest needs a photo or video."), code="no-media")
        pin = api.post("/pins", THE_PIN, body, creating=True)
        if not pin.get("id"):
            # Accepted but unnamed: the Pin may exist, so the reconciler looks.
            raise Unknown(
                words("Pinterest answered without the Pin's id; it may exist."), code="no-id"
            )
        made = parse_time(pin.get("created_at")) or self.now()
        progress.record("pin_id", str(pin["id"]))
        progress.record("published_at", made.isoformat())
        return self._published(progress)

    def _pin_body(self, content: Content, board: str) -> dict[str, Any]:
        body: dict[str, Any] = {"board_id": board}
        title = str(content.options.get("title") or "").strip()
        description = content.text.replace("\r\n", "\n").strip()
        alt_text = next((m.alt_text for m in content.media if m.alt_text), "")
        for name, value in (
            ("title", title),
            ("description", description),
            ("link", content.link),
            ("alt_text", alt_text),
        ):
            if value:
                body[name] = value
        return body

    def _published(self, progress: Progress) -> Published:
        pin_id = str(progress.get("pin_id"))
        made = parse_time(progress.get("published_at")) or self.now()
        return Published(pin_id, pin_url(pin_id), made)

    # --- Finding a Pin whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        if progress.get("pin_id"):
            return self._published(progress)
        board = str(content.options.get("board") or "")
        if not BOARD_ID.match(board):
            return None  # publish never got as far as sending a Pin
        since = parse_time(progress.get("started_at"))
        not_before = since - CLOCK_SKEW if since else None
        wanted = self._pin_body(content, board)
        kind = media_kind(content)
        pins = self._api(creds).paged(
            f"/boards/{board}/pins", words("the board's Pins"), max_pages=LOOKUP_PAGES
        )
        for pin in pins:
            made = parse_time(pin.get("created_at"))
            if not_before is not None and made is not None and made < not_before:
                continue  # an older look-alike, from an earlier post
            if same_pin(pin, wanted, kind):
                progress.record("pin_id", str(pin["id"]))
                progress.record("published_at", (made or self.now()).isoformat())
                return self._published(progress)
        return None

    # --- Analytics (pinterest_metrics.py) ---

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        yield from analytics.fetch(self._api(creds), external_ids, self.now())

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        return analytics.followers(self._api(creds))

    # --- Tokens and connecting ---

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        old = str(creds.secrets.get("refresh_token") or "")
        if not old:
            raise AuthExpired(words("This Pinterest account has no refresh token; reconnect it."))
        tokens = self._token({"grant_type": "refresh_token", "refresh_token": old}, [old])
        # Continuous refresh: each answer carries a new refresh token, good for
        # 60 days from now; the old one is kept only if none came (§8).
        secrets_ = {
            "access_token": str(tokens["access_token"]),
            "refresh_token": str(tokens.get("refresh_token") or old),
        }
        return Credentials(
            creds.external_id,
            creds.handle,
            secrets_,
            expires_at=self._expiry(tokens),
            options=creds.options,
        )

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        query = {
            "client_id": self.config["app_id"],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPES,
            "state": state,
        }
        return Authorization(f"{self.authorize_url}?{urlencode(query, quote_via=quote)}")

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        # continuous_refresh: apps made before 25 September 2025 get the renewing
        # refresh token only when they ask (POST /oauth/token description).
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "continuous_refresh": "true",
        }
        tokens = self._token(form, [code])
        secrets_ = {
            "access_token": str(tokens["access_token"]),
            "refresh_token": str(tokens.get("refresh_token") or ""),
        }
        api = self._api(Credentials("", secrets=secrets_))
        account = api.get("/user_account", words("the account's profile"))
        username = str(account.get("username") or "")
        external_id = str(account.get("id") or username)
        if not external_id:
            raise Permanent(words("Pinterest did not say which account signed in."))
        creds = Credentials(external_id, username, secrets_, expires_at=self._expiry(tokens))
        name = str(account.get("business_name") or username)
        return [Connection(self.network, creds, name, str(account.get("profile_image") or ""))]

    def _token(self, form: dict[str, str], hidden: list[str]) -> dict[str, Any]:
        app = (str(self.config.get("app_id") or ""), str(self.config.get("app_secret") or ""))
        return token_request(self.session, self.api_url, app, form, hidden=hidden, now=self.now())

    def _expiry(self, tokens: Mapping[str, Any]) -> datetime:
        # Access tokens last about 30 days (§8) when the answer does not say.
        seconds = int(tokens.get("expires_in") or 30 * 24 * 3600)
        return self.now() + timedelta(seconds=seconds)

    def _api(self, creds: Credentials) -> PinterestAPI:
        token = str(creds.secrets.get("access_token") or "")
        if not token:
            raise AuthExpired(words("This Pinterest account has no access token; reconnect it."))
        hidden = [str(v) for v in creds.secrets.values()] + [
            str(self.config.get("app_secret") or "")
        ]
        return PinterestAPI(self.session, self.api_url, token, now=self.now, hidden=hidden)


# --- Plain functions ---------------------------------------------------------------------


def pin_url(pin_id: str) -> str:
    return f"https://www.pinterest.com/pin/{pin_id}/"


def media_kind(content: Content) -> str:
    """The `media.media_type` Pinterest reports for a Pin made from `content`."""
    if any(m.kind == "video" for m in content.media):
        return "video"
    return "multiple_images" if len(content.media) > 1 else "image"


def same_pin(pin: Mapping[str, Any], wanted: Mapping[str, Any], kind: str) -> bool:
    """Say whether a listed Pin is the one `wanted` (a Pin body) would make."""
    for name in ("title", "description"):
        if _normal(pin.get(name)) != _normal(wanted.get(name)):
            return False
    if str(pin.get("link") or "").rstrip("/") != str(wanted.get("link") or "").rstrip("/"):
        return False
    shown = (
        (pin.get("media") or {}).get("media_type") if isinstance(pin.get("media"), dict) else None
    )
    return shown in (None, kind)


def _normal(value: Any) -> str:
    return Content(str(value or "")).fingerprint
