"""YouTube Data API v3: videos and Shorts by resumable upload (platforms.md §6).

The post's text is the video's description and the post options hold its title,
visibility, category, tags, made-for-kids answer and format (youtube_checks).
A video goes up through google-api-python-client's resumable upload
(youtube_upload), whose session URL is kept in Progress so a retry resumes the
same upload; an image in the post becomes the video's thumbnail. Every call is
charged against the project's daily quota first (youtube_quota). Accounts are
connected with Google's OAuth 2 and PKCE (youtube_oauth).
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import requests
from googleapiclient.http import MediaIoBaseUpload
from typing_extensions import override

from channels import text as text_rules
from channels.adapters import youtube_checks as checks
from channels.adapters import youtube_inbox as inbox
from channels.adapters import youtube_metrics as stats
from channels.adapters import youtube_oauth as oauth
from channels.adapters import youtube_upload as uploads
from channels.adapters.base import (
    Adapter,
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
from channels.adapters.engagement import Engagement, EngagementSupport, PostRef
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.youtube_api import API_URL, Calls
from channels.adapters.youtube_errors import Step
from channels.adapters.youtube_quota import Quota
from channels.words import words

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# Lookups look this far back before the attempt began, for clocks that differ.
LOOKUP_MARGIN = timedelta(minutes=10)


class YouTubeAdapter(Adapter):
    network: ClassVar[str] = "youtube"
    renews_with: ClassVar[str | None] = "refresh_token"
    display_name: ClassVar[str] = "YouTube"
    limits: ClassVar[Limits] = Limits(
        max_text=checks.MAX_DESCRIPTION,
        counting=text_rules.BYTES,
        max_images=1,  # the thumbnail
        max_videos=1,
        mix_images_and_video=True,
        requires_text_or_media=False,  # a video may have no description
        requires_media=True,
        # thumbnails.set takes JPEG or PNG up to 2 MB (its API reference).
        max_image_bytes=2 * MB,
        image_types=frozenset({"image/jpeg", "image/png"}),
        # videos.insert's mediaUpload.maxSize in the discovery document (256 GB).
        max_video_bytes=256 * 1024 * MB,
        video_types=frozenset(
            {
                "video/mp4",
                "video/quicktime",
                "video/webm",
                "video/mpeg",
                "video/x-msvideo",
                "video/x-ms-wmv",
                "video/x-flv",
                "video/3gpp",
            }
        ),
        max_video_seconds=12 * 3600,  # 12 h (platforms.md §6, unconfirmed)
    )
    supports_lookup: ClassVar[bool] = True
    required_config: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET")
    post_options: ClassVar[tuple[PostOption, ...]] = checks.OPTIONS
    engagement: ClassVar[EngagementSupport] = inbox.SUPPORT
    metrics: ClassVar[MetricsSupport] = stats.SUPPORT

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.api_url = str(config.get("api_url") or API_URL).rstrip("/")
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))
        self.quota = Quota.from_config(config, self.now)
        self.chunk_bytes = int(config.get("chunk_bytes") or uploads.CHUNK_BYTES)
        self.lookup_pages = int(config.get("lookup_pages") or 3)

    # --- Checking ---

    @override
    def validate(self, content: Content) -> list[Problem]:
        # The base class checks media, threads and the first comment; the text
        # rules (bytes, "<" and ">") and the options are YouTube's own.
        problems = [
            p
            for p in super().validate(replace(content, text=checks.description(content), link=""))
            if not (p.field == "text" and p.code == "too_long")
        ]
        return checks.text_problems(content) + problems + checks.media_problems(content)

    @override
    def _option_problems(self, options: Mapping[str, Any]) -> list[Problem]:
        return checks.option_problems(options)

    @override
    def text_length(self, content: Content) -> int:
        return text_rules.count(checks.description(content), text_rules.BYTES)

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        video = _video(content)
        if not progress.get("started_at"):
            progress.record("started_at", self.now().isoformat())
        calls = self._calls(creds, progress)
        video_id = progress.get("video_id") or self._upload(calls, creds, content, video, progress)
        thumbnail = _thumbnail(content)
        if thumbnail is not None and not progress.get("thumbnail"):
            self._set_thumbnail(calls, video_id, thumbnail, progress)
        return self._published(content, video_id, progress)

    def _upload(
        self,
        calls: Calls,
        creds: Credentials,
        content: Content,
        item: MediaItem,
        progress: Progress,
    ) -> str:
        resume = None
        url = progress.get("upload_url")
        if url:
            found = uploads.probe(calls, url, self._total(item, progress))
            if found.video is not None:
                return self._record(progress, found.video)
            if found.gone:
                # The session expired. It answers with the video while it lives, so
                # a finished upload is looked for among the channel's uploads first.
                earlier = self._find_upload(calls, creds, content, progress)
                if earlier is not None:
                    return self._record(progress, earlier)
                progress.record("upload_url", None)
            else:
                resume = (url, found.received)
        video = uploads.upload(
            calls, content, item, progress, chunk_bytes=self.chunk_bytes, resume=resume
        )
        return self._record(progress, video)

    def _set_thumbnail(
        self, calls: Calls, video_id: str, image: MediaItem, progress: Progress
    ) -> None:
        try:
            with open(image.path, "rb") as stream:
                media = MediaIoBaseUpload(stream, mimetype=image.mime_type, resumable=False)
                request = calls.client.thumbnails().set(videoId=video_id, media_body=media)
                calls.execute(request, "thumbnails.set", Step.SET)
        except OSError:
            reason = words("the image file could not be read")
            progress.record("thumbnail", {"refused": str(reason)})
            logger.warning("YouTube video %s: thumbnail file unreadable", video_id)
            return
        except Permanent as error:
            # The video is public already: failing the delivery now would hide that.
            # Channels that may not set custom thumbnails (unverified) end up here.
            progress.record("thumbnail", {"refused": error.detail})
            logger.warning("YouTube video %s: thumbnail refused (%s)", video_id, error.network_code)
            return
        progress.record("thumbnail", "set")

    def _record(self, progress: Progress, video: Mapping[str, Any]) -> str:
        video_id = str(video.get("id") or "")
        if not video_id:
            raise Unknown(words("YouTube sent back a video without an id."), code="no-id")
        progress.record("video_id", video_id)
        when = _time(str((video.get("snippet") or {}).get("publishedAt") or ""))
        progress.record("published_at", (when or self.now()).isoformat())
        return video_id

    def _published(self, content: Content, video_id: str, progress: Progress) -> Published:
        when = _time(str(progress.get("published_at") or "")) or self.now()
        return Published(video_id, video_url(video_id, short=checks.is_short(content)), when)

    def _total(self, item: MediaItem, progress: Progress) -> int:
        recorded = progress.get("upload_bytes")
        if recorded:
            return int(recorded)
        try:
            return os.path.getsize(item.path)
        except OSError:
            return item.size

    # --- Finding a video whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        calls = self._calls(creds, progress)
        video_id = progress.get("video_id")
        url = progress.get("upload_url")
        if not video_id and url:
            found = uploads.probe(calls, url, self._total(_video(content), progress))
            if found.video is not None:
                video_id = self._record(progress, found.video)
            elif not found.gone:
                return None  # the upload is not finished: publish resumes it
        if not video_id:
            earlier = self._find_upload(calls, creds, content, progress)
            if earlier is None:
                return None
            video_id = self._record(progress, earlier)
        if _thumbnail(content) is not None and not progress.get("thumbnail"):
            return None  # the video is there; publish resumes with the thumbnail
        return self._published(content, video_id, progress)

    def _find_upload(
        self, calls: Calls, creds: Credentials, content: Content, progress: Progress
    ) -> dict[str, Any] | None:
        """Look for this video among the channel's latest uploads, by its title and
        description, made no earlier than this delivery's first attempt."""
        playlist = str(creds.options.get("uploads_playlist") or "") or self._uploads(calls, creds)
        wanted = (_same(checks.title(content)), _same(checks.description(content)))
        started = _time(str(progress.get("started_at") or ""))
        not_before = started - LOOKUP_MARGIN if started else None
        token = None
        for _ in range(self.lookup_pages):
            request = calls.client.playlistItems().list(
                part="snippet,contentDetails", playlistId=playlist, maxResults=50, pageToken=token
            )
            answer = calls.execute(request, "playlistItems.list")
            for item in answer.get("items") or []:
                snippet = item.get("snippet") or {}
                added = _time(str(snippet.get("publishedAt") or ""))
                if not_before and added and added < not_before:
                    continue
                if (_same(snippet.get("title")), _same(snippet.get("description"))) == wanted:
                    details = item.get("contentDetails") or {}
                    video_id = details.get("videoId") or (snippet.get("resourceId") or {}).get(
                        "videoId"
                    )
                    published = details.get("videoPublishedAt") or snippet.get("publishedAt")
                    return {"id": video_id, "snippet": {"publishedAt": published}}
            token = answer.get("nextPageToken")
            if not token:
                break
        return None

    def _uploads(self, calls: Calls, creds: Credentials) -> str:
        """Return the channel's uploads playlist (channels.list mine=true)."""
        answer = calls.execute(
            calls.client.channels().list(part="contentDetails", mine=True), "channels.list"
        )
        for channel in answer.get("items") or []:
            if channel.get("id") == creds.external_id:
                related = (channel.get("contentDetails") or {}).get("relatedPlaylists") or {}
                if related.get("uploads"):
                    return str(related["uploads"])
        raise Permanent(
            words("YouTube did not list this channel's uploads; reconnect the account."),
            code="no-uploads",
        )

    # --- The inbox: comments on the channel's videos (youtube_inbox) ---

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        return inbox.fetch(self, creds, since, posts)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        return inbox.reply(self, creds, target, text, progress)

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        return inbox.find_reply(self, creds, target, text)

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        inbox.moderate(self, creds, target, action)

    # --- Analytics: videos' statistics and subscribers (youtube_metrics) ---

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        return stats.fetch(self, creds, external_ids)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        return stats.followers(self, creds)

    # --- Accounts ---

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        return oauth.refresh(self, creds)

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        return oauth.authorization(self.config, redirect_uri, state)

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        return oauth.connect(self, code, redirect_uri, verifier)

    def _calls(self, creds: Credentials, progress: Progress | None = None) -> Calls:
        def keep(url: str) -> None:
            if progress is not None:
                progress.record("upload_url", url)

        secret = str(self.config.get("client_secret") or "")
        return Calls(self.session, self.api_url, creds, self.quota, self.now, keep, [secret])


def video_url(video_id: str, *, short: bool = False) -> str:
    if short:
        return f"https://www.youtube.com/shorts/{video_id}"
    return f"https://www.youtube.com/watch?v={video_id}"


def _video(content: Content) -> MediaItem:
    for item in content.media:
        if item.kind == "video":
            return item
    raise Permanent(words("YouTube needs a video; this post has none."), code="no-video")


def _thumbnail(content: Content) -> MediaItem | None:
    return next((m for m in content.media if m.kind == "image"), None)


def _same(text: Any) -> str:
    """Text as compared when looking a video up: NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", str(text or "")).split())


def _time(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else None
