"""Mastodon: statuses on any instance, with Mastodon.py over SMO's session (platforms.md §10).

A post is POST /api/v1/statuses with an `Idempotency-Key` (the delivery's key,
one per part of a thread): the instance keeps each key an hour and answers a
repeat with the status it already made, so a retry cannot post twice. Media is
uploaded first (mastodon_media.py) and a thread is a chain of replies; every
confirmed step (attachment id, status id) is recorded in Progress at once.
The limits are the account's instance's own (mastodon_instance.py), and an
admin connects any instance by typing its address (mastodon_auth.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from typing_extensions import override

from channels import text as text_rules
from channels.adapters import mastodon_auth as auth
from channels.adapters import mastodon_inbox as inbox
from channels.adapters import mastodon_lookup as lookup
from channels.adapters import mastodon_metrics as analytics
from channels.adapters import mastodon_options as post_options
from channels.adapters.base import (
    Adapter,
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
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    MENTION,
    MESSAGE,
    REPLY,
    Engagement,
    EngagementSupport,
    PostRef,
)
from channels.adapters.mastodon_api import calling, client
from channels.adapters.mastodon_instance import limits_from, read_instance
from channels.adapters.mastodon_media import MAX_DESCRIPTION, ready_media
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.polling import Budget
from channels.words import words

# The instance's clock and SMO's may differ: a status made this long before the
# first attempt started still counts as that attempt's.
CLOCK_SKEW = timedelta(minutes=10)


class MastodonAdapter(Adapter):
    network: ClassVar[str] = "mastodon"
    display_name: ClassVar[str] = "Mastodon"
    # Mastodon's defaults; each account gets its instance's own (account_limits).
    limits: ClassVar[Limits] = limits_from({}, Limits(max_text=500))
    supports_lookup: ClassVar[bool] = True
    # The admin names the instance; SMO registers itself there (mastodon_auth).
    asks_for_server: ClassVar[bool] = True
    post_options: ClassVar[tuple[PostOption, ...]] = post_options.POST_OPTIONS
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        fetches=frozenset({COMMENT, REPLY, MENTION, MESSAGE}),
        replies_to=frozenset({COMMENT, REPLY, MENTION, MESSAGE}),
        deletes=frozenset({COMMENT, REPLY, MENTION, MESSAGE}),  # the account's own answers only
        deletes_others=False,
        note=words(
            "Mastodon lets an account delete only its own posts, and has no way to hide "
            "someone else's reply."
        ),
    )
    metrics: ClassVar[MetricsSupport] = analytics.SUPPORT

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))
        self.sleep: Callable[[float], None] = config.get("sleep") or time.sleep
        self.media_wait = float(config.get("media_wait_seconds", 60))
        self.poll_interval = float(config.get("poll_interval_seconds", 2))
        self.apps: auth.AppStore = config.get("apps") or auth.MemoryApps()
        self.account_options: Mapping[str, Any] = {}

    def __repr__(self) -> str:
        return "MastodonAdapter()"

    @override
    def account_limits(self, options: Mapping[str, Any]) -> Limits:
        # Poll sizes are no Limits field: kept for validate.
        self.account_options = dict(options or {})
        return limits_from(options or {}, type(self).limits)

    # --- Checking ---

    @override
    def text_length(self, content: Content) -> int:
        """Content warning and text together, as Mastodon counts them."""
        return self._length(post_text(content), content)

    def _length(self, text: str, content: Content) -> int:
        combined = post_options.spoiler(content.options) + text
        return text_rules.count(combined, text_rules.MASTODON, self.limits.url_length)

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = [
            p for p in super().validate(content) if (p.field, p.code) != ("text", "too_long")
        ]
        most = self.limits.max_text
        for index, text in enumerate(parts(content)):
            length = self._length(text, content)
            if length <= most:
                continue
            sentence = words(
                "%(network)s allows %(limit)s characters; this text has %(length)s.",
                network=self.display_name,
                limit=most,
                length=length,
            )
            problems.append(Problem("text" if index == 0 else "thread", sentence, "too_long"))
        for item in content.media:
            if len(item.alt_text) > MAX_DESCRIPTION:
                sentence = words(
                    "Mastodon allows image descriptions of up to %(most)s characters; "
                    "this has %(count)s.",
                    most=MAX_DESCRIPTION,
                    count=len(item.alt_text),
                )
                problems.append(Problem("media", sentence, "too_long"))
        problems.extend(post_options.problems(content, self.account_options))
        return problems

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        texts = parts(content)
        ids = [str(i) for i in progress.get("status_ids") or []]
        if len(ids) >= len(texts):
            return self._published(progress)
        if post_options.poll_choices(content.options) and content.media:
            raise Permanent(words("A Mastodon post has either a poll or media, not both."))
        if not progress.get("started_at"):
            progress.record("started_at", self.now().isoformat())
        api = self._api(creds)
        hidden = self._hidden(creds)
        media_ids: list[str] = []
        if content.media and not ids:
            budget = Budget(self.media_wait, self.poll_interval, self.sleep)
            media_ids = ready_media(
                api, content.media, progress, budget, now=self.now, hidden=hidden
            )
        shared = post_options.status_arguments(content.options)
        for index in range(len(ids), len(texts)):
            first = index == 0
            poll = post_options.poll_argument(content.options) if first else None
            with calling(api, words("the post"), creating=True, now=self.now, hidden=hidden):
                status = api.status_post(
                    texts[index],
                    in_reply_to_id=ids[-1] if ids else None,
                    media_ids=(media_ids or None) if first else None,
                    poll=poll,
                    idempotency_key=part_key(key, index),
                    **shared,
                )
            if not status.get("id"):
                raise Unknown(
                    words("The Mastodon instance answered without the post's id; it may exist."),
                    code="no-id",
                )
            self._record(progress, ids, status)
        return self._published(progress)

    def _record(self, progress: Progress, ids: list[str], status: Mapping[str, Any]) -> None:
        if not ids:
            made = lookup.created(status) or self.now()
            progress.record("url", str(status.get("url") or status.get("uri") or ""))
            progress.record("published_at", made.isoformat())
        ids.append(str(status["id"]))
        progress.record("status_ids", list(ids))

    def _published(self, progress: Progress) -> Published:
        ids = progress.get("status_ids") or []
        made = datetime.fromisoformat(str(progress.get("published_at")))
        return Published(str(ids[0]), str(progress.get("url") or ""), made)

    # --- Finding a post whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        texts = parts(content)
        ids = [str(i) for i in progress.get("status_ids") or []]
        if len(ids) >= len(texts):
            return self._published(progress)
        account_id = self._account_id(creds)
        api = self._api(creds)
        since = progress.get("started_at")
        not_before = datetime.fromisoformat(since) - CLOCK_SKEW if since else None
        with calling(api, words("the account's posts"), now=self.now, hidden=self._hidden(creds)):
            statuses = [
                s
                for s in lookup.recent(api, account_id)
                if not_before is None or (lookup.created(s) or not_before) >= not_before
            ]
        statuses.reverse()  # oldest first: the first look-alike is this delivery's
        spoiler = post_options.spoiler(content.options)
        for index in range(len(ids), len(texts)):
            reply_to = ids[-1] if ids else None
            found = next(
                (s for s in statuses if lookup.matches(s, texts[index], reply_to, spoiler)), None
            )
            if found is None:
                return None  # publish resumes after the parts found
            self._record(progress, ids, found)
        return self._published(progress)

    # --- The inbox (mastodon_inbox.py) ---

    @override
    def fetch_engagement(
        self, creds: Credentials, since: datetime, posts: Sequence[PostRef] = ()
    ) -> Iterator[Engagement]:
        api, account_id, hidden = self._api(creds), self._account_id(creds), self._hidden(creds)

        def guarded(what: Any) -> Any:
            return calling(api, what, now=self.now, hidden=hidden)

        ids = [p.external_id for p in posts]
        yield from inbox.engagement(api, account_id, since, ids, guarded)

    @override
    def reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published:
        """Answer with the Idempotency-Key `key`: the instance answers a repeat within
        the hour with the status it already made, so resending after a lost answer
        is safe."""
        if progress.get("answer_id"):
            return self._answer(progress)
        api = self._api(creds)
        with calling(api, inbox.ANSWER, creating=True, now=self.now, hidden=self._hidden(creds)):
            status = api.status_post(
                inbox.answer_text(target, text),
                in_reply_to_id=target.external_id,
                visibility=inbox.answer_visibility(target),
                idempotency_key=key,
            )
        if not status.get("id"):
            raise Unknown(
                words("The Mastodon instance answered without the answer's id; it may exist."),
                code="no-id",
            )
        return self._record_answer(progress, status)

    @override
    def find_reply(
        self, creds: Credentials, target: Engagement, text: str, key: str, progress: Progress
    ) -> Published | None:
        """Look among the account's newest statuses for the answer. The key cannot
        be asked about: sending it again would make the answer if it is missing."""
        if progress.get("answer_id"):
            return self._answer(progress)
        api, account_id = self._api(creds), self._account_id(creds)
        wanted = inbox.answer_text(target, text)
        with calling(api, words("the account's posts"), now=self.now, hidden=self._hidden(creds)):
            found = next(
                (
                    s
                    for s in lookup.recent(api, account_id)
                    if lookup.matches(s, wanted, target.external_id, "")
                ),
                None,
            )
        return self._record_answer(progress, found) if found else None

    def _record_answer(self, progress: Progress, status: Mapping[str, Any]) -> Published:
        made = lookup.created(status) or self.now()
        progress.record("answer_id", str(status["id"]))
        progress.record("url", str(status.get("url") or status.get("uri") or ""))
        progress.record("published_at", made.isoformat())
        return self._answer(progress)

    def _answer(self, progress: Progress) -> Published:
        made = datetime.fromisoformat(str(progress.get("published_at")))
        return Published(str(progress.get("answer_id")), str(progress.get("url") or ""), made)

    @override
    def moderate(self, creds: Credentials, target: Engagement, action: str) -> None:
        if action != DELETE or not target.own:
            raise Permanent(
                words(
                    "Mastodon lets SMO delete only the account's own posts; "
                    "it cannot hide or delete other people's."
                ),
                code="unsupported",
            )
        api = self._api(creds)
        try:
            with calling(api, words("the post"), now=self.now, hidden=self._hidden(creds)):
                api.status_delete(target.external_id)
        except Permanent as error:
            if error.status != 404:
                raise  # a 404 means it is gone already: deleting twice is harmless

    # --- Analytics (mastodon_metrics.py) ---

    @override
    def fetch_metrics(
        self, creds: Credentials, external_ids: Sequence[str]
    ) -> Iterator[PostMetrics]:
        api, hidden = self._api(creds), self._hidden(creds)
        yield from analytics.fetch(
            api, external_ids, lambda what: calling(api, what, now=self.now, hidden=hidden)
        )

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        api, hidden = self._api(creds), self._hidden(creds)
        return analytics.followers(
            api, lambda what: calling(api, what, now=self.now, hidden=hidden)
        )

    def _account_id(self, creds: Credentials) -> str:
        account_id = str(creds.options.get("account_id") or "")
        if not account_id:
            raise AuthExpired(words("This Mastodon account has no account id; reconnect it."))
        return account_id

    # --- Connecting ---

    @override
    def authorization(self, redirect_uri: str, state: str, server: str = "") -> Authorization:
        app = self._app(server, redirect_uri)
        return Authorization(auth.authorize_url(server, app, redirect_uri, state))

    @override
    def connect(
        self, code: str, redirect_uri: str, verifier: str, server: str = ""
    ) -> list[Connection]:
        app = self._app(server, redirect_uri)
        token = auth.exchange(self.session, server, app, code, redirect_uri)
        api = client(self.session, server, token)
        with calling(api, words("the account's profile"), now=self.now, hidden=[token]):
            me = api.account_verify_credentials()
            instance = self.instance_options(api)
        domain = urlsplit(server).hostname or server
        options = {"server": server, "account_id": str(me["id"]), **instance}
        creds = Credentials(
            f"{me['id']}@{domain}",
            f"@{me['username']}@{domain}",
            {"access_token": token},
            options=options,
        )
        name = str(me.get("display_name") or me["username"])
        return [Connection(self.network, creds, name, str(me.get("avatar") or ""))]

    def instance_options(self, api: Any) -> dict[str, Any]:
        """The instance's version and limits, for SocialAccount.options."""
        found = read_instance(api)
        return {**found, "limits_read_at": self.now().isoformat()}

    def read_limits(self, creds: Credentials) -> dict[str, Any]:
        """Read the account's instance's limits again (scheduler/instance_limits.py)."""
        api = self._api(creds)
        with calling(api, words("the instance's limits"), now=self.now, hidden=self._hidden(creds)):
            return self.instance_options(api)

    def _app(self, server: str, redirect_uri: str) -> auth.App:
        if not server:
            raise Permanent(words("Enter the address of your Mastodon instance."))
        app = self.apps.get(server, redirect_uri)
        if app is None:
            name = str(self.config.get("app_name") or "SMO")
            website = str(self.config.get("website") or "")
            app = auth.register(self.session, server, redirect_uri, name, website)
            self.apps.save(server, redirect_uri, app)
        return app

    def _api(self, creds: Credentials) -> Any:
        token = str(creds.secrets.get("access_token") or "")
        server = str(creds.options.get("server") or "")
        if not token or not server:
            raise AuthExpired(words("This Mastodon account has no token; reconnect it."))
        return client(self.session, server, token, creds.options.get("version"))

    def _hidden(self, creds: Credentials) -> list[str]:
        return [str(v) for v in creds.secrets.values()]


# --- Plain functions ---------------------------------------------------------------------


def post_text(content: Content) -> str:
    """The first status's text: Mastodon shows a card for the first link, so the
    post's link is added to the text unless it is there already."""
    text = content.text.replace("\r\n", "\n").strip()
    if content.link and content.link not in text:
        text = f"{text}\n\n{content.link}" if text else content.link
    return text


def parts(content: Content) -> list[str]:
    """The texts of the statuses a post makes: the first, then each reply of its thread."""
    return [post_text(content), *(p.replace("\r\n", "\n").strip() for p in content.thread)]


def part_key(key: str, index: int) -> str:
    """The Idempotency-Key of one status of the post (kept 1 hour by the instance)."""
    return f"{key}-{index}"
