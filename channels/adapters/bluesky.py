"""Bluesky (AT Protocol): posts, images, link cards and threads on the account's
PDS (platforms.md §11), with the `atproto` client over SMO's session.

Accounts connect with a handle and an app password (connects_by "password"),
not OAuth. Each post's record key is chosen by SMO and recorded in Progress
before the create is sent (bluesky_records.py), so a retried create collides
instead of posting twice, and find_published asks for exactly that record:
"not there" is certain. A PDS answers a colliding create with a 500 (seen on
@atproto/pds 0.4.217), so a refused create is settled by looking the key up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

import requests
from atproto_client import models
from typing_extensions import override

from channels import text as text_rules
from channels.adapters import bluesky_auth as auth
from channels.adapters import bluesky_inbox as inbox
from channels.adapters import bluesky_metrics as analytics
from channels.adapters import bluesky_records as records
from channels.adapters.base import (
    Adapter,
    AdapterError,
    AuthExpired,
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
    Transient,
)
from channels.adapters.bluesky_facets import facets, handles
from channels.adapters.bluesky_media import (
    MAX_IMAGE_BYTES,
    SHRINKABLE,
    image_embed,
    link_card,
    prepared,
)
from channels.adapters.bluesky_xrpc import Pds, TokenExpired
from channels.adapters.engagement import (
    COMMENT,
    MENTION,
    REPLY,
    Engagement,
    EngagementSupport,
    PostRef,
)
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.words import words

T = TypeVar("T")
MAX_GRAPHEMES = 300  # app.bsky.feed.post text maxGraphemes
MAX_BYTES = 3000  # app.bsky.feed.post text maxLength (UTF-8 bytes)
LOOKUP_LIMIT = 100  # recent posts searched for a key that was never recorded
THE_POST = words("the post")


class BlueskyAdapter(Adapter):
    network: ClassVar[str] = "bluesky"
    renews_with: ClassVar[str | None] = "app_password"
    display_name: ClassVar[str] = "Bluesky"
    limits: ClassVar[Limits] = Limits(
        max_text=MAX_GRAPHEMES,
        counting=text_rules.GRAPHEMES,
        max_images=4,
        threads=True,
        # Larger JPEG/PNG/WebP files are re-encoded below 1,000,000 bytes
        # (bluesky_media.py); 50 MB is the PDS's own cap on a blob.
        max_image_bytes=50 * 1024 * 1024,
        image_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        video_types=frozenset(),  # video goes through Bluesky's video service: not yet
        # Writes: 5,000 points an hour per account, a create costs 3 (§11).
        posts_per_window=1666,
        window=timedelta(hours=1),
    )
    supports_lookup: ClassVar[bool] = True
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        fetches=frozenset({COMMENT, REPLY, MENTION}),
        replies_to=frozenset({COMMENT, REPLY, MENTION}),
        hides=frozenset({COMMENT, REPLY}),  # with the thread's threadgate (bluesky_inbox.py)
        deletes=frozenset({COMMENT, REPLY, MENTION}),  # the account's own answers only
        deletes_others=False,
        note=words(
            "Bluesky direct messages go through a separate chat service SMO does not read, "
            "and SMO deletes only the account's own posts."
        ),
    )
    metrics: ClassVar[MetricsSupport] = analytics.SUPPORT
    connects_by: ClassVar[str] = "password"
    post_options: ClassVar[tuple[PostOption, ...]] = (
        PostOption(
            "card_title",
            words("Link card title"),
            max_length=300,
            help=words("Shown on the card of the post's link; the link itself if left empty."),
        ),
        PostOption(
            "card_description",
            words("Link card description"),
            kind="textarea",
            max_length=1000,
        ),
    )

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.pds_url = str(config.get("pds_url") or "https://bsky.social").rstrip("/")
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return "BlueskyAdapter()"

    # --- Checking ---

    def post_text(self, content: Content) -> str:
        """The first post's text: with images there is no link card, so the link
        goes at the end of the text unless the text has it already."""
        text = content.text.strip()
        if content.link and content.media and content.link not in text:
            return f"{text}\n\n{content.link}" if text else content.link
        return text

    @override
    def text_length(self, content: Content) -> int:
        return text_rules.count(self.post_text(content), self.limits.counting)

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(replace(content, text=self.post_text(content)))
        parts = [("text", self.post_text(content))] + [("thread", t) for t in content.thread]
        for field, text in parts:
            size = text_rules.count(text, text_rules.BYTES)
            if size > MAX_BYTES:
                message = words(
                    "Bluesky allows %(limit)s bytes of text in a post; this one has %(size)s.",
                    limit=MAX_BYTES,
                    size=size,
                )
                problems.append(Problem(field, message, "too_long"))
        for text in content.thread:
            length = text_rules.count(text, text_rules.GRAPHEMES)
            if length > MAX_GRAPHEMES:
                message = words(
                    "Bluesky allows %(limit)s characters in each post of a thread; one has %(length)s.",
                    limit=MAX_GRAPHEMES,
                    length=length,
                )
                problems.append(Problem("thread", message, "too_long"))
            elif not text.strip():
                problems.append(Problem("thread", words("A post of the thread is empty."), "empty"))
        return problems

    @override
    def _media_problems(self, media: tuple[MediaItem, ...]) -> list[Problem]:
        problems = super()._media_problems(media)
        for item in media:
            if (
                item.kind == "image"
                and item.size > MAX_IMAGE_BYTES
                and item.mime_type not in SHRINKABLE
            ):
                message = words(
                    "Bluesky takes images up to 1 MB, and SMO makes only JPEG, PNG and WebP "
                    "files smaller; this %(type)s is larger.",
                    type=item.mime_type,
                )
                problems.append(Problem("media", message, "too_large"))
        return problems

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        return self._signed_in(creds, lambda pds: self._publish(pds, creds, content, key, progress))

    def _publish(
        self,
        pds: Pds,
        creds: Credentials,
        content: Content,
        key: str,
        progress: Progress,
        answering: dict[str, Any] | None = None,
    ) -> Published:
        """Post `content`; `answering` is the first post's `reply` when it answers one."""
        parts = [self.post_text(content), *content.thread]
        resolved: dict[str, str | None] = {}
        for part, text in enumerate(parts):
            if progress.get(f"post.{part}"):
                continue  # confirmed by an earlier attempt
            rkey = progress.get(f"rkey.{part}")
            found = self._record(pds, creds, rkey) if rkey else None
            if found:
                # An earlier attempt's create arrived though its answer did not;
                # looked up before its images go up again.
                progress.record(f"post.{part}", found)
                continue
            mentioned = [h for h in handles(text) if h not in resolved]
            resolved.update({h: self._resolve(pds, h) for h in mentioned})
            reply = answering
            if part:
                root, parent = progress.get("post.0"), progress.get(f"post.{part - 1}")
                reply = records.reply_refs(root, parent)
            record = records.post_record(
                text,
                self.now(),
                facets=facets(text, resolved.get),
                embed=self._embed(pds, content) if part == 0 else None,
                reply=reply,
            )
            progress.record(f"post.{part}", self._create(pds, creds, record, key, part, progress))
        return self._published(creds, progress)

    def _embed(self, pds: Pds, content: Content) -> dict[str, Any] | None:
        images = [m for m in content.media if m.kind == "image"]
        if images:
            shown = []
            for item in images:
                data, mime, width, height = prepared(item)
                blob = pds.procedure(
                    "com.atproto.repo.uploadBlob",
                    words("the image"),
                    data,
                    headers={"Content-Type": mime},
                )["blob"]
                shown.append((blob, item.alt_text, width, height))
            return image_embed(shown)
        if content.link:
            options = content.options
            return link_card(
                content.link,
                str(options.get("card_title") or "").strip(),
                str(options.get("card_description") or "").strip(),
            )
        return None

    def _create(
        self,
        pds: Pds,
        creds: Credentials,
        record: dict[str, Any],
        key: str,
        part: int,
        progress: Progress,
    ) -> dict[str, str]:
        rkey = progress.get(f"rkey.{part}")
        if not rkey:
            rkey = records.mint_rkey(key, part, self.now())
            progress.record(f"rkey.{part}", rkey)
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=creds.external_id, collection=records.COLLECTION, rkey=rkey, record=record
        )
        try:
            made = pds.procedure("com.atproto.repo.createRecord", THE_POST, data, creating=True)
        except (Transient, Permanent) as error:
            # A record already there with this key answers 500 (@atproto/pds
            # 0.4.217); newer servers may name the error instead (atproto PR
            # #4728). Either way the key says whether the post is ours.
            found = self._record(pds, creds, rkey)
            if found:
                return found
            raise error from None
        return {"uri": str(made["uri"]), "cid": str(made["cid"]), "rkey": rkey}

    def _record(self, pds: Pds, creds: Credentials, rkey: str) -> dict[str, str] | None:
        """The strong ref of our post with key `rkey`, or None if it is not there."""
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=creds.external_id, collection=records.COLLECTION, rkey=rkey
        )
        try:
            found = pds.query("com.atproto.repo.getRecord", THE_POST, params)
        except Permanent as error:
            if error.code == "RecordNotFound":
                return None
            raise
        return {"uri": str(found["uri"]), "cid": str(found.get("cid") or ""), "rkey": rkey}

    def _resolve(self, pds: Pds, handle: str) -> str | None:
        """A mentioned handle's DID; None leaves the mention as plain text."""
        params = models.ComAtprotoIdentityResolveHandle.Params(handle=handle)
        try:
            return str(
                pds.query("com.atproto.identity.resolveHandle", words("the mention"), params)["did"]
            )
        except Permanent:
            return None  # "Unable to resolve handle" (400 InvalidRequest)

    def _published(self, creds: Credentials, progress: Progress) -> Published:
        first = progress.get("post.0")
        rkey = records.rkey_of(first["uri"])
        made = records.decode_tid(rkey) >> 10 if records.TID.match(rkey) else None
        when = datetime.fromtimestamp(made / 1_000_000, UTC) if made else self.now()
        return Published(
            first["uri"], records.post_url(creds.handle or creds.external_id, rkey), when
        )

    # --- Finding a post whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        return self._signed_in(creds, lambda pds: self._find(pds, creds, content, key, progress))

    def _find(
        self, pds: Pds, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        recent: list[tuple[str, str]] | None = None
        texts = [self.post_text(content), *content.thread]
        for part, text in enumerate(texts):
            if progress.get(f"post.{part}"):
                continue
            rkey = progress.get(f"rkey.{part}")
            if not rkey:
                # Never recorded (the engine records it before sending, so only
                # a lost Progress gets here): search the newest posts for it.
                recent = recent if recent is not None else self._recent(pds, creds)
                rkey = next(
                    (r for r, t in recent if t == text and records.is_ours(r, key, part)), None
                )
                if rkey is None:
                    return None
                progress.record(f"rkey.{part}", rkey)
            found = self._record(pds, creds, rkey)
            if found is None:
                return None
            progress.record(f"post.{part}", found)
        return self._published(creds, progress)

    def _recent(self, pds: Pds, creds: Credentials) -> list[tuple[str, str]]:
        """(rkey, text) of the account's newest posts."""
        params = models.ComAtprotoRepoListRecords.Params(
            repo=creds.external_id, collection=records.COLLECTION, limit=LOOKUP_LIMIT
        )
        page = pds.query("com.atproto.repo.listRecords", words("the account's posts"), params)
        found = []
        for item in page.get("records") or []:
            value = item.get("value") if isinstance(item.get("value"), dict) else {}
            found.append(
                (records.rkey_of(str(item.get("uri") or "")), str(value.get("text") or ""))
            )
        return found

    # --- The inbox (bluesky_inbox.py) ---

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        query, did = self._query(creds), creds.external_id
        # The account's own replies first: the PDS itself serves them, even one
        # with no AppView for the notifications.
        for page in inbox.own_replies(query, did, creds.handle, since):
            yield from page
        gates = inbox.Gates(query, did)
        for page in inbox.notified(query, did, since):
            yield from gates.mark(page)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        """Post the answer as publish() posts: its rkey comes from `key` and is
        recorded before the create, so find_reply asks for exactly that record."""
        refs = inbox.reply_refs(target)
        return self._signed_in(
            creds,
            lambda pds: self._publish(pds, creds, Content(text), key, progress, answering=refs),
        )

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        return self.find_published(creds, Content(text), key, progress)

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        did, now = creds.external_id, self.now()
        self._signed_in(creds, lambda pds: inbox.moderate(pds, did, target, action, now))

    # --- Analytics (bluesky_metrics.py) ---

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        yield from analytics.fetch(self._query(creds), external_ids)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        return analytics.followers(self._query(creds), creds.external_id)

    def _query(self, creds: Credentials) -> inbox.Query:
        """A signed-in query, its session renewed once where it has expired."""

        def query(nsid: str, what: Any, params: Any) -> dict[str, Any]:
            return self._signed_in(creds, lambda pds: pds.query(nsid, what, params))

        return query

    # --- Sessions and connecting ---

    def _pds(self, creds: Credentials) -> Pds:
        url = str(creds.secrets.get("pds_url") or self.pds_url)
        return Pds(self.session, url, now=self.now, hidden=[str(v) for v in creds.secrets.values()])

    def _signed_in(self, creds: Credentials, work: Callable[[Pds], T]) -> T:
        """Run `work` with the access token; when it has expired (ExpiredToken),
        renew the session once and run it again."""
        pds = self._pds(creds)
        pds.use_token(str(creds.secrets.get("access_jwt") or ""))
        try:
            return work(pds)
        except TokenExpired:
            fresh = auth.renewed(self._pds(creds), creds)
            pds.use_token(str(fresh.secrets["access_jwt"]))
            try:
                return work(pds)
            except TokenExpired as again:
                raise auth_expired(again) from None

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        return auth.renewed(self._pds(creds), creds)

    @override
    def connect_password(self, handle: str, password: str, server: str = "") -> Connection:
        return auth.connect(self, handle, password, server or self.pds_url)


def auth_expired(error: AdapterError) -> AuthExpired:
    return AuthExpired(error.words, status=error.status, code=error.code)
