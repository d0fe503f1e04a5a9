"""Facebook Pages: connect through Facebook Login, publish as the Page (platforms.md §2).

Instagram professional accounts linked to those Pages are connected through the
same login (registry.CONNECTED_THROUGH); InstagramAdapter publishes to them.
Facebook's own scheduling (scheduled_publish_time) is not used: the engine
decides when to publish.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, BinaryIO, ClassVar
from urllib.parse import urlencode

from typing_extensions import override

from channels.adapters import facebook_inbox, facebook_metrics
from channels.adapters import metrics as m
from channels.adapters.base import (
    Adapter,
    Authorization,
    Connection,
    Content,
    Credentials,
    Limits,
    MediaItem,
    Permanent,
    Progress,
    Published,
)
from channels.adapters.engagement import (
    COMMENT,
    MESSAGE,
    REPLY,
    Engagement,
    EngagementSupport,
    PostRef,
)
from channels.adapters.graph import (
    WWW_ORIGIN,
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
from channels.words import words

MB = 1024 * 1024
# Facebook Login permissions. pages_manage_engagement lets the Page comment on its
# own post and answer, hide and delete comments (Pages API "Comments" guide);
# instagram_manage_comments does the same on Instagram (IG Media comments
# reference); publish_video is for Page videos. pages_read_user_content reads
# people's comments, pages_messaging the Page's Messenger conversations.
# read_insights and instagram_manage_insights read post insights for analytics
# (Page Insights and IG Media Insights references); accounts connected without
# them still get likes, comments and shares (facebook_metrics.py).
SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_posts",
    "pages_manage_engagement",
    "pages_messaging",
    "publish_video",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "read_insights",
    "instagram_manage_insights",
    "business_management",
)
ACCOUNT_FIELDS = (
    "id,name,access_token,tasks,picture,instagram_business_account{id,username,profile_picture_url}"
)
# Publishing to a Page needs the CREATE_CONTENT task; Instagram's media_publish
# takes MANAGE or CREATE_CONTENT on the linked Page (IG User Media Publish reference).
PAGE_TASKS = frozenset({"CREATE_CONTENT"})
INSTAGRAM_TASKS = frozenset({"CREATE_CONTENT", "MANAGE"})


class FacebookAdapter(Adapter):
    network: ClassVar[str] = "facebook"
    rejects_duplicates: ClassVar[bool] = True  # platforms.md, duplicate errors
    display_name: ClassVar[str] = "Facebook"
    limits: ClassVar[Limits] = Limits(
        max_text=63206,  # unconfirmed (platforms.md §0)
        max_images=10,
        max_videos=1,
        first_comment=True,
        # Page photos: JPEG, BMP, PNG, GIF or TIFF, 4 MB or smaller (Page Photos reference).
        max_image_bytes=4 * MB,
        image_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"}),
        # One multipart upload without the Resumable Upload API: 1 GB (unconfirmed).
        max_video_bytes=1024 * MB,
    )
    supports_lookup: ClassVar[bool] = True
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        fetches=frozenset({COMMENT, REPLY, MESSAGE}),
        replies_to=frozenset({COMMENT, REPLY, MESSAGE}),
        hides=frozenset({COMMENT, REPLY}),
        deletes=frozenset({COMMENT, REPLY}),
        interval=timedelta(minutes=5),
        note=words(
            "Facebook gives no mentions of the Page elsewhere, lets a Page answer a "
            "Messenger message only within 24 hours, and cannot hide or delete messages."
        ),
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        figures=frozenset(
            {m.IMPRESSIONS, m.REACH, m.LIKES, m.COMMENTS, m.SHARES, m.VIDEO_VIEWS, m.LINK_CLICKS}
        ),
        followers=True,
        interval=timedelta(hours=1),
        note=words(
            "Facebook gives no saves and no shares of videos; impressions, reach and link "
            "clicks come from Page Insights, which Meta gives only for Pages with 100 or more "
            "likes and has been retiring metric by metric. Reactions count as likes."
        ),
    )
    required_config: ClassVar[tuple[str, ...]] = ("app_id", "app_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET")

    @property
    def app(self) -> MetaApp:
        return MetaApp.from_config(self.config)

    def client(self, token: str | None = None) -> GraphClient:
        return GraphClient(self.session, self.app, token, network=self.display_name)

    # --- Connecting ---------------------------------------------------------------

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        app = self.app
        query = urlencode(
            {
                "client_id": app.app_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "response_type": "code",
                "scope": ",".join(SCOPES),
            }
        )
        return Authorization(url=f"{app.dialog_url}/{app.version}/dialog/oauth?{query}")

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        """Return the Pages the person may publish to and their Instagram accounts.

        Page tokens read with a long-lived user token do not expire (§2), so the
        short-lived token from the code is exchanged first.
        """
        app = self.app
        anonymous = self.client()
        short = anonymous.call(
            Call.READ,
            lambda: anonymous.api.get_access_token_from_code(
                code, redirect_uri, app.app_id, app.app_secret
            ),
        )
        user = self.client(_token(short))
        long = user.call(
            Call.READ, lambda: user.api.extend_access_token(app.app_id, app.app_secret)
        )
        pages = self.client(_token(long)).paged("me/accounts", fields=ACCOUNT_FIELDS, limit=100)
        return [connection for page in pages for connection in _connections(page)]

    # --- The inbox (facebook_inbox.py) ---------------------------------------------

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        client = self.client(access_token(creds, self.display_name))
        return facebook_inbox.fetch(client, creds.external_id, since, posts)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        client = self.client(access_token(creds, self.display_name))
        return facebook_inbox.reply(client, creds.external_id, target, text, progress)

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        client = self.client(access_token(creds, self.display_name))
        return facebook_inbox.find_reply(client, creds.external_id, target, text)

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        client = self.client(access_token(creds, self.display_name))
        facebook_inbox.moderate(client, target, action)

    # --- Analytics (facebook_metrics.py) --------------------------------------------

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        client = self.client(access_token(creds, self.display_name))
        return facebook_metrics.fetch(client, external_ids)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        client = self.client(access_token(creds, self.display_name))
        return facebook_metrics.followers(client, creds.external_id)

    # --- Publishing ---------------------------------------------------------------

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        client = self.client(access_token(creds, self.display_name))
        mark_start(progress, client.app.now())
        post_id = progress.get("post_id")
        if not post_id:
            post_id = self._create(client, creds.external_id, content, progress)
            progress.record("post_id", post_id)
        if content.first_comment and not progress.get("comment_id"):
            answer = client.post(f"{post_id}/comments", Call.CREATE, message=content.first_comment)
            progress.record("comment_id", created_id(answer, self.display_name))
        return self._published(client, post_id)

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        client = self.client(access_token(creds, self.display_name))
        post_id, found = progress.get("post_id"), None
        if not post_id:
            found = self._find_post(client, creds.external_id, content, progress)
            if found is None:
                return None
            post_id = str(found["id"])
            progress.record("post_id", post_id)
        if content.first_comment and not progress.get("comment_id"):
            comment_id = self._find_comment(client, creds.external_id, post_id, content)
            if comment_id is None:
                return None  # publish resumes with the comment
            progress.record("comment_id", comment_id)
        return self._published(client, post_id, found)

    def _create(
        self, client: GraphClient, page_id: str, content: Content, progress: Progress
    ) -> str:
        images = [m for m in content.media if m.kind == "image"]
        videos = [m for m in content.media if m.kind == "video"]
        message = _message(content)
        if videos:
            with _opened(videos[0]) as source:
                answer = client.post_video(
                    f"{page_id}/videos", files={"source": source}, description=message
                )
            return created_id(answer, self.display_name)
        if len(images) == 1 and not content.countries:
            with _opened(images[0]) as source:
                answer = client.post(
                    f"{page_id}/photos", Call.CREATE, files={"source": source}, caption=message
                )
            return created_id(answer, self.display_name, "post_id", "id")
        if images:
            # With targeting, even one photo goes through /feed, which takes it.
            return self._album(client, page_id, images, message, progress, _targeting(content))
        params = {
            "message": message,
            **({"link": content.link} if content.link else {}),
            **_targeting(content),
        }
        return created_id(client.post(f"{page_id}/feed", Call.CREATE, **params), self.display_name)

    def _album(
        self,
        client: GraphClient,
        page_id: str,
        images: list[MediaItem],
        message: str,
        progress: Progress,
        targeting: dict[str, str],
    ) -> str:
        """Upload each photo unpublished, then post them together (platforms.md §2)."""
        photo_ids: list[str] = list(progress.get("photo_ids") or [])
        for item in images[len(photo_ids) :]:
            with _opened(item) as source:
                # An unpublished photo is seen by no one: a lost answer costs an
                # orphan upload, not a duplicate post, so it counts as PREPARE.
                answer = client.post(
                    f"{page_id}/photos", Call.PREPARE, files={"source": source}, published=False
                )
            photo_ids.append(created_id(answer, self.display_name))
            progress.record("photo_ids", list(photo_ids))
        attached = {
            f"attached_media[{i}]": json.dumps({"media_fbid": photo_id})
            for i, photo_id in enumerate(photo_ids)
        }
        answer = client.post(
            f"{page_id}/feed", Call.CREATE, message=message, **attached, **targeting
        )
        return created_id(answer, self.display_name)

    def _published(
        self, client: GraphClient, post_id: str, known: dict[str, Any] | None = None
    ) -> Published:
        url, published_at = permalink(
            client,
            post_id,
            url_field="permalink_url",
            time_field="created_time",
            fallback=f"{WWW_ORIGIN}/{post_id}",
            known=known,
        )
        return Published(external_id=post_id, url=url, published_at=published_at)

    def _find_post(
        self, client: GraphClient, page_id: str, content: Content, progress: Progress
    ) -> dict[str, Any] | None:
        # Page posts list a video's post under another id than the upload
        # returned, so videos are looked up where publish found them.
        video = any(m.kind == "video" for m in content.media)
        return find_by_text(
            client,
            f"{page_id}/videos" if video else f"{page_id}/published_posts",
            text=_message(content),
            text_field="description" if video else "message",
            time_field="created_time",
            fields=f"id,{'description' if video else 'message'},created_time,permalink_url",
            not_before=not_before(progress),
        )

    def _find_comment(
        self, client: GraphClient, page_id: str, post_id: str, content: Content
    ) -> str | None:
        for comment in client.paged(
            f"{post_id}/comments", max_pages=2, fields="id,message,from", limit=50
        ):
            author = str((comment.get("from") or {}).get("id") or page_id)
            if author == page_id and same_text(
                str(comment.get("message") or ""), content.first_comment
            ):
                return str(comment["id"])
        return None


def _targeting(content: Content) -> dict[str, str]:
    """Show the post only in the audience's countries (Graph `targeting` on /feed).

    Unlike `feed_targeting`, which only ranks, `targeting` restricts who can see
    the post. Videos take no targeting here; the composer says so.
    """
    if not content.countries:
        return {}
    return {"targeting": json.dumps({"geo_locations": {"countries": list(content.countries)}})}


def _message(content: Content) -> str:
    """Text posts carry the link as `link` (a preview); media posts append it."""
    if content.media and content.link:
        return f"{content.text}\n\n{content.link}" if content.text else content.link
    return content.text


@contextmanager
def _opened(item: MediaItem) -> Iterator[tuple[str, BinaryIO, str]]:
    """Open a media file as a multipart `source`; a file SMO cannot read is Permanent."""
    name = os.path.basename(item.path)
    try:
        file = open(item.path, "rb")  # closed by the with below
    except OSError:
        raise Permanent(
            words("SMO cannot read the media file %(name)s.", name=name), code="media-file"
        ) from None
    with file:
        yield (name, file, item.mime_type)


def _token(answer: Mapping[str, Any]) -> str:
    token = str(answer.get("access_token") or "")
    if not token:
        raise Permanent(words("Facebook Login answered without an access token."), code="no-token")
    return token


def _connections(page: Mapping[str, Any]) -> list[Connection]:
    """A Facebook connection for the Page, and one for its Instagram account."""
    tasks, token = set(page.get("tasks") or []), str(page.get("access_token") or "")
    if not token:
        return []
    found = []
    page_id, name = str(page["id"]), str(page.get("name") or page["id"])
    if tasks & PAGE_TASKS:
        picture = str(((page.get("picture") or {}).get("data") or {}).get("url") or "")
        creds = Credentials(external_id=page_id, handle=name, secrets={"access_token": token})
        found.append(Connection("facebook", creds, name=name, picture_url=picture))
    instagram = page.get("instagram_business_account") or {}
    if instagram.get("id") and tasks & INSTAGRAM_TASKS:
        username = str(instagram.get("username") or instagram["id"])
        creds = Credentials(
            external_id=str(instagram["id"]),
            handle=username,
            secrets={"access_token": token},
            options={"page_id": page_id},
        )
        picture = str(instagram.get("profile_picture_url") or "")
        found.append(Connection("instagram", creds, name=username, picture_url=picture))
    return found
