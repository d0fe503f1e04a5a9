"""X (Twitter) API v2: OAuth 2.0 with PKCE, posts, threads and media (platforms.md §1, §14).

Posts go through tweepy's Client with the user's OAuth 2 token as a bearer token.
tweepy has no v2 media upload and no token refresh, so those calls are made here,
on the same session. X has no idempotency key: each confirmed step is recorded in
`Progress` at once, and `find_published` looks a lost post up in the account's
recent posts.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import requests
import tweepy
from typing_extensions import override

from channels import text as text_rules
from channels.adapters import metrics as m
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
    Problem,
    Progress,
    Published,
    RateLimited,
    Transient,
    Unknown,
    scrub,
)
from channels.adapters.engagement import (
    COMMENT,
    MENTION,
    MESSAGE,
    REPLY,
    Engagement,
    EngagementSupport,
    PostRef,
)
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.session import nothing_sent
from channels.words import Words, whole, words

API_URL = "https://api.x.com"
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
# tweepy 4.17.0 hard-codes api.twitter.com (platforms.md §14); all are routed to api_url.
TWEEPY_HOSTS = ("https://api.twitter.com", "https://api.x.com", "https://upload.twitter.com")
# dm.read/dm.write for the inbox's direct messages, tweet.moderate.write to hide replies.
SCOPES = (
    "tweet.read tweet.write users.read media.write offline.access "
    "dm.read dm.write tweet.moderate.write"
)
MB = 1024 * 1024
MAX_GIF_BYTES = 15 * MB  # animated GIFs; other images 5 MB (platforms.md §1)
MAX_ALT_TEXT = 1000  # CreateMediaMetadataMetadataAltText.maxLength in X's OpenAPI
WINDOW = timedelta(minutes=15)
TIMELINE_FIELDS = ["created_at", "conversation_id", "referenced_tweets", "in_reply_to_user_id"]


@dataclass(frozen=True)
class XProblem:
    """An X error body: v2 problem JSON, OAuth errors, or v1.1 `errors` lists (platforms.md §1)."""

    type: str = ""
    detail: str = ""
    messages: tuple[str, ...] = ()
    period: str = ""

    @classmethod
    def parse(cls, body: Any) -> XProblem:
        if not isinstance(body, dict):
            return cls()
        errors = body.get("errors") if isinstance(body.get("errors"), list) else []
        messages = [
            str(e.get("message")) for e in errors if isinstance(e, dict) and e.get("message")
        ]
        if body.get("error_description") or body.get("error"):  # the OAuth token endpoint
            messages.append(str(body.get("error_description") or body.get("error")))
        return cls(
            type=str(body.get("type") or ""),
            detail=str(body.get("detail") or body.get("title") or ""),
            messages=tuple(messages),
            period=str(body.get("period") or ""),
        )

    @property
    def text(self) -> str:
        # A 400's `detail` only says "One or more parameters ... invalid"; the messages say which.
        return "; ".join(self.messages) or self.detail


class XAdapter(Adapter):
    network: ClassVar[str] = "x"
    rejects_duplicates: ClassVar[bool] = True  # platforms.md, duplicate errors
    renews_with: ClassVar[str | None] = "refresh_token"
    display_name: ClassVar[str] = "X"
    limits: ClassVar[Limits] = Limits(
        max_text=280,
        counting=text_rules.X_WEIGHTED,
        max_images=4,
        max_videos=1,
        threads=True,
        first_comment=True,
        max_image_bytes=5 * MB,
        max_video_bytes=512 * MB,
        image_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        video_types=frozenset({"video/mp4", "video/quicktime"}),
        posts_per_window=100,  # POST /2/tweets per user (platforms.md §1)
        window=WINDOW,
    )
    supports_lookup: ClassVar[bool] = True
    required_config: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("X_CLIENT_ID", "X_CLIENT_SECRET")
    chunk_bytes: int = 4 * MB  # per append; X takes up to 5 MB (platforms.md §1)
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        fetches=frozenset({COMMENT, REPLY, MENTION, MESSAGE}),
        replies_to=frozenset({COMMENT, REPLY, MENTION, MESSAGE}),
        hides=frozenset({COMMENT, REPLY}),  # only under the account's own posts
        deletes=frozenset({COMMENT, REPLY, MENTION}),  # only the account's own
        deletes_others=False,
        # X bills every post read (pay-per-usage, platforms.md §1) and counts
        # reads per 15-minute window: each account is read four times an hour.
        interval=timedelta(minutes=15),
        note=words(
            "X hides replies only under the account's own posts, deletes only the "
            "account's own posts, and reads direct messages only for accounts "
            "connected with direct message access."
        ),
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        figures=frozenset({m.IMPRESSIONS, m.LIKES, m.COMMENTS, m.SHARES, m.SAVES, m.LINK_CLICKS}),
        followers=True,
        # Every post read is billed, and each account's lookups share X's
        # 15-minute windows with its inbox: figures are read every six hours.
        interval=timedelta(hours=6),
        note=words(
            "X gives link clicks only to the post's author for 30 days after posting, "
            "and no reach or video views."
        ),
    )

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.api_url = str(config.get("api_url") or API_URL).rstrip("/")
        self.authorize_url = str(config.get("authorize_url") or AUTHORIZE_URL)
        self.sleep: Callable[[float], None] = config.get("sleep") or time.sleep
        self.media_wait = float(config.get("media_wait_seconds", 60))
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))
        route = getattr(session, "route", None)
        if route is not None:
            for host in TWEEPY_HOSTS:
                route(host, self.api_url)
        elif self.api_url != API_URL:
            raise TypeError("XAdapter needs an OutboundSession to reach another api_url")

    # --- Checking ---

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = []
        first = post_text(content)
        if not first.strip() and not content.media:
            problems.append(Problem("text", words("X needs text or media."), "empty"))
        problems += self._too_long("text", words("this text"), first)
        for number, part in enumerate(content.thread, start=2):
            if not part.strip():
                empty = words("Post %(number)s of the thread is empty.", number=number)
                problems.append(Problem("thread", empty, "empty"))
            what = words("post %(number)s of the thread", number=number)
            problems += self._too_long("thread", what, part)
        if content.first_comment:
            what = words("the first comment")
            problems += self._too_long("first_comment", what, content.first_comment)
        return problems + media_problems(content.media)

    @override
    def text_length(self, content: Content) -> int:
        return text_rules.count(post_text(content), text_rules.X_WEIGHTED)

    @override
    def posts_used(self, content: Content) -> int:
        # The first comment is a reply: one more post against X's limit.
        return 1 + len(content.thread) + (1 if content.first_comment else 0)

    def _too_long(self, field: str, what: Words, text: str) -> list[Problem]:
        length = text_rules.count(text, text_rules.X_WEIGHTED)
        if length <= self.limits.max_text:
            return []
        message = words(
            "X allows %(limit)s characters per post; %(what)s has %(length)s.",
            limit=self.limits.max_text,
            what=what,
            length=length,
        )
        return [Problem(field, message, "too_long")]

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        client = self._client(creds)
        parts = thread_texts(content)
        post_ids: list[str] = list(progress.get("post_ids") or [])
        media_ids = [] if post_ids else self._media(creds, content.media, progress)
        for index in range(len(post_ids), len(parts)):
            reply_to = post_ids[-1] if post_ids else None
            post_ids.append(self._create(client, creds, parts[index], media_ids, reply_to))
            progress.record("post_ids", list(post_ids))
            if index == 0:
                progress.record("published_at", self.now().isoformat())
            media_ids = []
        if content.first_comment and not progress.get("first_comment_id"):
            comment = _lf(content.first_comment)
            comment_id = self._create(client, creds, comment, [], post_ids[0])
            progress.record("first_comment_id", comment_id)
        return self._published(creds, post_ids[0], progress)

    def _create(
        self,
        client: tweepy.Client,
        creds: Credentials,
        text: str,
        media_ids: list[str],
        reply_to: str | None,
    ) -> str:
        # user_auth=False sends the OAuth 2 user token as a bearer (platforms.md §14).
        args: dict[str, Any] = {"text": text, "user_auth": False}
        if media_ids:
            args["media_ids"] = media_ids
        if reply_to:
            args["in_reply_to_tweet_id"] = reply_to
        response = self._call(creds, lambda: client.create_tweet(**args), creating=True)
        post_id = (response.data or {}).get("id")
        if not post_id:
            raise Unknown("X accepted the post but sent back no id.", status=201)
        return str(post_id)

    def _published(self, creds: Credentials, post_id: str, progress: Progress) -> Published:
        when = progress.get("published_at")
        published_at = datetime.fromisoformat(when) if when else self.now()
        return Published(post_id, post_url(creds.handle, post_id), published_at)

    # --- Media (v2 chunked upload; platforms.md §1) ---

    def _media(
        self, creds: Credentials, media: Sequence[MediaItem], progress: Progress
    ) -> list[str]:
        ids: list[str] = list(progress.get("media_ids") or [])
        # Uploads recorded by an earlier attempt may still be processing: ask first.
        processing = {
            media_id: {"state": "pending", "check_after_secs": 0}
            for item, media_id in zip(media, ids, strict=False)
            if media_category(item) != "tweet_image"
        }
        for item in media[len(ids) :]:
            media_id, info = self._upload(creds, item)
            ids.append(media_id)
            progress.record("media_ids", list(ids))
            if info:
                processing[media_id] = info
        budget = self.media_wait
        for media_id, info in processing.items():
            budget = self._await_processing(creds, media_id, info, budget)
        for item, media_id in zip(media, ids, strict=False):
            if item.alt_text:
                metadata = {"alt_text": {"text": item.alt_text}}
                self._send(
                    creds, "POST", "/2/media/metadata", json={"id": media_id, "metadata": metadata}
                )
        return ids

    def _upload(self, creds: Credentials, item: MediaItem) -> tuple[str, dict[str, Any] | None]:
        try:
            data = Path(item.path).read_bytes()
        except OSError:
            unreadable = words(
                "The media file %(name)s could not be read.", name=Path(item.path).name
            )
            raise Permanent(unreadable) from None
        start = {
            "media_type": item.mime_type,
            "total_bytes": len(data),
            "media_category": media_category(item),
        }
        media_id = str(self._send(creds, "POST", "/2/media/upload/initialize", json=start)["id"])
        for index, offset in enumerate(range(0, len(data), self.chunk_bytes)):
            chunk = data[offset : offset + self.chunk_bytes]
            self._send(
                creds,
                "POST",
                f"/2/media/upload/{media_id}/append",
                files={"media": ("media", chunk, "application/octet-stream")},
                data={"segment_index": str(index)},
            )
        final = self._send(creds, "POST", f"/2/media/upload/{media_id}/finalize")
        info = final.get("processing_info")
        return media_id, info if isinstance(info, dict) else None

    def _await_processing(
        self, creds: Credentials, media_id: str, info: dict[str, Any], budget: float
    ) -> float:
        """Poll until X has processed the upload, as its `check_after_secs` asks; return the
        seconds left of the wait budget. This is the only place the adapter sleeps."""
        while info.get("state") in ("pending", "in_progress"):
            delay = max(0.0, float(info.get("check_after_secs") or 0))
            if delay > budget:
                raise Transient(
                    words(
                        "X was still processing the media after %(seconds)s seconds; "
                        "nothing was posted.",
                        seconds=whole(self.media_wait),
                    ),
                    code="processing",
                )
            if delay:
                self.sleep(delay)
                budget -= delay
            query = {"command": "STATUS", "media_id": media_id}
            info = (
                self._send(creds, "GET", "/2/media/upload", params=query).get("processing_info")
                or {}
            )
        if info.get("state") == "failed":
            reason = (info.get("error") or {}).get("message") or words(
                "the file may be damaged or unsupported"
            )
            raise Permanent(
                words("X could not process the media: %(reason)s.", reason=reason),
                code="processing_failed",
            )
        return budget

    # --- Finding a post whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        client = self._client(creds)
        response = self._call(
            creds,
            lambda: client.get_users_tweets(
                creds.external_id, max_results=100, tweet_fields=TIMELINE_FIELDS, user_auth=False
            ),
            creating=False,
        )
        recent: list[tweepy.Tweet] = list(response.data or [])
        parts = thread_texts(content)
        known: list[str] = list(progress.get("post_ids") or [])
        found = find_thread(recent, parts, known)
        if len(found) > len(known):
            progress.record("post_ids", found)
        if not found:
            return None
        root = next((p for p in recent if str(p.id) == found[0]), None)
        if not progress.get("published_at") and root is not None and root.created_at:
            progress.record("published_at", root.created_at.isoformat())
        if len(found) < len(parts):
            return None
        if content.first_comment and not progress.get("first_comment_id"):
            comment = find_reply(recent, found[0], _lf(content.first_comment))
            if comment is None:
                return None
            progress.record("first_comment_id", comment)
        return self._published(creds, found[0], progress)

    # --- The inbox (x_inbox imports this module, so it is imported here on use) ---

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        from channels.adapters import x_inbox

        return x_inbox.fetch(self, creds, since, posts)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        from channels.adapters import x_inbox

        return x_inbox.reply(self, creds, target, text, progress)

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        from channels.adapters import x_inbox

        return x_inbox.find_reply(self, creds, target, text)

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        from channels.adapters import x_inbox

        x_inbox.moderate(self, creds, target, action)

    # --- Analytics (x_metrics imports this module, so it is imported here on use) ---

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        from channels.adapters import x_metrics

        return x_metrics.fetch(self, creds, external_ids)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        from channels.adapters import x_metrics

        return x_metrics.followers(self, creds)

    # --- Tokens ---

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        old = creds.secrets.get("refresh_token", "")
        if not old:
            raise AuthExpired(words("This X account has no refresh token; reconnect it."))
        tokens = self._token_request({"grant_type": "refresh_token", "refresh_token": old}, [old])
        # Assume rotation: the old refresh token may be dead now (platforms.md §1).
        return Credentials(
            creds.external_id,
            creds.handle,
            {
                "access_token": tokens["access_token"],
                "refresh_token": tokens.get("refresh_token") or old,
            },
            expires_at=self._expiry(tokens),
            options=creds.options,
        )

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        verifier = secrets.token_urlsafe(64)  # 86 characters; RFC 7636 allows 43-128
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        query = {
            "response_type": "code",
            "client_id": self.config["client_id"],
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return Authorization(f"{self.authorize_url}?{urlencode(query, quote_via=quote)}", verifier)

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        tokens = self._token_request(form, [code, verifier])
        secrets_ = {
            "access_token": tokens["access_token"],
            "refresh_token": tokens.get("refresh_token", ""),
        }
        creds = Credentials("", secrets=secrets_)
        client = self._client(creds)
        fields = ["profile_image_url", "username", "name"]
        me = self._call(creds, lambda: client.get_me(user_fields=fields, user_auth=False)).data
        creds = Credentials(str(me.id), me.username, secrets_, expires_at=self._expiry(tokens))
        name = me.name or f"@{me.username}"
        return [Connection(self.network, creds, name, me.profile_image_url or "")]

    def _token_request(self, form: dict[str, str], hidden: Iterable[str]) -> dict[str, Any]:
        """POST to X's token endpoint as a confidential client (HTTP Basic; platforms.md §1)."""
        refreshing = form["grant_type"] == "refresh_token"
        auth = (str(self.config["client_id"]), str(self.config["client_secret"]))
        try:
            response = self.session.post(f"{self.api_url}/2/oauth2/token", data=form, auth=auth)
        except requests.RequestException as error:
            # Transient either way, though a refresh X did receive has spent the old token.
            name = type(error).__name__
            if nothing_sent(error):
                raise Transient(
                    words("Could not reach X's token endpoint (%(error)s).", error=name)
                ) from None
            raise Transient(
                words("No answer from X's token endpoint (%(error)s).", error=name)
            ) from None
        if response.ok:
            tokens = _json(response)
            if isinstance(tokens, dict) and tokens.get("access_token"):
                return tokens
        elif response.status_code not in (400, 401, 403):
            what = words("X's token endpoint")
            raise self._error(response, what, creating=False, hidden=hidden)
        reason = scrub(XProblem.parse(_json(response)).text or response.reason, hidden)
        if refreshing:
            message = words(
                "X would not refresh the token (%(reason)s); reconnect the account.", reason=reason
            )
            raise AuthExpired(message, status=response.status_code)
        raise Permanent(
            words(
                "X did not accept the sign-in (%(reason)s); try connecting again.", reason=reason
            ),
            status=response.status_code,
        )

    def _expiry(self, tokens: dict[str, Any]) -> datetime:
        return self.now() + timedelta(seconds=int(tokens.get("expires_in") or 7200))

    # --- HTTP ---

    def _client(self, creds: Credentials) -> tweepy.Client:
        # wait_on_rate_limit=False: never sleep inside a worker (STYLE.md §3).
        client = tweepy.Client(bearer_token=access_token(creds), wait_on_rate_limit=False)
        client.session = self.session
        client.user_agent = str(self.session.headers.get("User-Agent") or client.user_agent)
        return client

    def _call(self, creds: Credentials, call: Callable[[], Any], *, creating: bool = False) -> Any:
        try:
            return call()
        except tweepy.HTTPException as error:
            what = words("the post") if creating else words("the request")
            raise self._error(
                error.response, what, creating=creating, hidden=creds.secrets.values()
            ) from None
        except requests.RequestException as error:
            raise _lost(error, creating=creating) from None

    def _send(self, creds: Credentials, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Call an endpoint tweepy lacks; return the response's `data`."""
        headers = {"Authorization": f"Bearer {access_token(creds)}"}
        try:
            response = self.session.request(method, self.api_url + path, headers=headers, **kwargs)
        except requests.RequestException as error:
            raise _lost(error, creating=False) from None
        if not response.ok:
            raise self._error(
                response, words("the media upload"), creating=False, hidden=creds.secrets.values()
            )
        body = _json(response)
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}

    def _error(
        self, response: requests.Response, what: Words, *, creating: bool, hidden: Iterable[str]
    ) -> AdapterError:
        """Map an X error response to the error taxonomy (platforms.md §1, STYLE.md §3)."""
        status = response.status_code
        problem = XProblem.parse(_json(response))
        reason = scrub(problem.text or f"{status} {response.reason}", hidden)
        if status == 429 and problem.type.endswith("/usage-capped"):
            # The pay-per-use cap: no reset time is sent, and the 15-minute headers say
            # nothing about it, so waiting for them would only hit it again.
            message = words(
                "This X app has used up its usage cap; raise the plan or wait for "
                "the cap to reset, then schedule the post again."
            )
            if problem.period:
                message = words(
                    "This X app has used up its usage cap (%(period)s); raise the plan or wait "
                    "for the cap to reset, then schedule the post again.",
                    period=problem.period.lower(),
                )
            return Permanent(message, status=status, code="usage-capped")
        if status == 429:
            retry_at = retry_time(response.headers, self.now())
            message = words("X's rate limit was reached: %(reason)s", reason=reason)
            return RateLimited(message, retry_at, status=status)
        if status == 401:
            message = words("X did not accept the account's token: %(reason)s", reason=reason)
            return AuthExpired(message, status=status)
        if status >= 500 and creating:
            return Unknown(
                words(
                    "X answered %(status)s while creating the post; it may exist.", status=status
                ),
                status=status,
            )
        if status >= 500:
            return Transient(
                words(
                    "X had a temporary problem with %(what)s (%(status)s): %(reason)s",
                    what=what,
                    status=status,
                    reason=reason,
                ),
                status=status,
            )
        if status == 403 and "duplicate" in reason.lower():
            return Permanent(
                words("X refused a duplicate post: %(reason)s", reason=reason),
                duplicate=True,
                status=status,
                code="duplicate",
            )
        return Permanent(
            words("X refused %(what)s: %(reason)s", what=what, reason=reason), status=status
        )


# --- Plain functions ---------------------------------------------------------------


def thread_texts(content: Content) -> list[str]:
    """Return the texts of the posts in order: the first post, then the thread."""
    return [post_text(content), *(_lf(part) for part in content.thread)]


def post_text(content: Content) -> str:
    """Return the first post's text: X has no link field, so the link goes at the end."""
    text = _lf(content.text)
    # Not a substring test: a link to the home page is not "in" a text that
    # links to one of its pages.
    if not content.link or content.link in {text[s:e] for s, e in text_rules.url_spans(text)}:
        return text
    return f"{text.rstrip()} {content.link}" if text.strip() else content.link


def access_token(creds: Credentials) -> str:
    token = creds.secrets.get("access_token")
    if not token:
        raise AuthExpired("This X account has no access token; reconnect it.")
    return token


def post_url(handle: str, post_id: str) -> str:
    if handle:
        return f"https://x.com/{handle}/status/{post_id}"
    return f"https://x.com/i/web/status/{post_id}"


def media_category(item: MediaItem) -> str:
    if item.kind == "video":
        return "tweet_video"
    # A GIF is treated as animated: X cannot mix those with other media (platforms.md §1).
    return "tweet_gif" if item.mime_type == "image/gif" else "tweet_image"


def media_problems(media: Sequence[MediaItem]) -> list[Problem]:
    """Check X's media rules: 4 images, or 1 GIF, or 1 video per post (platforms.md §1)."""
    categories = [media_category(m) for m in media]
    images, most = categories.count("tweet_image"), XAdapter.limits.max_images
    messages: list[Words] = []
    if images > most:
        messages.append(
            words(
                "X allows %(most)s images per post; this post has %(count)s.",
                most=most,
                count=images,
            )
        )
    if "tweet_gif" in categories and len(media) > 1:
        messages.append(
            words(
                "X takes one GIF per post, with no other media; this post has %(count)s files.",
                count=len(media),
            )
        )
    if "tweet_video" in categories and len(media) > 1:
        messages.append(
            words(
                "X takes one video per post, with no other media; this post has %(count)s files.",
                count=len(media),
            )
        )
    messages += [m for n, item in enumerate(media, start=1) if (m := _file_problem(n, item))]
    return [Problem("media", message) for message in messages]


def _file_problem(number: int, item: MediaItem) -> Words | None:
    limits = XAdapter.limits
    category = media_category(item)
    types = limits.video_types if item.kind == "video" else limits.image_types
    cap, label = {
        "tweet_video": (limits.max_video_bytes, words("videos")),
        "tweet_gif": (MAX_GIF_BYTES, words("GIFs")),
    }.get(category, (limits.max_image_bytes, words("images")))
    if item.kind not in ("image", "video") or item.mime_type not in types:
        return words(
            "X does not take %(type)s files (file %(number)s).", type=item.mime_type, number=number
        )
    if item.size <= 0:
        return words("File %(number)s is empty.", number=number)
    if item.size > cap:
        return words(
            "X takes %(kind)s up to %(cap)s MB; file %(number)s is %(size)s MB.",
            kind=label,
            cap=cap // MB,
            number=number,
            size=whole(item.size / MB),
        )
    if len(item.alt_text) > MAX_ALT_TEXT:
        return words(
            "X allows alt text up to %(most)s characters; file %(number)s has %(count)s.",
            most=MAX_ALT_TEXT,
            number=number,
            count=len(item.alt_text),
        )
    return None


def retry_time(headers: Any, now: datetime) -> datetime:
    """Return when to try again after a 429: the latest reset among the exhausted limits,
    else the 15-minute window's reset, else a whole window from now (platforms.md §1)."""
    resets = [
        _epoch(headers.get(f"{prefix}-reset"))
        for prefix in ("x-user-limit-24hour", "x-app-limit-24hour")
        if headers.get(f"{prefix}-remaining") == "0"
    ]
    resets = [r for r in resets if r] or [_epoch(headers.get("x-rate-limit-reset"))]
    found = [r for r in resets if r]
    return max(max(found), now) if found else now + WINDOW


def fingerprint(text: str, *, from_x: bool = False) -> str:
    """Return what survives X's rewriting of a post: URLs become t.co links, media adds
    one, and the API returns &, < and > as HTML entities."""
    if from_x:
        text = html.unescape(text)
    text = text_rules.without_urls(unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def _replied_to(post: tweepy.Tweet) -> str | None:
    for reference in post.referenced_tweets or []:
        if reference.type == "replied_to":
            return str(reference.id)
    return None


def find_reply(posts: Sequence[tweepy.Tweet], parent: str, text: str) -> str | None:
    wanted = fingerprint(text)
    for post in posts:
        if _replied_to(post) == parent and fingerprint(post.text, from_x=True) == wanted:
            return str(post.id)
    return None


def find_thread(
    posts: Sequence[tweepy.Tweet], parts: Sequence[str], known: Sequence[str]
) -> list[str]:
    """Return the ids of the thread's posts found in order: a root that replies to
    nothing, then each part replying to the one before. Posts come newest first."""
    found = list(known)
    if not found:
        wanted = fingerprint(parts[0])
        roots = [p for p in posts if _replied_to(p) is None]
        root = next((p for p in roots if fingerprint(p.text, from_x=True) == wanted), None)
        if root is None:
            return []
        found = [str(root.id)]
    for part in parts[len(found) :]:
        reply = find_reply(posts, found[-1], part)
        if reply is None:
            break
        found.append(reply)
    return found


def _lost(error: requests.RequestException, *, creating: bool) -> AdapterError:
    name = type(error).__name__
    if nothing_sent(error):
        return Transient(words("Could not reach X (%(error)s); nothing was sent.", error=name))
    if creating:
        return Unknown(
            words("X did not answer after the post was sent (%(error)s); it may exist.", error=name)
        )
    return Transient(words("X did not answer (%(error)s); nothing was posted.", error=name))


def _lf(text: str) -> str:
    # Browsers send CRLF line breaks; X counts and shows a line break as one character.
    return text.replace("\r\n", "\n")


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _epoch(value: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value or ""), UTC)
    except (ValueError, OverflowError, OSError):
        return None
