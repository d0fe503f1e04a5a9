"""Google Business Profile: local posts on a business's Google Search and Maps listing.

A post is one POST to My Business API v4 `accounts/{a}/locations/{l}/localPosts`
(gbp_post.py builds it: an update, an event or an offer, an optional button,
one photo Google fetches from SMO's signed public media URL). The API takes no
idempotency key, so `find_published` lists the location's posts and matches
the text. People connect with Google OAuth 2 (scope business.manage, offline
access, PKCE); each location of their Business Profile accounts becomes an SMO
account, chosen like Facebook Pages. Access tokens last an hour and refresh.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import requests
from typing_extensions import override

from channels.adapters import gbp_post
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
from channels.adapters.gbp_http import (
    ACCOUNTS_URL,
    LOCATIONS_URL,
    POSTS_URL,
    BusinessAPI,
    parse_time,
)
from channels.adapters.google_token import token_request
from channels.adapters.metrics import MetricsSupport
from channels.words import words

AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
SCOPE = "https://www.googleapis.com/auth/business.manage"
READ_MASK = "name,title,storefrontAddress,metadata"
MB = 1024 * 1024
ACCOUNT_PAGES = 5  # accounts.list pages of 20 (its default size)
LOCATION_PAGES = 10  # locations offered per account: up to 1,000
LOOKUP_PAGES = 2  # a location's 200 newest posts are searched for a lost one
# Google's clock and SMO's may differ: a post made this long before the first
# attempt started still counts as that attempt's.
CLOCK_SKEW = timedelta(minutes=10)
# Photo guidelines (support.google.com/business/answer/6103862): JPG or PNG,
# 10 KB to 5 MB, at least 250 x 250 pixels.
MIN_PHOTO_BYTES = 10 * 1024
MIN_PHOTO_SIDE = 250
THE_POST = words("the post")


class GoogleBusinessAdapter(Adapter):
    network: ClassVar[str] = "gbp"
    display_name: ClassVar[str] = "Google Business Profile"
    renews_with: ClassVar[str | None] = "refresh_token"
    limits: ClassVar[Limits] = Limits(
        max_text=gbp_post.MAX_SUMMARY,
        max_images=1,
        max_videos=0,
        image_types=frozenset({"image/jpeg", "image/png"}),
        max_image_bytes=5 * MB,
    )
    supports_lookup: ClassVar[bool] = True
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        note=words(
            "SMO does not read Google reviews or questions yet; answer them in Business Profile."
        )
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        note=words(
            "Google's Business Profile Performance API reports per location, not per post; "
            "SMO does not read it yet."
        )
    )
    required_config: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET")
    post_options: ClassVar[tuple[PostOption, ...]] = gbp_post.OPTIONS

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.accounts_url = str(config.get("accounts_url") or ACCOUNTS_URL).rstrip("/")
        self.locations_url = str(config.get("locations_url") or LOCATIONS_URL).rstrip("/")
        self.posts_url = str(config.get("api_url") or POSTS_URL).rstrip("/")
        self.authorize_url = str(config.get("authorize_url") or AUTHORIZE_URL)
        self.public_url = str(config.get("public_url") or "")
        self.language = str(config.get("language_code") or "")
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return f"GoogleBusinessAdapter(api_url={self.posts_url!r})"

    # --- Checking ---

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(content)
        problems.extend(gbp_post.problems(content))
        if content.media and self.public_url and not gbp_post.is_public(self.public_url):
            problems.append(
                Problem(
                    "media",
                    words(
                        "Google fetches the photo from SMO's address, %(url)s, which the "
                        "internet cannot reach; set SMO_PUBLIC_URL to a public address.",
                        url=self.public_url,
                    ),
                    "not_public",
                )
            )
        return problems

    @override
    def _media_problems(self, media: tuple[MediaItem, ...]) -> list[Problem]:
        problems = super()._media_problems(media)
        for item in media:
            if item.kind != "image":
                continue
            small = item.size < MIN_PHOTO_BYTES or (
                item.width is not None
                and item.height is not None
                and min(item.width, item.height) < MIN_PHOTO_SIDE
            )
            if small:
                problems.append(
                    Problem(
                        "media",
                        words("Google takes photos of at least 250 by 250 pixels and 10 KB."),
                        "too_small",
                    )
                )
        return problems

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        if progress.get("post_name"):
            return self._published(progress)
        photo = next((m for m in content.media if m.kind == "image"), None)
        if photo is not None and not photo.url:
            raise Permanent(
                words("Google fetches photos from a public URL; this one has none."),
                code="no-url",
            )
        if not progress.get("started_at"):
            progress.record("started_at", self.now().isoformat())
        body = gbp_post.body(content, self.language, photo.url if photo else "")
        post = self._api(creds).create(self._posts_of(creds), THE_POST, body)
        if not post.get("name"):
            raise Unknown(
                words("Google answered without the post's name; it may exist."), code="no-name"
            )
        self._record(progress, post, creds)
        return self._published(progress)

    def _record(self, progress: Progress, post: Mapping[str, Any], creds: Credentials) -> None:
        made = parse_time(post.get("createTime")) or self.now()
        progress.record("post_name", str(post["name"]))
        progress.record("url", str(post.get("searchUrl") or self._listing(creds)))
        progress.record("published_at", made.isoformat())

    def _published(self, progress: Progress) -> Published:
        made = parse_time(progress.get("published_at")) or self.now()
        return Published(str(progress.get("post_name")), str(progress.get("url")), made)

    def _listing(self, creds: Credentials) -> str:
        """Where the post shows when Google gives no searchUrl: the location on Maps."""
        return str(creds.options.get("maps_url") or "https://www.google.com/maps")

    def _posts_of(self, creds: Credentials) -> str:
        # external_id is the v4 parent, "accounts/{a}/locations/{l}".
        return f"{self.posts_url}/v4/{creds.external_id}/localPosts"

    # --- Finding a post whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        if progress.get("post_name"):
            return self._published(progress)
        since = parse_time(progress.get("started_at"))
        not_before = since - CLOCK_SKEW if since else None
        wanted = Content(gbp_post.summary(content)).fingerprint
        kind = gbp_post.topic(content.options)
        posts = self._api(creds).paged(
            self._posts_of(creds),
            words("the location's posts"),
            "localPosts",
            max_pages=LOOKUP_PAGES,
            pageSize=100,
        )
        for post in posts:
            made = parse_time(post.get("createTime"))
            if not_before is not None and made is not None and made < not_before:
                continue  # an older look-alike, from an earlier post
            if str(post.get("topicType") or gbp_post.STANDARD) != kind:
                continue
            if post.get("name") and Content(str(post.get("summary") or "")).fingerprint == wanted:
                self._record(progress, post, creds)
                return self._published(progress)
        return None

    # --- Tokens and connecting ---

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        token = str(creds.secrets.get("refresh_token") or "")
        if not token:
            raise AuthExpired(
                words("This Google Business Profile account has no refresh token; reconnect it.")
            )
        tokens = token_request(
            self.session,
            self.config,
            {"grant_type": "refresh_token", "refresh_token": token},
            product="Business Profile",
        )
        fresh = {
            **creds.secrets,
            "access_token": str(tokens["access_token"]),
            # Google rarely rotates refresh tokens; keep the old one unless sent a new one.
            "refresh_token": str(tokens.get("refresh_token") or token),
        }
        return Credentials(
            creds.external_id,
            creds.handle,
            fresh,
            expires_at=self._expiry(tokens),
            options=creds.options,
        )

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        verifier = secrets.token_urlsafe(64)  # 86 characters; RFC 7636 allows 43-128
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        query = {
            "client_id": self.config["client_id"],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPE,
            # A refresh token, sent again on every connection (a reconnect too).
            "access_type": "offline",
            "prompt": "consent",
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return Authorization(f"{self.authorize_url}?{urlencode(query, quote_via=quote)}", verifier)

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        """Exchange the code, then offer every location of every account the person manages."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        tokens = token_request(
            self.session, self.config, form, product="Business Profile", hidden=[code, verifier]
        )
        if SCOPE not in str(tokens.get("scope") or "").split():
            raise Permanent(
                words(
                    "Google did not give SMO permission to manage the Business Profile; "
                    "connect again and allow it."
                ),
                code="scope",
            )
        if not tokens.get("refresh_token"):
            raise Permanent(
                words("Google sent no refresh token; connect the account again."),
                code="no-refresh-token",
            )
        secrets_ = {
            "access_token": str(tokens["access_token"]),
            "refresh_token": str(tokens["refresh_token"]),
        }
        expires_at = self._expiry(tokens)
        api = self._api(Credentials("", secrets=secrets_))
        found = []
        accounts = api.paged(
            f"{self.accounts_url}/v1/accounts",
            words("the list of Business Profile accounts"),
            "accounts",
            max_pages=ACCOUNT_PAGES,
        )
        for account in accounts:
            parent = str(account.get("name") or "")
            if not parent.startswith("accounts/"):
                continue
            locations = api.paged(
                f"{self.locations_url}/v1/{parent}/locations",
                words("the account's locations"),
                "locations",
                max_pages=LOCATION_PAGES,
                readMask=READ_MASK,
                pageSize=100,
            )
            for location in locations:
                connection = self._connection(parent, location, secrets_, expires_at)
                if connection is not None:
                    found.append(connection)
        if not found:
            raise Permanent(
                words(
                    "This Google account manages no Business Profile location; "
                    "add or claim one at business.google.com, then connect."
                ),
                code="no-location",
            )
        return found

    def _connection(
        self,
        parent: str,
        location: Mapping[str, Any],
        secrets_: Mapping[str, str],
        expires_at: datetime,
    ) -> Connection | None:
        name = str(location.get("name") or "")  # "locations/{id}"
        if not name.startswith("locations/"):
            return None
        title = str(location.get("title") or name)
        metadata = location.get("metadata") or {}
        address = location.get("storefrontAddress") or {}
        # "1 Market Street, Leeds": enough to tell a chain's branches apart.
        lines = [str(line) for line in address.get("addressLines") or []][:1]
        place = ", ".join(p for p in (*lines, str(address.get("locality") or "")) if p)
        options = {"maps_url": str(metadata["mapsUri"])} if metadata.get("mapsUri") else {}
        creds = Credentials(
            f"{parent}/{name}", title[:200], dict(secrets_), expires_at=expires_at, options=options
        )
        shown = f"{title} ({place})" if place else title
        return Connection(self.network, creds, shown)

    def _expiry(self, tokens: Mapping[str, Any]) -> datetime:
        return self.now() + timedelta(seconds=int(tokens.get("expires_in") or 3600))

    def _api(self, creds: Credentials) -> BusinessAPI:
        token = str(creds.secrets.get("access_token") or "")
        if not token:
            raise AuthExpired(
                words("This Google Business Profile account has no access token; reconnect it.")
            )
        hidden = [str(v) for v in creds.secrets.values()] + [
            str(self.config.get("client_secret") or "")
        ]
        return BusinessAPI(self.session, token, now=self.now, hidden=hidden)
