"""TikTok: Content Posting API direct posts of a video or photos (platforms.md §7).

A publish is: creator_info (what the account allows now), one init call that
answers with a `publish_id`, the file sent in chunks (videos by FILE_UPLOAD) or
fetched by TikTok itself (PULL_FROM_URL: photos always, videos when
`pull_from_url` is set), then status polling until PUBLISH_COMPLETE or FAILED.
TikTok has no idempotency key, so the publish_id is recorded in Progress the
moment init answers: a retry, or the reconciler, polls that publish and never
makes a second one (DESIGN.md, "Never publish blindly twice"). The one
exception is an upload that broke off before its last part: TikTok cannot post
a video it does not have, so the next attempt starts a new upload.

The upload runs inside the publish task's time limit (SMO_TASK_SOFT_TIME_LIMIT):
a video too big to send in that time never finishes uploading, and each attempt
starts over. TIKTOK_PULL_FROM_URL=true lets TikTok fetch big videos itself.

HTTP is in tiktok_api.py, chunking in tiktok_upload.py, status polling in
tiktok_status.py, the post's settings and checks in tiktok_options.py, OAuth in
tiktok_auth.py and the video-list lookup in tiktok_lookup.py.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import requests
from typing_extensions import override

from channels.adapters import tiktok_auth
from channels.adapters import tiktok_metrics as analytics
from channels.adapters.base import (
    Adapter,
    AuthExpired,
    Authorization,
    CannotTell,
    Connection,
    Content,
    Credentials,
    Limits,
    Permanent,
    Problem,
    Progress,
    Published,
    Transient,
    Unknown,
)
from channels.adapters.engagement import EngagementSupport
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.polling import Budget
from channels.adapters.tiktok_api import API_URL, Call, TikTokClient
from channels.adapters.tiktok_lookup import find_listed
from channels.adapters.tiktok_options import (
    MAX_CAPTION,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_VIDEO_BYTES,
    MAX_VIDEO_SECONDS,
    PHOTO_TYPES,
    POST_OPTIONS,
    PRIVACY_LEVELS,
    PUBLIC,
    VIDEO_TYPES,
    Choices,
    caption,
    creator_refusal,
    is_photo_post,
    media_problems,
    option_problems,
    photo_post_info,
    runes,
    text_problems,
    video_post_info,
)
from channels.adapters.tiktok_status import (
    fetch_status,
    post_ids,
    post_url,
    profile_url,
    wait_until_done,
)
from channels.adapters.tiktok_upload import ChunkPlan, ChunkRules, TooBig, plan_chunks, upload
from channels.words import words

CREATOR_INFO = "/v2/post/publish/creator_info/query/"
VIDEO_INIT = "/v2/post/publish/video/init/"
CONTENT_INIT = "/v2/post/publish/content/init/"
FILE, PULL, PHOTO = "FILE_UPLOAD", "PULL_FROM_URL", "PHOTO"
# TikTok's clock and SMO's may differ; a listed post this much older than the
# first attempt still counts as that attempt's.
CLOCK_SKEW = timedelta(minutes=10)
# Public posts are listed only after moderation: "usually within one minute, in
# some cases a few hours" (Get Post Status reference).
LISTING_WAIT = timedelta(hours=6)


class TikTokAdapter(Adapter):
    network: ClassVar[str] = "tiktok"
    renews_with: ClassVar[str | None] = "refresh_token"
    display_name: ClassVar[str] = "TikTok"
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        note=words(
            "TikTok's API for posting apps gives no comments or messages (only its Research API, for academics, reads comments), so answer in the TikTok app."
        )
    )
    limits: ClassVar[Limits] = Limits(
        max_text=MAX_CAPTION,  # a video's caption; a photo post's description takes 4,000
        max_images=MAX_PHOTOS,
        max_videos=1,
        requires_text_or_media=False,  # media is required instead
        requires_media=True,
        max_image_bytes=MAX_PHOTO_BYTES,
        max_video_bytes=MAX_VIDEO_BYTES,
        image_types=PHOTO_TYPES,
        video_types=VIDEO_TYPES,
        max_video_seconds=MAX_VIDEO_SECONDS,
        # video/init and content/init take 6 requests a minute per user token (§7).
        posts_per_window=6,
        window=timedelta(minutes=1),
    )
    supports_lookup: ClassVar[bool] = True
    metrics: ClassVar[MetricsSupport] = analytics.SUPPORT
    required_config: ClassVar[tuple[str, ...]] = ("client_key", "client_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("TIKTOK_CLIENT_KEY", "TIKTOK_CLIENT_SECRET")
    post_options = POST_OPTIONS

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.api_url = str(config.get("api_url") or API_URL).rstrip("/")
        self.authorize_url = str(config.get("authorize_url") or tiktok_auth.AUTHORIZE_URL)
        self.pull_from_url = bool(config.get("pull_from_url"))
        self.rules = ChunkRules.from_config(config)
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))
        self.sleep: Callable[[float], None] = config.get("sleep") or time.sleep
        # Upload and polling share the publish task's time (SMO_TASK_SOFT_TIME_LIMIT,
        # 120 s by default): polling takes at most this, then the next attempt polls on.
        self.status_wait = float(config.get("status_wait_seconds", 30))
        self.poll_interval = float(config.get("poll_interval_seconds", 5))
        self.listing_wait = timedelta(
            seconds=float(config.get("listing_wait_seconds", LISTING_WAIT.total_seconds()))
        )

    def __repr__(self) -> str:
        return f"TikTokAdapter(api_url={self.api_url!r}, pull_from_url={self.pull_from_url})"

    # --- Checking ---

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = text_problems(content) + media_problems(content.media)
        if content.thread:
            problems.append(
                Problem("thread", words("TikTok does not publish threads."), "unsupported")
            )
        if content.first_comment:
            message = words("TikTok does not take a first comment.")
            problems.append(Problem("first_comment", message, "unsupported"))
        return problems + option_problems(content)

    @override
    def text_length(self, content: Content) -> int:
        return runes(caption(content))

    @override
    def option_choices(self, creds: Credentials, name: str) -> list[tuple[str, str]]:
        """The privacy levels this account offers now (creator_info; §7)."""
        if name != "privacy_level":
            return []
        info = self._client(creds).post(CREATOR_INFO, {}, Call.READ)
        offered = [str(o) for o in info.get("privacy_level_options") or []]
        return [(o, str(PRIVACY_LEVELS.get(o, o))) for o in offered]

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        client = self._client(creds)
        if not progress.get("started_at"):
            progress.record("started_at", self.now().isoformat())
        publish_id = progress.get("publish_id")
        if publish_id and not self._may_post(progress):
            # The upload broke off before its last part: that publish can never
            # go out, so a new one takes its place.
            publish_id = None
        if not publish_id:
            publish_id = self._start(client, content, progress)
        return self._await(client, creds, str(publish_id), progress)

    def _start(self, client: TikTokClient, content: Content, progress: Progress) -> str:
        problems = self.validate(content)
        if problems:
            # What the composer would have shown: TikTok would refuse it too.
            raise Permanent(problems[0].words, code=problems[0].code)
        info = client.post(CREATOR_INFO, {}, Call.READ)
        refusal = creator_refusal(info, content)
        if refusal is not None:
            raise refusal
        if info.get("creator_username"):
            progress.record("username", str(info["creator_username"]))
        source = self._source(content)
        path, body, call, plan = VIDEO_INIT, {}, Call.CREATE, None
        if source == PHOTO:
            path, body = CONTENT_INIT, self._photo_body(content)
        elif source == PULL:
            url = _url_of(content.media[0])
            body = {
                "post_info": video_post_info(content),
                "source_info": {"source": PULL, "video_url": url},
            }
        else:
            item = content.media[0]
            plan = self._plan(item.path)
            body = {"post_info": video_post_info(content), "source_info": plan.source_info()}
            call = Call.PREPARE  # nothing is posted until SMO has sent the file
        progress.record("source", source)
        progress.record("upload", None)
        progress.record("init_sent_at", self.now().isoformat())
        data = client.post(path, body, call)
        publish_id = str(data.get("publish_id") or "")
        if not publish_id:
            what = words("TikTok accepted the post but sent back no publish id")
            if call is Call.CREATE:
                raise Unknown(words("%(what)s; it may exist.", what=what), code="no-id")
            raise Transient(words("%(what)s; nothing was posted.", what=what), code="no-id")
        progress.record("publish_id", publish_id)
        if plan is not None:
            upload_url = str(data.get("upload_url") or "")
            if not upload_url.startswith(("https://", "http://")):
                raise Transient(
                    words("TikTok sent no upload URL; nothing was posted, SMO tries again."),
                    code="no-upload-url",
                )
            progress.record("video_size", plan.video_size)
            progress.record("upload", "started")
            done = upload(
                client.session,
                upload_url,
                content.media[0].path,
                plan,
                content.media[0].mime_type,
                before_last=lambda: progress.record("upload", "last-part"),
            )
            if done:
                progress.record("upload", "done")
        return publish_id

    def _await(
        self, client: TikTokClient, creds: Credentials, publish_id: str, progress: Progress
    ) -> Published:
        budget = Budget(self.status_wait, self.poll_interval, self.sleep)
        data = wait_until_done(client, publish_id, budget)
        return self._published(creds, publish_id, data, progress)

    def _published(
        self, creds: Credentials, publish_id: str, data: Mapping[str, Any], progress: Progress
    ) -> Published:
        """The post's id comes only after moderation, and never for private posts
        (Get Post Status reference): until then Published holds the publish_id and
        the account's profile URL."""
        username = str(progress.get("username") or creds.handle or "")
        ids = post_ids(data)
        if ids:
            return Published(ids[0], post_url(username, ids[0]), self.now())
        return Published(publish_id, profile_url(username), self.now())

    def _source(self, content: Content) -> str:
        if is_photo_post(content):
            return PHOTO
        return PULL if self.pull_from_url else FILE

    def _photo_body(self, content: Content) -> dict[str, Any]:
        photos = [m for m in content.media if m.kind == "image"]
        index = Choices.of(content.options).cover_index(len(photos))
        return {
            "post_info": photo_post_info(content),
            "source_info": {
                "source": PULL,
                "photo_images": [_url_of(p) for p in photos],
                "photo_cover_index": index or 0,
            },
            "post_mode": "DIRECT_POST",
            "media_type": "PHOTO",
        }

    def _plan(self, path: str) -> ChunkPlan:
        try:
            size = os.path.getsize(path)
        except OSError:
            raise Permanent(
                words("The video file %(name)s could not be read.", name=os.path.basename(path)),
                code="file",
            ) from None
        try:
            return plan_chunks(size, self.rules)
        except TooBig:
            raise Permanent(
                words("The video is too big for TikTok's upload (%(mb)s MB).", mb=size // 10**6),
                code="too_big",
            ) from None
        except ValueError:
            raise Permanent(words("The video file is empty."), code="file") from None

    @staticmethod
    def _may_post(progress: Progress) -> bool:
        """Whether the recorded publish can still go out: TikTok posts an uploaded
        video only once it has every part, and SMO records the moment before the
        last part is sent."""
        if progress.get("source") != FILE:
            return True
        return progress.get("upload") in ("last-part", "done")

    # --- Finding a post whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        client = self._client(creds)
        publish_id = progress.get("publish_id")
        if publish_id:
            if not self._may_post(progress):
                return None  # publish starts a new upload
            data = fetch_status(client, str(publish_id))
            if data.get("status") == "PUBLISH_COMPLETE":
                return self._published(creds, str(publish_id), data, progress)
            return None  # publish resumes polling the same publish_id
        if progress.get("started_at") and not progress.get("init_sent_at"):
            return None  # the attempt stopped before init was sent
        if (progress.get("source") or self._source(content)) == FILE:
            return None  # TikTok posts nothing until SMO has uploaded the file
        return self._find_unidentified(client, creds, content, progress)

    def _find_unidentified(
        self, client: TikTokClient, creds: Credentials, content: Content, progress: Progress
    ) -> Published | None:
        """Init was sent to make TikTok fetch the media, and its answer was lost."""
        if Choices.of(content.options).privacy_level != PUBLIC:
            raise CannotTell(
                words(
                    "TikTok lists only public posts, so SMO cannot tell whether this post "
                    "went out. Check the account in the TikTok app, then mark the post "
                    "published or schedule it again."
                )
            )
        started = _time(progress.get("started_at"))
        texts = (caption(content), Choices.of(content.options).title)
        found = find_listed(client, texts, started - CLOCK_SKEW if started else None)
        if found is not None:
            video_id = str(found.get("id"))
            made = _epoch(found.get("create_time")) or self.now()
            username = str(progress.get("username") or creds.handle or "")
            return Published(video_id, post_url(username, video_id), made)
        sent = _time(progress.get("init_sent_at"))
        if sent is not None and self.now() - sent < self.listing_wait:
            raise Transient(
                words(
                    "The post is not in the account's public list yet; TikTok may still be "
                    "reviewing it. SMO looks again later."
                ),
                code="not-listed",
            )
        return None

    # --- Analytics (tiktok_metrics.py) ---

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        yield from analytics.fetch(self._client(creds), external_ids)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        return analytics.followers(self._client(creds))

    # --- Tokens and connecting ---

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        return tiktok_auth.refresh(self.session, self.config, self.api_url, self.now, creds)

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        return tiktok_auth.authorization(self.config, self.authorize_url, redirect_uri, state)

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        return tiktok_auth.connect(
            self.session, self.config, self.api_url, self.now, code, redirect_uri, verifier
        )

    def _client(self, creds: Credentials) -> TikTokClient:
        token = str(creds.secrets.get("access_token") or "")
        if not token:
            raise AuthExpired(words("This TikTok account has no access token; reconnect it."))
        hidden = (str(self.config.get("client_secret") or ""),)
        return TikTokClient(self.session, self.api_url, token, now=self.now, hidden=hidden)


def _url_of(item: Any) -> str:
    if not item.url:
        raise Permanent(
            words(
                "TikTok fetches this media from a public URL; %(name)s has none.",
                name=os.path.basename(item.path),
            ),
            code="no-url",
        )
    return str(item.url)


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _epoch(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
