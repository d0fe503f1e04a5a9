"""Instagram professional accounts linked to a Facebook Page (platforms.md §3).

Publishing is a container flow: create a container from media on a public URL
(Instagram fetches it itself), wait until Instagram has processed it, then
media_publish. Accounts are connected through FacebookAdapter.connect and carry
the Page's access token.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from typing_extensions import override

from channels.adapters import instagram_inbox, instagram_metrics
from channels.adapters import metrics as m
from channels.adapters.base import (
    Adapter,
    Content,
    Credentials,
    Limits,
    MediaItem,
    Permanent,
    Problem,
    Progress,
    Published,
    RateLimited,
    Transient,
    Unknown,
)
from channels.adapters.engagement import (
    COMMENT,
    REPLY,
    Engagement,
    EngagementSupport,
    PostRef,
)
from channels.adapters.graph import (
    INSTAGRAM_CAP_WAIT,
    Call,
    GraphClient,
    MetaApp,
    access_token,
    created_id,
    find_by_text,
    mark_start,
    not_before,
    permalink,
    same_text,
)
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.polling import Budget
from channels.words import whole, words

MB = 1000 * 1000
MAX_ITEMS = 10  # a carousel takes 2 to 10 items (§3)
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
HASHTAG = re.compile(r"(?<![\w#])#\w+")
MENTION = re.compile(r"(?<![\w@])@[\w.]+")
MEDIA_FIELDS = "id,caption,permalink,timestamp"
# Container states that end polling; ERROR raises, IN_PROGRESS waits (§3).
DONE = frozenset({"FINISHED", "EXPIRED", "PUBLISHED"})


class InstagramAdapter(Adapter):
    network: ClassVar[str] = "instagram"
    display_name: ClassVar[str] = "Instagram"
    connects_by: ClassVar[str] = "through"  # Facebook's login (registry.CONNECTED_THROUGH)
    limits: ClassVar[Limits] = Limits(
        max_text=2200,
        max_images=MAX_ITEMS,
        max_videos=MAX_ITEMS,
        mix_images_and_video=True,  # carousels mix them
        requires_text_or_media=False,  # media is required instead (no text-only posts)
        first_comment=True,
        max_image_bytes=8 * 1024 * 1024,  # "less than 8 MiB" (error 2207004)
        image_types=frozenset({"image/jpeg"}),  # the only format the API accepts (§3)
        # 300 MB here, 1 GB elsewhere (§3, unconfirmed): the smaller is safe.
        max_video_bytes=300 * MB,
        video_types=frozenset({"video/mp4", "video/quicktime"}),
        # 50 per rolling 24 h per the media_publish reference; read at runtime too.
        posts_per_window=50,
        window=timedelta(hours=24),
    )
    supports_lookup: ClassVar[bool] = True
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        fetches=frozenset({COMMENT, REPLY}),
        replies_to=frozenset({COMMENT, REPLY}),
        hides=frozenset({COMMENT, REPLY}),
        deletes=frozenset({COMMENT, REPLY}),
        interval=timedelta(minutes=5),
        note=words(
            "Instagram direct messages need the Messenger Platform for Instagram and "
            "Meta's app review, so SMO shows comments and replies only, not DMs or mentions."
        ),
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        figures=frozenset(
            {m.IMPRESSIONS, m.REACH, m.LIKES, m.COMMENTS, m.SHARES, m.SAVES, m.VIDEO_VIEWS}
        ),
        followers=True,
        interval=timedelta(hours=1),
        note=words(
            "Instagram gives no link clicks (posts have no links), counts views instead "
            "of impressions since 2025, and has no insights for media posted before the "
            "account became a professional one."
        ),
    )
    required_config: ClassVar[tuple[str, ...]] = ("app_id", "app_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET")

    @property
    def app(self) -> MetaApp:
        return MetaApp.from_config(self.config)

    def client(self, creds: Credentials) -> GraphClient:
        token = access_token(creds, self.display_name)
        return GraphClient(self.session, self.app, token, network=self.display_name)

    # --- Validation ---------------------------------------------------------------

    @override
    def validate(self, content: Content) -> list[Problem]:
        text = caption(content)
        problems = super().validate(replace(content, text=text, link=""))
        hashtags = len(HASHTAG.findall(text))
        if hashtags > MAX_HASHTAGS:
            message = words(
                "Instagram allows %(most)s hashtags in a caption; this one has %(count)s.",
                most=MAX_HASHTAGS,
                count=hashtags,
            )
            problems.append(Problem("text", message, "too_many_hashtags"))
        mentions = len(MENTION.findall(text))
        if mentions > MAX_MENTIONS:
            message = words(
                "Instagram allows %(most)s @mentions in a caption; this one has %(count)s.",
                most=MAX_MENTIONS,
                count=mentions,
            )
            problems.append(Problem("text", message, "too_many_mentions"))
        return problems

    @override
    def text_length(self, content: Content) -> int:
        return super().text_length(replace(content, text=caption(content), link=""))

    @override
    def _media_problems(self, media: tuple[MediaItem, ...]) -> list[Problem]:
        if not media:
            return [
                Problem(
                    "media",
                    words("Instagram needs an image or a video; it has no text-only posts."),
                    "required",
                )
            ]
        problems = []
        if len(media) > MAX_ITEMS:
            problems.append(
                Problem(
                    "media",
                    words(
                        "An Instagram carousel takes 2 to %(most)s items; this post has %(count)s.",
                        most=MAX_ITEMS,
                        count=len(media),
                    ),
                    "too_many",
                )
            )
        for item in media:
            problems.extend(_item_problems(item, self.limits))
        return problems

    # --- The inbox (instagram_inbox.py) --------------------------------------------

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        account = instagram_inbox.Account(creds.external_id, creds.handle)
        return instagram_inbox.fetch(self.client(creds), account, since, posts)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        return instagram_inbox.reply(self.client(creds), target, text, progress)

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        account = instagram_inbox.Account(creds.external_id, creds.handle)
        return instagram_inbox.find_reply(self.client(creds), account, target, text)

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        instagram_inbox.moderate(self.client(creds), target, action)

    # --- Analytics (instagram_metrics.py) -------------------------------------------

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        return instagram_metrics.fetch(self.client(creds), external_ids)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        return instagram_metrics.followers(self.client(creds), creds.external_id)

    # --- Publishing ---------------------------------------------------------------

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        client = self.client(creds)
        mark_start(progress, client.app.now())
        media_id = progress.get("media_id") or self._publish_media(client, creds, content, progress)
        if content.first_comment and not progress.get("comment_id"):
            answer = client.post(f"{media_id}/comments", Call.CREATE, message=content.first_comment)
            progress.record("comment_id", created_id(answer, self.display_name))
        return self._published(client, creds, media_id)

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        client = self.client(creds)
        media_id, found = progress.get("media_id"), None
        if not media_id:
            found = self._find_media(client, creds, content, progress)
            if found is None:
                return None
            media_id = str(found["id"])
            progress.record("media_id", media_id)
        if content.first_comment and not progress.get("comment_id"):
            comment_id = self._find_comment(client, creds, media_id, content)
            if comment_id is None:
                return None  # publish resumes with the comment
            progress.record("comment_id", comment_id)
        return self._published(client, creds, media_id, found)

    def _publish_media(
        self, client: GraphClient, creds: Credentials, content: Content, progress: Progress
    ) -> str:
        ig_user = creds.external_id
        budget = Budget(
            float(self.config.get("container_wait_seconds", 60)),
            float(self.config.get("poll_interval_seconds", 5)),
            self.config.get("sleep") or time.sleep,
        )
        status = ""
        for _ in range(2):  # one fresh container after an EXPIRED one
            container = progress.get("container_id") or self._create(
                client, ig_user, content, progress, budget
            )
            status = self._wait(client, container, budget)
            if status != "EXPIRED":
                break
            # Children expire with their carousel: make everything again.
            progress.record("children", [])
            progress.record("container_id", None)
        if status == "PUBLISHED":
            return self._published_earlier(client, creds, content, progress)
        if status == "EXPIRED":
            raise Transient(
                words("Instagram let two containers for this post expire; trying again.")
            )
        self._check_quota(client, ig_user)
        answer = client.post(f"{ig_user}/media_publish", Call.CREATE, creation_id=container)
        media_id = created_id(answer, self.display_name)
        progress.record("media_id", media_id)
        return media_id

    def _create(
        self,
        client: GraphClient,
        ig_user: str,
        content: Content,
        progress: Progress,
        budget: Budget,
    ) -> str:
        """Create the post's container (a carousel's children first); record each id."""
        text = caption(content)
        if len(content.media) == 1:
            params = _item_params(content.media[0], carousel=False)
            answer = client.post(f"{ig_user}/media", Call.PREPARE, caption=text, **params)
        else:
            children: list[str] = list(progress.get("children") or [])
            for item in content.media[len(children) :]:
                params = _item_params(item, carousel=True)
                child = client.post(
                    f"{ig_user}/media", Call.PREPARE, is_carousel_item=True, **params
                )
                children.append(created_id(child, self.display_name))
                progress.record("children", list(children))
            for child_id in children:  # a carousel takes finished children only
                status = self._wait(client, child_id, budget)
                if status != "FINISHED":
                    progress.record("children", [])  # an expired child: start the carousel over
                    raise Transient(
                        words(
                            "An Instagram carousel item is %(status)s; trying again.",
                            status=status.lower(),
                        )
                    )
            answer = client.post(
                f"{ig_user}/media",
                Call.PREPARE,
                media_type="CAROUSEL",
                children=",".join(children),
                caption=text,
            )
        container = created_id(answer, self.display_name)
        progress.record("container_id", container)
        return container

    def _wait(self, client: GraphClient, container: str, budget: Budget) -> str:
        """Poll a container until Instagram is done with it, within the attempt's budget;
        return FINISHED, EXPIRED or PUBLISHED (§3).

        Still IN_PROGRESS at the bound is Transient: progress keeps the
        container id, so the next attempt polls the same container again.
        """
        while True:
            state = client.get(container, fields="status_code,status")
            code, text = str(state.get("status_code") or ""), str(state.get("status") or "")
            if not code and text.lower().startswith("error"):
                code = "ERROR"  # seen without a status_code for failed downloads
            if code == "ERROR":
                raise Permanent(
                    words(
                        "Instagram could not process the media: %(reason)s",
                        reason=text or words("no reason given"),
                    ),
                    code="container-error",
                )
            if code in DONE:
                return code
            if code != "IN_PROGRESS":
                raise Transient(
                    words(
                        "Instagram reported an unknown container status (%(status)s).",
                        status=code or "none",
                    ),
                    code="container-status",
                )
            if not budget.wait():
                raise Transient(
                    words(
                        "Instagram is still processing the media after %(seconds)s seconds; "
                        "SMO checks the same container again later.",
                        seconds=whole(budget.waited),
                    ),
                    code="in-progress",
                )

    def _check_quota(self, client: GraphClient, ig_user: str) -> None:
        """Refuse before media_publish when the rolling 24-hour cap is used up (§3)."""
        answer = client.get(f"{ig_user}/content_publishing_limit", fields="quota_usage,config")
        usage: dict[str, Any] = (answer.get("data") or [{}])[0]
        used = int(usage.get("quota_usage") or 0)
        total = int((usage.get("config") or {}).get("quota_total") or 0)
        if total and used >= total:
            raise RateLimited(
                words(
                    "Instagram's 24-hour cap of %(total)s posts is reached (%(used)s published); "
                    "SMO tries again in an hour.",
                    total=total,
                    used=used,
                ),
                client.app.now() + INSTAGRAM_CAP_WAIT,
                code="quota",
            )

    def _published_earlier(
        self, client: GraphClient, creds: Credentials, content: Content, progress: Progress
    ) -> str:
        """The container is PUBLISHED but the media id was lost with an answer."""
        found = self._find_media(client, creds, content, progress)
        if found is None:
            raise Unknown(
                words("Instagram says this post was published but it is not listed yet."),
                code="published",
            )
        progress.record("media_id", str(found["id"]))
        return str(found["id"])

    def _published(
        self,
        client: GraphClient,
        creds: Credentials,
        media_id: str,
        known: dict[str, Any] | None = None,
    ) -> Published:
        url, published_at = permalink(
            client,
            media_id,
            url_field="permalink",
            time_field="timestamp",
            fallback=f"https://www.instagram.com/{creds.handle}/",
            known=known,
        )
        return Published(external_id=media_id, url=url, published_at=published_at)

    def _find_media(
        self, client: GraphClient, creds: Credentials, content: Content, progress: Progress
    ) -> dict[str, Any] | None:
        return find_by_text(
            client,
            f"{creds.external_id}/media",
            text=caption(content),
            text_field="caption",
            time_field="timestamp",
            fields=MEDIA_FIELDS,
            not_before=not_before(progress),
        )

    def _find_comment(
        self, client: GraphClient, creds: Credentials, media_id: str, content: Content
    ) -> str | None:
        for comment in client.paged(
            f"{media_id}/comments", max_pages=2, fields="id,text,username", limit=50
        ):
            author = str(comment.get("username") or creds.handle)
            if author == creds.handle and same_text(
                str(comment.get("text") or ""), content.first_comment
            ):
                return str(comment["id"])
        return None


def caption(content: Content) -> str:
    """Instagram shows no link previews, so the link goes at the end of the caption."""
    return "\n\n".join(part for part in (content.text, content.link) if part)


def _item_params(item: MediaItem, *, carousel: bool) -> dict[str, Any]:
    if not item.url:
        name = os.path.basename(item.path)
        raise Permanent(
            words("Instagram fetches media from a public URL; %(name)s has none.", name=name),
            code="no-url",
        )
    if item.kind == "video":
        # Single feed videos are published as reels since July 2023 (§3);
        # carousel items keep media_type=VIDEO.
        if carousel:
            return {"media_type": "VIDEO", "video_url": item.url}
        return {"media_type": "REELS", "video_url": item.url, "share_to_feed": True}
    params: dict[str, Any] = {"image_url": item.url}
    if item.alt_text and not carousel:  # alt_text is documented for image posts only
        params["alt_text"] = item.alt_text
    return params


def _item_problems(item: MediaItem, limits: Limits) -> list[Problem]:
    name = os.path.basename(item.path) or item.url
    if item.kind == "video":
        if item.mime_type not in limits.video_types:
            return [
                Problem(
                    "media",
                    words(
                        "Instagram takes MP4 or MOV videos; %(name)s is %(type)s.",
                        name=name,
                        type=item.mime_type,
                    ),
                    "type",
                )
            ]
        if item.size > limits.max_video_bytes:
            return [
                Problem(
                    "media",
                    words(
                        "Instagram takes videos up to 300 MB; %(name)s is %(size)s MB.",
                        name=name,
                        size=whole(item.size / MB, 0),
                    ),
                    "too_big",
                )
            ]
        return []
    if item.mime_type not in limits.image_types:
        return [
            Problem(
                "media",
                words(
                    "Instagram takes JPEG images only; %(name)s is %(type)s.",
                    name=name,
                    type=item.mime_type,
                ),
                "type",
            )
        ]
    if item.size > limits.max_image_bytes:
        size = item.size / (1024 * 1024)
        return [
            Problem(
                "media",
                words(
                    "Instagram takes images up to 8 MB; %(name)s is %(size)s MB.",
                    name=name,
                    size=whole(size),
                ),
                "too_big",
            )
        ]
    # Aspect ratio between 4:5 (portrait) and 1.91:1 (landscape), compared in
    # integers so 1080x1350 counts as exactly 4:5. Width 320 to 1440 is only a
    # recommendation: Instagram rescales (§3).
    width, height = item.width, item.height
    if width and height and (width * 5 < height * 4 or width * 100 > height * 191):
        return [
            Problem(
                "media",
                words(
                    "Instagram takes images from 4:5 to 1.91:1; "
                    "%(name)s is %(width)sx%(height)s (%(ratio)s:1).",
                    name=name,
                    width=width,
                    height=height,
                    ratio=whole(width / height, 2),
                ),
                "aspect_ratio",
            )
        ]
    return []
