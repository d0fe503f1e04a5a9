"""Threads profiles (platforms.md §4).

Publishing works like Instagram's: a container per post (text, an image, a
video, or a carousel of 2 to 20), waited on until Threads has processed it,
then threads_publish. A thread (Content.thread) is a chain of replies, each
container naming the post before it in `reply_to_id`. Progress keeps every
published post's id and the container of the next one, so a retry publishes
that same container instead of making a second post.

Modules: threads_api (HTTP and errors), threads_auth (OAuth and refresh),
threads_containers (containers, polling, quota), threads_lookup (finding a
post whose answer was lost).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from typing_extensions import override

from channels import text as text_rules
from channels.adapters import metrics as m
from channels.adapters import threads_auth, threads_inbox, threads_metrics
from channels.adapters.base import (
    Adapter,
    Authorization,
    CannotTell,
    Connection,
    Content,
    Credentials,
    Limits,
    MediaItem,
    Problem,
    Progress,
    Published,
    Transient,
    Unknown,
)
from channels.adapters.engagement import (
    COMMENT,
    MENTION,
    REPLY,
    Engagement,
    EngagementSupport,
    PostRef,
)
from channels.adapters.graph import Call, access_token, created_id, mark_start, not_before
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.polling import Budget
from channels.adapters.threads_api import NETWORK, ThreadsAPI, utc_now
from channels.adapters.threads_containers import (
    check_quota,
    container_for,
    create,
    status_of,
    wait,
)
from channels.adapters.threads_lookup import find_post, published
from channels.words import words

MAX_TEXT = 500
MAX_ITEMS = 20  # a carousel takes 2 to 20 items (§4; older docs said 10)


class ThreadsAdapter(Adapter):
    network: ClassVar[str] = "threads"
    renews_with: ClassVar[str | None] = ""
    display_name: ClassVar[str] = "Threads"
    limits: ClassVar[Limits] = Limits(
        max_text=MAX_TEXT,
        counting=text_rules.THREADS,
        max_images=MAX_ITEMS,
        max_videos=MAX_ITEMS,
        mix_images_and_video=True,  # carousels mix them
        threads=True,
        max_image_bytes=8 * 1024 * 1024,
        image_types=frozenset({"image/jpeg", "image/png"}),
        # 1 GB and 5 minutes are third-party figures (§4, unconfirmed).
        max_video_bytes=1024 * 1024 * 1024,
        video_types=frozenset({"video/mp4", "video/quicktime"}),
        max_video_seconds=300,
        # 250 posts per rolling 24 hours; threads_publishing_limit is read too.
        posts_per_window=250,
        window=timedelta(hours=24),
    )
    supports_lookup: ClassVar[bool] = True
    required_config: ClassVar[tuple[str, ...]] = ("app_id", "app_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("THREADS_APP_ID", "THREADS_APP_SECRET")
    # Long-lived tokens last 60 days and cannot be refreshed once expired:
    # refresh a week ahead, so a few failed days still leave time.
    refresh_margin: ClassVar[timedelta | None] = timedelta(days=7)
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        fetches=frozenset({COMMENT, REPLY, MENTION}),
        replies_to=frozenset({COMMENT, REPLY, MENTION}),
        hides=frozenset({COMMENT}),
        deletes=frozenset({COMMENT, REPLY}),  # the account's own only
        deletes_others=False,
        note=words(
            "Threads has no private messages in its API, hides only replies to the post "
            "itself (their answers with them), and lets SMO delete only the account's own "
            "replies."
        ),
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        figures=frozenset({m.IMPRESSIONS, m.LIKES, m.COMMENTS, m.SHARES}),
        followers=True,
        interval=timedelta(hours=1),
        note=words(
            "Threads counts views but not reach, and gives no saves, video views or link "
            "clicks; reposts, quotes and shares count as shares. Accounts connected before "
            "SMO asked for insights must reconnect."
        ),
    )

    @property
    def now(self) -> Callable[[], datetime]:
        return self.config.get("now") or utc_now

    def api(self, creds: Credentials) -> ThreadsAPI:
        token = access_token(creds, self.display_name)
        secret = str(self.config.get("app_secret") or "")
        return ThreadsAPI(
            self.session,
            str(self.config.get("api_url") or ""),
            token,
            now=self.now,
            hidden=(secret,),
        )

    # --- Validation -----------------------------------------------------------------

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(replace(content, text=post_text(content), link=""))
        for number, reply in enumerate(content.thread, start=2):
            length = text_rules.count(reply, self.limits.counting)
            if length > self.limits.max_text:
                message = words(
                    "Threads allows %(limit)s characters per post; post %(number)s of the "
                    "thread has %(length)s.",
                    limit=self.limits.max_text,
                    number=number,
                    length=length,
                )
                problems.append(Problem("thread", message, "too_long"))
            elif not reply.strip():
                message = words("Post %(number)s of the thread is empty.", number=number)
                problems.append(Problem("thread", message, "empty"))
        return problems

    @override
    def text_length(self, content: Content) -> int:
        return text_rules.count(post_text(content), self.limits.counting)

    @override
    def _media_problems(self, media: tuple[MediaItem, ...]) -> list[Problem]:
        problems = super()._media_problems(media)
        if len(media) > MAX_ITEMS:
            problems.append(
                Problem(
                    "media",
                    words(
                        "A Threads carousel takes 2 to %(most)s items; this post has %(count)s.",
                        most=MAX_ITEMS,
                        count=len(media),
                    ),
                    "too_many",
                )
            )
        return problems

    # --- Publishing -----------------------------------------------------------------

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        api = self.api(creds)
        mark_start(progress, self.now())
        texts = post_texts(content)
        done: list[str] = [str(i) for i in progress.get("post_ids") or []]
        budget = Budget(
            float(self.config.get("container_wait_seconds", 60)),
            float(self.config.get("poll_interval_seconds", 5)),
            self.config.get("sleep") or time.sleep,
        )
        quota_checked = False
        for step in range(len(done), len(texts)):
            media = content.media if step == 0 else ()
            reply_to = done[-1] if done else ""
            container = self._ready_container(
                api, creds, step, texts[step], media, reply_to, progress, budget
            )
            if isinstance(container, Published):  # published by an earlier attempt
                done.append(container.external_id)
            else:
                if not quota_checked:
                    check_quota(api, creds.external_id, posts=step == 0, replies=len(texts) > 1)
                    quota_checked = True
                answer = api.post(
                    f"{creds.external_id}/threads_publish", Call.CREATE, creation_id=container
                )
                done.append(created_id(answer, NETWORK))
            progress.record("post_ids", list(done))
        return published(api, done[0], creds.handle)

    def _ready_container(
        self,
        api: ThreadsAPI,
        creds: Credentials,
        step: int,
        text: str,
        media: tuple[MediaItem, ...],
        reply_to: str,
        progress: Progress,
        budget: Budget,
    ) -> str | Published:
        """Return the finished container for post `step`, made now or by an earlier
        attempt, or the post itself when that container was already published."""
        user_id = creds.external_id
        for _ in range(2):  # one fresh container after an expired one
            container = container_for(progress, step) or create(
                api, user_id, step, text, media, reply_to, progress, budget
            )
            status = wait(api, container, budget)
            if status == "FINISHED":
                return container
            if status == "PUBLISHED":
                found = find_post(
                    api, user_id, text, reply_to=reply_to, not_before=not_before(progress)
                )
                if found is None:
                    raise Unknown(
                        words("Threads says this post was published but it is not listed yet."),
                        code="published",
                    )
                return Published(str(found["id"]), "", self.now())
            # EXPIRED: not published within 24 hours. Children expire with it.
            progress.record("container", None)
            if step == 0:
                progress.record("children", [])
        raise Transient(words("Threads let two containers for this post expire; trying again."))

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        api = self.api(creds)
        texts = post_texts(content)
        done: list[str] = [str(i) for i in progress.get("post_ids") or []]
        first: dict[str, Any] | None = None
        for step in range(len(done), len(texts)):
            container = container_for(progress, step)
            if container and status_of(api, container) != "PUBLISHED":
                return None  # that container is not out: publish resumes with it
            reply_to = done[-1] if done else ""
            if not texts[step].strip() and not_before(progress) is None:
                # A post of media alone, with no time to start from, looks like
                # any other such post on the account.
                raise CannotTell(
                    words("A Threads post without text cannot be told from the account's others.")
                )
            found = find_post(
                api,
                creds.external_id,
                texts[step],
                reply_to=reply_to,
                not_before=not_before(progress),
            )
            if found is None:
                if container:  # PUBLISHED yet not listed: ask again later
                    raise Unknown(
                        words("Threads says this post was published but it is not listed yet."),
                        code="published",
                    )
                return None
            done.append(str(found["id"]))
            first = first or (found if step == 0 else None)
            progress.record("post_ids", list(done))
        if not done:
            return None
        return published(api, done[0], creds.handle, first)

    # --- The inbox (threads_inbox.py) ------------------------------------------------

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        return threads_inbox.fetch(self.api(creds), creds, since, posts)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        """Publish `text` as a reply to `target`: a container with reply_to_id, then
        threads_publish, with the container kept in progress as in publish()."""
        api = self.api(creds)
        mark_start(progress, self.now())
        done = [str(i) for i in progress.get("post_ids") or []]
        if not done:
            budget = Budget(
                float(self.config.get("container_wait_seconds", 60)),
                float(self.config.get("poll_interval_seconds", 5)),
                self.config.get("sleep") or time.sleep,
            )
            container = self._ready_container(
                api, creds, 0, text, (), target.external_id, progress, budget
            )
            if isinstance(container, Published):
                done = [container.external_id]
            else:
                check_quota(api, creds.external_id, posts=False, replies=True)
                answer = api.post(
                    f"{creds.external_id}/threads_publish", Call.CREATE, creation_id=container
                )
                done = [created_id(answer, NETWORK)]
            progress.record("post_ids", done)
        return published(api, done[0], creds.handle)

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        """Ask the answer's container first: FINISHED or EXPIRED means certainly not
        published (reply() then publishes that same container); PUBLISHED, or no
        container, means looking among the account's replies to `target`."""
        api = self.api(creds)
        done = [str(i) for i in progress.get("post_ids") or []]
        if done:
            return published(api, done[0], creds.handle)
        container = container_for(progress, 0)
        if container and status_of(api, container) != "PUBLISHED":
            return None
        found = find_post(
            api,
            creds.external_id,
            text,
            reply_to=target.external_id,
            not_before=not_before(progress),
        )
        if found is None:
            if container:
                raise Unknown(
                    words("Threads says this reply was published but it is not listed yet."),
                    code="published",
                )
            return None
        progress.record("post_ids", [str(found["id"])])
        return published(api, str(found["id"]), creds.handle, found)

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        threads_inbox.moderate(self.api(creds), target, action)

    # --- Analytics (threads_metrics.py) ----------------------------------------------

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        return threads_metrics.fetch(self.api(creds), external_ids)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        return threads_metrics.followers(self.api(creds), creds.external_id)

    # --- Tokens and connecting ------------------------------------------------------

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        return threads_auth.refresh(self.session, self.config, self.now, creds)

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        return threads_auth.authorization(self.config, redirect_uri, state)

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        return threads_auth.connect(self.session, self.config, self.now, code, redirect_uri)


def post_text(content: Content) -> str:
    """The first post's text: Threads has no link field, so the link ends the text."""
    return "\n\n".join(part for part in (content.text, content.link) if part)


def post_texts(content: Content) -> list[str]:
    return [post_text(content), *content.thread]
