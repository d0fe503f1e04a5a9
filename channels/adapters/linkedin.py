"""LinkedIn: posts by a member or by a Page they administer, through the Posts API
(platforms.md §5).

A post is one `POST /rest/posts`: the author's URN (the account's external id,
`urn:li:person:…` or `urn:li:organization:…`), the text as little-text
commentary (linkedin_text.py), a visibility, and optional content: one image
(`media`), 2 to 20 images (`multiImage`), one video (`media`), or a link card
(`article`). Media are uploaded first (linkedin_media.py), each URN kept in
Progress. LinkedIn answers 201 with the post's URN in `x-restli-id`; the create
has no idempotency key, so a lost answer is Unknown and `find_published` looks
the post up among the author's recent posts (linkedin_lookup.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import requests
from typing_extensions import override

from channels import text as text_rules
from channels.adapters import linkedin_auth as auth
from channels.adapters import linkedin_inbox as inbox
from channels.adapters import linkedin_metrics as stats
from channels.adapters.base import (
    Adapter,
    AdapterError,
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
from channels.adapters.engagement import (
    COMMENT,
    REPLY,
    Engagement,
    EngagementSupport,
    PostRef,
)
from channels.adapters.linkedin_http import API_URL, OAUTH_URL, DuplicatePost, LinkedInAPI
from channels.adapters.linkedin_lookup import created, find_post
from channels.adapters.linkedin_media import image_urn, video_urn
from channels.adapters.linkedin_text import commentary, length, post_text
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.polling import Budget
from channels.words import words

MB = 1024 * 1024
MAX_TITLE = 200  # an article or video title; LinkedIn publishes no limit (unconfirmed)
MAX_ALT_TEXT = 4086  # Images API altText (unconfirmed)
MAX_PIXELS = 36_152_320  # Images API: fewer than 36,152,320 pixels (§5)
VISIBILITIES = ("PUBLIC", "CONNECTIONS")
DISTRIBUTION = {
    "feedDistribution": "MAIN_FEED",
    "targetEntities": [],
    "thirdPartyDistributionChannels": [],
}
THE_POST = words("the post")


class LinkedInAdapter(Adapter):
    network: ClassVar[str] = "linkedin"
    rejects_duplicates: ClassVar[bool] = True  # platforms.md, duplicate errors
    renews_with: ClassVar[str | None] = "refresh_token"
    display_name: ClassVar[str] = "LinkedIn"
    limits: ClassVar[Limits] = Limits(
        max_text=3000,
        counting=text_rules.CHARACTERS,  # the meter uses text_length below
        max_images=20,  # multiImage takes 2 to 20 (§5)
        max_videos=1,
        mix_images_and_video=False,
        # Images API: JPG, PNG, GIF (§5); the byte cap is not published (unconfirmed).
        image_types=frozenset({"image/jpeg", "image/png", "image/gif"}),
        max_image_bytes=10 * MB,
        # Videos API: MP4, 75 KB to 500 MB, 3 seconds to 30 minutes.
        video_types=frozenset({"video/mp4"}),
        max_video_bytes=500 * MB,
        min_video_seconds=3,
        max_video_seconds=30 * 60,
    )
    supports_lookup: ClassVar[bool] = True
    required_config: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET")
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        fetches=frozenset({COMMENT, REPLY}),
        replies_to=frozenset({COMMENT, REPLY}),
        deletes=frozenset({COMMENT, REPLY}),  # the Page's own only
        deletes_others=False,
        # Calls are counted per day with unpublished limits (platforms.md §5).
        interval=timedelta(minutes=30),
        note=words(
            "LinkedIn gives comments on Pages' posts only (a member's need a permission "
            "LinkedIn grants to few apps), has no hiding of comments, and lets SMO delete "
            "only the Page's own."
        ),
    )
    metrics: ClassVar[MetricsSupport] = stats.SUPPORT
    post_options: ClassVar[tuple[PostOption, ...]] = (
        PostOption(
            "visibility",
            words("Visibility"),
            kind="choice",
            choices=(("PUBLIC", words("Anyone")), ("CONNECTIONS", words("Connections only"))),
            default="PUBLIC",
            help=words("Pages always post to anyone."),
        ),
        PostOption(
            "title",
            words("Title"),
            max_length=MAX_TITLE,
            help=words("The title of the link card or the video; the link is used when empty."),
        ),
    )

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.api_url = str(config.get("api_url") or API_URL).rstrip("/")
        self.oauth_url = str(config.get("oauth_url") or OAUTH_URL).rstrip("/")
        self.version = str(config.get("version") or "")
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))
        self.sleep: Callable[[float], None] = config.get("sleep") or time.sleep
        self.media_wait = float(config.get("media_wait_seconds", 60))
        self.poll_interval = float(config.get("poll_interval_seconds", 5))

    def __repr__(self) -> str:
        return f"LinkedInAdapter(api_url={self.api_url!r}, version={self.version!r})"

    # --- Checking ---

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = [
            p for p in super().validate(content) if p.code != "too_long" or p.field != "text"
        ]
        used = self.text_length(content)
        if used > self.limits.max_text:
            message = words(
                "LinkedIn allows %(limit)s characters; this text has %(length)s "
                "(a backslash is added before each of | { } @ [ ] ( ) < > * _ ~).",
                limit=self.limits.max_text,
                length=used,
            )
            problems.insert(0, Problem("text", message, "too_long"))
        return problems

    @override
    def text_length(self, content: Content) -> int:
        return length(post_text(content))

    @override
    def _media_problems(self, media: tuple[MediaItem, ...]) -> list[Problem]:
        problems = super()._media_problems(media)
        for item in media:
            if (
                item.kind == "image"
                and item.width
                and item.height
                and item.width * item.height >= MAX_PIXELS
            ):
                message = words(
                    "LinkedIn takes images of fewer than 36 million pixels; this one is "
                    "%(width)s by %(height)s.",
                    width=item.width,
                    height=item.height,
                )
                problems.append(Problem("media", message, "too_big"))
            if item.kind == "video" and item.size < 75 * 1024:
                problems.append(
                    Problem("media", words("LinkedIn takes videos of at least 75 KB."), "too_small")
                )
            if len(item.alt_text) > MAX_ALT_TEXT:
                message = words(
                    "LinkedIn allows alt text of up to %(most)s characters; this has %(count)s.",
                    most=MAX_ALT_TEXT,
                    count=len(item.alt_text),
                )
                problems.append(Problem("media", message, "too_long"))
        return problems

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        if progress.get("post_urn"):
            return self._published(progress)
        author = author_of(creds)
        api = self._api(creds)
        if not progress.get("started_at"):
            progress.record("started_at", self.now().isoformat())
        body = self.post_body(creds, content)
        attachment = self._attachment(api, author, content, progress)
        if attachment:
            body["content"] = attachment
        # Set while a create is out without an answer: a later duplicate refusal
        # then names the post that create made.
        unanswered = bool(progress.get("create_unanswered"))
        progress.record("create_unanswered", True)
        try:
            response = api.post("/rest/posts", THE_POST, body, creating=True)
        except DuplicatePost as refused:
            if not (unanswered and refused.duplicate_of):
                progress.record("create_unanswered", False)
                raise
            # "Content is a duplicate of urn:li:share:…": the earlier create that got
            # no answer made that post, and it is this delivery's.
            progress.record("post_urn", refused.duplicate_of)
            progress.record("published_at", self.now().isoformat())
            return self._published(progress)
        except Unknown:
            raise
        except AdapterError:
            progress.record("create_unanswered", False)  # a clear answer: nothing made
            raise
        urn = str(response.headers.get("x-restli-id") or "")
        if not urn.startswith("urn:li:"):
            raise Unknown(
                words("LinkedIn answered without the post's URN; it may exist."), code="no-id"
            )
        progress.record("post_urn", urn)
        progress.record("published_at", self.now().isoformat())
        return self._published(progress)

    def post_body(self, creds: Credentials, content: Content) -> dict[str, Any]:
        author = author_of(creds)
        visibility = str(content.options.get("visibility") or "PUBLIC")
        if author.startswith(auth.ORGANIZATION) or visibility not in VISIBILITIES:
            visibility = "PUBLIC"  # a Page has no connections
        return {
            "author": author,
            "commentary": commentary(post_text(content)),
            "visibility": visibility,
            "distribution": DISTRIBUTION,
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }

    def _attachment(
        self, api: LinkedInAPI, author: str, content: Content, progress: Progress
    ) -> dict[str, Any] | None:
        title = str(content.options.get("title") or "").strip()
        videos = [m for m in content.media if m.kind == "video"]
        images = [m for m in content.media if m.kind == "image"]
        if videos:
            budget = Budget(self.media_wait, self.poll_interval, self.sleep)
            media: dict[str, Any] = {"id": video_urn(api, author, videos[0], progress, budget)}
            if title:
                media["title"] = title
            return {"media": media}
        shown = []
        for index, item in enumerate(images):
            entry = {"id": image_urn(api, author, item, index, progress)}
            if item.alt_text:
                entry["altText"] = item.alt_text
            shown.append(entry)
        if len(shown) == 1:
            return {"media": shown[0]}
        if shown:
            return {"multiImage": {"images": shown}}
        if content.link:
            return {"article": {"source": content.link, "title": title or content.link}}
        return None

    def _published(self, progress: Progress) -> Published:
        urn = str(progress.get("post_urn"))
        try:
            made = datetime.fromisoformat(str(progress.get("published_at")))
        except ValueError:
            made = self.now()
        return Published(urn, post_url(urn), made)

    # --- Finding a post whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        if progress.get("post_urn"):
            return self._published(progress)
        try:
            since = datetime.fromisoformat(str(progress.get("started_at")))
        except ValueError:
            since = None
        post = find_post(self._api(creds), author_of(creds), post_text(content), since)
        if post is None or not post.get("id"):
            return None
        progress.record("post_urn", str(post["id"]))
        progress.record("published_at", (created(post) or self.now()).isoformat())
        return self._published(progress)

    # --- The inbox (linkedin_inbox.py) ---

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        return inbox.fetch(self._api(creds), creds, since, posts)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        return inbox.reply(self._api(creds), creds, target, text, progress)

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        """The default lookup, under the comment the answer was posted to: for a
        reply, LinkedIn's one level of nesting puts it under the top-level comment."""
        found = inbox.answered(progress)
        if found is not None:
            return found
        parent = replace(target, external_id=inbox.under(target))
        return super().find_reply(creds, parent, text, key, progress)

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        inbox.delete(self._api(creds), creds, target, action)

    # --- Analytics (linkedin_metrics.py) ---

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        return stats.fetch(self._api(creds), creds, external_ids)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        return stats.followers(self._api(creds), creds)

    # --- Tokens and connecting ---

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        return auth.refresh(self.session, self.config, self.oauth_url, self.now, creds)

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        return auth.authorization(self.config, self.oauth_url, redirect_uri, state)

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        return auth.connect(
            self.session, self.config, self._client, self.oauth_url, self.now, code, redirect_uri
        )

    def _api(self, creds: Credentials) -> LinkedInAPI:
        token = str(creds.secrets.get("access_token") or "")
        if not token:
            raise AuthExpired(words("This LinkedIn account has no access token; reconnect it."))
        return self._client(token, *(str(v) for v in creds.secrets.values()))

    def _client(self, token: str, *hidden: str) -> LinkedInAPI:
        secret = str(self.config.get("client_secret") or "")
        return LinkedInAPI(
            self.session, self.api_url, self.version, token, now=self.now, hidden=(*hidden, secret)
        )


def author_of(creds: Credentials) -> str:
    author = creds.external_id
    if not author.startswith((auth.PERSON, auth.ORGANIZATION)):
        raise Permanent(
            words("This LinkedIn account is not a member or a Page; reconnect it."), code="author"
        )
    return author


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"
