"""Reddit: text, link and image posts to a subreddit, through praw (platforms.md §13).

A post goes to one subreddit with a title (both chosen per post in the
composer), an optional flair (named by its text; SMO finds the subreddit's
template) and NSFW/spoiler marks. The post's text is the body; a link with no
image makes a link post (the text as its body), an image an image post (a link
beside an image goes at the end of the body). Reddit has no idempotency key:
links go with resubmit=false, so a second try of the same link answers
ALREADY_SUB (a duplicate, which the engine reconciles), and `find_published`
looks a lost post up in the account's newest submissions. Image posts are
made without praw's websocket wait (`without_websockets`), then found the same
way. Accounts connect with OAuth 2 ("web app", duration=permanent; Reddit takes
no PKCE); access tokens last an hour and refresh() renews them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import praw
import prawcore
import requests
from praw.models import PostMedia
from prawcore.auth import Authorizer, TrustedAuthenticator
from prawcore.requestor import Requestor
from typing_extensions import override

from channels.adapters import reddit_api as api
from channels.adapters.base import (
    Adapter,
    AdapterError,
    AuthExpired,
    Authorization,
    Connection,
    Content,
    Credentials,
    Limits,
    Permanent,
    PostOption,
    Problem,
    Progress,
    Published,
    Unknown,
)
from channels.adapters.engagement import EngagementSupport
from channels.adapters.metrics import MetricsSupport
from channels.words import words

# identity: who signed in; submit: posting; flair: a subreddit's link flairs;
# read: a post by id (/api/info); history: the account's own submissions (lookup).
SCOPES = ("identity", "submit", "flair", "read", "history")
PUBLIC_URL = "https://www.reddit.com"  # where people open posts, whatever host the API is
MB = 1024 * 1024
MAX_TITLE = 300
MAX_FLAIR = 64
# Subreddit names: letters, digits and underscores, 3 to 21 characters ("r/" optional).
SUBREDDIT = re.compile(r"^(?:/?r/)?([A-Za-z0-9][A-Za-z0-9_]{1,20})/?$")
IMAGE_NAMES = {"image/jpeg": "image.jpg", "image/png": "image.png", "image/gif": "image.gif"}
LOOKUP_LIMIT = 100  # the account's newest submissions searched for a lost post
CLOCK_SKEW = timedelta(minutes=10)
THE_POST = words("the Reddit post")


class RedditAdapter(Adapter):
    network: ClassVar[str] = "reddit"
    display_name: ClassVar[str] = "Reddit"
    renews_with: ClassVar[str | None] = "refresh_token"
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        note=words("SMO does not read Reddit comments yet; answer them on Reddit.")
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        note=words("SMO does not read Reddit scores yet.")
    )
    limits: ClassVar[Limits] = Limits(
        max_text=40_000,  # a text post's body
        max_images=1,  # one image per post; galleries are not made here
        max_videos=0,  # Reddit video needs its websocket and a poster image: not offered
        requires_text_or_media=False,  # a title-only or link-only post is fine
        max_image_bytes=20 * MB,
        image_types=frozenset(IMAGE_NAMES),
    )
    supports_lookup: ClassVar[bool] = True
    rejects_duplicates: ClassVar[bool] = True  # ALREADY_SUB for a link posted there before
    required_config: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET")
    post_options: ClassVar[tuple[PostOption, ...]] = (
        PostOption(
            "subreddit",
            words("Subreddit"),
            required=True,
            max_length=23,
            help=words("The community to post in, e.g. r/Baking."),
        ),
        PostOption(
            "title",
            words("Title"),
            required=True,
            max_length=MAX_TITLE,
            help=words("Reddit shows the title first; up to 300 characters."),
        ),
        PostOption(
            "flair",
            words("Flair"),
            max_length=MAX_FLAIR,
            help=words("The flair's text as the subreddit shows it; leave empty for none."),
        ),
        PostOption("nsfw", words("NSFW (18+)"), kind="bool", default=False),
        PostOption("spoiler", words("Spoiler"), kind="bool", default=False),
    )

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return f"RedditAdapter(oauth_url={self.config.get('oauth_url') or api.OAUTH_URL!r})"

    # --- Checking ---

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(content)
        name = content.options.get("subreddit")
        if isinstance(name, str) and name.strip() and not SUBREDDIT.match(name.strip()):
            message = words(
                "%(value)s is not a subreddit name: 3 to 21 letters, digits or underscores.",
                value=name.strip(),
            )
            problems.append(Problem("options.subreddit", message, "invalid"))
        return problems

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        if progress.get("post_id"):
            return self._published(progress)
        name, title = subreddit_of(content), str(content.options.get("title") or "").strip()
        if not name:
            raise Permanent(words("Choose a subreddit for this post."), code="no-subreddit")
        if not title:
            raise Permanent(words("Reddit needs a title for the post."), code="no-title")
        reddit = self._reddit(creds)
        subreddit = reddit.subreddit(name)
        choice = dict(self._flair(subreddit, str(content.options.get("flair") or "").strip()))
        if not progress.get("started_at"):
            progress.record("started_at", self.now().isoformat())
        images = [m for m in content.media if m.kind == "image"]
        body = content.text.replace("\r\n", "\n").strip()
        marks = {
            "nsfw": bool(content.options.get("nsfw")),
            "spoiler": bool(content.options.get("spoiler")),
            **choice,
        }
        if images:
            if content.link:
                body = f"{body}\n\n{content.link}".strip()
            media = PostMedia(images[0].path, name=IMAGE_NAMES.get(images[0].mime_type))
            self._call(
                lambda: subreddit.submit(
                    title, image=media, selftext=body or None, without_websockets=True, **marks
                ),
                creating=True,
            )
            # Reddit names an image post only over its websocket: find it instead.
            # The post exists now, so a failed look-up must never lead to a retry.
            try:
                found = self._look_up(reddit, creds, content, progress)
            except AdapterError as error:
                raise Unknown(
                    words("Reddit took the image post, but SMO could not look it up yet."),
                    status=error.status,
                    code=error.code,
                ) from error
            if found is None:
                raise Unknown(
                    words("Reddit took the image post but does not list it yet."),
                    code="not-listed",
                )
            return found
        if content.link:
            made = self._call(
                lambda: subreddit.submit(
                    title, url=content.link, selftext=body or None, resubmit=False, **marks
                ),
                creating=True,
            )
        else:
            made = self._call(lambda: subreddit.submit(title, selftext=body, **marks), True)
        if made is None or not getattr(made, "id", None):
            raise Unknown(words("Reddit answered without the post's id; it may exist."))
        progress.record("post_id", str(made.id))
        progress.record("published_at", self.now().isoformat())
        progress.record("permalink", self._permalink(reddit, str(made.id)))
        return self._published(progress)

    def _flair(self, subreddit: Any, wanted: str) -> list[tuple[str, str]]:
        """The flair template whose text (or id) is `wanted`, as submit's arguments."""
        if not wanted:
            return []
        choices = self._call(
            lambda: list(subreddit.flair.link_templates.user_selectable()),
            what=words("the subreddit's flairs"),
        )
        for choice in choices:
            texts = {
                str(choice.get("flair_text") or "").casefold(),
                str(choice.get("flair_template_id")),
            }
            if wanted.casefold() in texts:
                return [("flair_id", str(choice["flair_template_id"]))]
        shown = ", ".join(str(c.get("flair_text") or "") for c in choices) or "-"
        raise Permanent(
            words(
                "r/%(subreddit)s has no flair %(flair)s; it has: %(choices)s.",
                subreddit=str(subreddit),
                flair=wanted,
                choices=shown,
            ),
            code="no-flair",
        )

    def _permalink(self, reddit: praw.Reddit, post_id: str) -> str:
        """The post's permalink; the short /comments/<id>/ form if Reddit will not say."""
        try:
            [post] = self._call(lambda: list(reddit.info(fullnames=[f"t3_{post_id}"])))
            return PUBLIC_URL + str(post.permalink)
        except (ValueError, AdapterError):
            return f"{PUBLIC_URL}/comments/{post_id}/"

    def _published(self, progress: Progress) -> Published:
        post_id = str(progress.get("post_id"))
        url = str(progress.get("permalink") or f"{PUBLIC_URL}/comments/{post_id}/")
        made = datetime.fromisoformat(str(progress.get("published_at") or self.now().isoformat()))
        return Published(post_id, url, made)

    # --- Finding a post whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        if progress.get("post_id"):
            return self._published(progress)
        if not subreddit_of(content):
            return None  # publish never got as far as submitting
        return self._look_up(self._reddit(creds), creds, content, progress)

    def _look_up(
        self, reddit: praw.Reddit, creds: Credentials, content: Content, progress: Progress
    ) -> Published | None:
        started = progress.get("started_at")
        # Without a start (a crash before it was stored) the newest posts are searched.
        not_before = (
            (datetime.fromisoformat(str(started)) - CLOCK_SKEW).timestamp() if started else 0.0
        )
        name = subreddit_of(content).casefold()
        title = " ".join(str(content.options.get("title") or "").split())
        image = any(m.kind == "image" for m in content.media)
        posts = self._call(
            lambda: list(reddit.redditor(creds.handle).submissions.new(limit=LOOKUP_LIMIT)),
            what=words("the account's posts"),
        )
        for post in posts:
            data = vars(post)
            if float(data.get("created_utc") or 0) < not_before:
                continue
            if str(data.get("subreddit") or "").casefold() != name:
                continue
            if " ".join(str(data.get("title") or "").split()) != title:
                continue
            if image == bool(data.get("is_self")):
                continue
            if content.link and not image and str(data.get("url") or "") != content.link:
                continue
            made = datetime.fromtimestamp(float(data["created_utc"]), UTC)
            progress.record("post_id", str(post.id))
            progress.record("published_at", made.isoformat())
            progress.record("permalink", PUBLIC_URL + str(data.get("permalink") or ""))
            return self._published(progress)
        return None

    # --- Tokens and connecting ---

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        old = str(creds.secrets.get("refresh_token") or "")
        if not old:
            raise AuthExpired(words("This Reddit account has no refresh token; reconnect it."))
        authorizer = Authorizer(authenticator=self._authenticator(), refresh_token=old)
        self._token(authorizer.refresh, [old])
        secrets_ = {
            "access_token": str(authorizer.access_token),
            "refresh_token": str(authorizer.refresh_token or old),
        }
        return Credentials(
            creds.external_id,
            creds.handle,
            secrets_,
            expires_at=self._expiry(authorizer),
            options=creds.options,
        )

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        authenticator = self._authenticator(redirect_uri)
        url = authenticator.authorize_url(duration="permanent", scopes=list(SCOPES), state=state)
        return Authorization(url)

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        authorizer = Authorizer(authenticator=self._authenticator(redirect_uri))
        self._token(lambda: authorizer.authorize(code), [code])
        if not authorizer.refresh_token:
            raise Permanent(words("Reddit gave no refresh token; connect again."))
        secrets_ = {
            "access_token": str(authorizer.access_token),
            "refresh_token": str(authorizer.refresh_token),
        }
        reddit = self._reddit(Credentials("", secrets=secrets_))
        me = self._call(lambda: reddit.user.me(), what=words("the account's profile"))
        if me is None or not getattr(me, "name", None):
            raise Permanent(words("Reddit did not say which account signed in."))
        data = vars(me)
        external_id = str(data.get("id") or me.name)
        creds = Credentials(
            external_id, str(me.name), secrets_, expires_at=self._expiry(authorizer)
        )
        picture = str(data.get("icon_img") or "").split("?")[0]
        return [Connection(self.network, creds, f"u/{me.name}", picture)]

    def _token(self, action: Callable[[], None], hidden: list[str]) -> None:
        try:
            action()
        except prawcore.OAuthException as error:
            raise AuthExpired(
                words("Reddit refused the sign-in (%(error)s); connect again.", error=error.error),
                code=error.error,
            ) from error
        except prawcore.ResponseException as error:
            status = error.response.status_code
            if status in (400, 401, 403):
                raise AuthExpired(
                    words("Reddit refused the sign-in; connect again."), status=status
                ) from error
            raise api.mapped(error, words("a sign-in"), hidden=self._hidden(hidden)) from error
        except Exception as error:  # mapped to the error classes
            raise api.mapped(error, words("a sign-in"), hidden=self._hidden(hidden)) from error

    def _expiry(self, authorizer: Authorizer) -> datetime:
        # prawcore keeps the token's end on the monotonic clock: convert it.
        left = (authorizer._expiration_timestamp_ns - time.monotonic_ns()) / 1e9 - 10
        return self.now() + timedelta(seconds=max(0.0, left))

    def _authenticator(self, redirect_uri: str | None = None) -> TrustedAuthenticator:
        requestor = Requestor(
            user_agent=str(self.config.get("user_agent") or api.USER_AGENT),
            timeout=api.timeout_of(self.session),
            oauth_url=str(self.config.get("oauth_url") or api.OAUTH_URL).rstrip("/"),
            reddit_url=str(self.config.get("reddit_url") or api.REDDIT_URL).rstrip("/"),
            session=self.session,
        )
        return TrustedAuthenticator(
            client_id=str(self.config.get("client_id") or ""),
            client_secret=str(self.config.get("client_secret") or ""),
            redirect_uri=redirect_uri,
            requestor=requestor,
        )

    def _reddit(self, creds: Credentials) -> praw.Reddit:
        token = str(creds.secrets.get("access_token") or "")
        if not token:
            raise AuthExpired(words("This Reddit account has no access token; reconnect it."))
        # Kept out of every error this adapter raises from now on.
        self._secrets = [str(v) for v in creds.secrets.values() if v]
        return api.client(self.config, self.session, token)

    def _hidden(self, extra: Sequence[str] = ()) -> list[str]:
        secrets_ = getattr(self, "_secrets", [])
        return [*extra, *secrets_, str(self.config.get("client_secret") or "")]

    def _call(self, action: Callable[[], Any], creating: bool = False, what: Any = None) -> Any:
        return api.call(
            action,
            what or THE_POST,
            creating=creating,
            hidden=self._hidden(),
            now=self.now(),
        )


def subreddit_of(content: Content) -> str:
    """The subreddit's name without "r/", or "" when the option holds none."""
    found = SUBREDDIT.match(str(content.options.get("subreddit") or "").strip())
    return found.group(1) if found else ""
