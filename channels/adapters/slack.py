"""Slack: messages in one channel of a workspace, with files (docs.slack.dev).

An SMO account is one channel: the OAuth install (oauth.v2.access) gives a bot
token for the workspace, and the admin picks the channels to connect, as
Facebook Pages are picked after a login. Each channel is then scheduled,
queued and reported like any other account, which a per-post channel option
would not give. Text goes out with chat.postMessage, carrying the delivery's
idempotency key in message metadata so `find_published` can find a message
whose answer was lost (conversations.history, include_all_metadata). Files use
the current upload flow (files.getUploadURLExternal, a POST to the upload URL,
files.completeUploadExternal with the text as initial_comment; files.upload is
retired). The first comment is a reply in the message's thread, with its own
key in metadata (conversations.replies finds it). Bot tokens never expire unless the app turned token rotation on; then
the install answer carries refresh_token and expires_in, and refresh() renews.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import requests
from typing_extensions import override

from channels import text as text_rules
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
    Problem,
    Progress,
    Published,
    Transient,
    Unknown,
)
from channels.adapters.engagement import EngagementSupport
from channels.adapters.metrics import MetricsSupport
from channels.adapters.slack_api import API_URL, SlackAPI, list_channels, upload
from channels.adapters.slack_messages import (
    archive_url,
    channel_of,
    comment_key,
    compact_json,
    escape,
    is_ours,
    message_text,
    metadata,
    parse_time,
    shared_ts,
    ts_time,
)
from channels.words import words

AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
# Bot scopes: post and upload; list public and private channels the app is in;
# join a public channel on the first post there (posting and history need
# membership); read the channel's history to find a message whose answer was lost.
SCOPES = (
    "chat:write,files:write,channels:read,groups:read,channels:join,channels:history,groups:history"
)
MB = 1024 * 1024
MAX_FILES = 10  # files.completeUploadExternal shares up to 10 files at once
LOOKUP_PAGES = 3  # 600 newest messages searched for a lost one
CHANNEL_PAGES = 10  # up to 2,000 channels offered at connect time
CLOCK_SKEW = timedelta(minutes=10)
THE_MESSAGE = words("the message")


class SlackAdapter(Adapter):
    network: ClassVar[str] = "slack"
    display_name: ClassVar[str] = "Slack"
    renews_with: ClassVar[str | None] = "refresh_token"
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        note=words("SMO does not read Slack threads yet; answer in Slack itself.")
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        note=words("Slack's API gives no views or reach for a message.")
    )
    limits: ClassVar[Limits] = Limits(
        # chat.postMessage: Slack truncates text past 40,000 characters; SMO
        # refuses instead of letting a post be cut.
        max_text=40_000,
        max_images=MAX_FILES,  # and no more than MAX_FILES of both together
        max_videos=MAX_FILES,
        mix_images_and_video=True,
        first_comment=True,  # a reply in the message's thread
        max_image_bytes=1024 * MB,  # Slack's file cap is 1 GB
        max_video_bytes=1024 * MB,
        video_types=frozenset({"video/mp4", "video/quicktime", "video/webm"}),
        # "1 message per second per channel, short bursts allowed"
        # (chat.postMessage rate limits): 60 a minute.
        posts_per_window=60,
        window=timedelta(minutes=1),
    )
    supports_lookup: ClassVar[bool] = True
    required_config: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")
    required_settings: ClassVar[tuple[str, ...]] = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.api_url = str(config.get("api_url") or API_URL).rstrip("/") + "/"
        self.authorize_url = str(config.get("authorize_url") or AUTHORIZE_URL)
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))
        self.timeout = float(getattr(session, "timeout", None) or 30)

    def __repr__(self) -> str:
        return f"SlackAdapter(api_url={self.api_url!r})"

    # --- Checking ---

    @override
    def text_length(self, content: Content) -> int:
        return text_rules.count(message_text(content), self.limits.counting)

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(content)
        if len(content.media) > MAX_FILES:
            message = words(
                "Slack shares up to %(most)s files in one message; this post has %(count)s.",
                most=MAX_FILES,
                count=len(content.media),
            )
            problems.append(Problem("media", message, "too_many"))
        if content.link and not any(p.field == "text" for p in problems):
            length = self.text_length(content)
            if length > self.limits.max_text:
                message = words(
                    "Slack allows %(limit)s characters with the link; this has %(length)s.",
                    limit=self.limits.max_text,
                    length=length,
                )
                problems.append(Problem("text", message, "too_long"))
        return problems

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        api = self._api(creds)
        if not progress.get("ts"):
            self._post(api, creds, content, key, progress)
        if content.first_comment and not progress.get("comment_ts"):
            self._comment(api, creds, content, key, progress)
        return self._published(progress)

    def _post(
        self, api: SlackAPI, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> None:
        if not progress.get("started_at"):
            progress.record("started_at", self.now().isoformat())
        text = message_text(content)
        if content.media:
            self._publish_files(api, creds, content, text, progress)
            return
        body = self._joined(
            api,
            creds,
            "chat.postMessage",
            channel=channel_of(creds),
            text=escape(text),
            unfurl_links=True,
            metadata=metadata(key),
        )
        ts = str(body.get("ts") or "")
        if not ts:
            raise Unknown(words("Slack answered without the message's id; it may exist."))
        self._record(api, channel_of(creds), ts, progress)

    def _comment(
        self, api: SlackAPI, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> None:
        """The first comment is a reply in the message's thread, carrying its own key."""
        body = api.call(
            "chat.postMessage",
            words("the first comment"),
            creating=True,
            channel=channel_of(creds),
            thread_ts=str(progress.get("ts")),
            text=escape(content.first_comment.strip()),
            metadata=metadata(comment_key(key)),
        )
        if not body.get("ts"):
            raise Unknown(words("Slack answered without the comment's id; it may exist."))
        progress.record("comment_ts", str(body["ts"]))

    def _joined(self, api: SlackAPI, creds: Credentials, method: str, **params: Any) -> dict:
        """Make the message; in a public channel the app is not in yet, join it
        and try once more. `not_in_channel` means nothing was posted, and joining
        a public channel needs no invitation (channels:join)."""
        try:
            return api.call(method, THE_MESSAGE, creating=True, **params)
        except Permanent as error:
            if error.code != "not_in_channel" or creds.options.get("is_private"):
                raise
        api.call("conversations.join", words("joining the channel"), channel=channel_of(creds))
        return api.call(method, THE_MESSAGE, creating=True, **params)

    def _publish_files(
        self, api: SlackAPI, creds: Credentials, content: Content, text: str, progress: Progress
    ) -> Published:
        channel = channel_of(creds)
        files: list[dict[str, str]] = list(progress.get("files") or [])
        if progress.get("shared"):
            return self._shared_late(api, channel, progress, files)
        for item in content.media[len(files) :]:
            data = Path(item.path).read_bytes()
            name = Path(item.path).name
            ticket = api.call(
                "files.getUploadURLExternal",
                words("the upload"),
                filename=name,
                length=len(data),
                alt_txt=item.alt_text or None,
            )
            upload(self.session, str(ticket.get("upload_url") or ""), data, item.mime_type)
            files.append({"id": str(ticket.get("file_id") or ""), "title": name})
            progress.record("files", files)
        done = self._joined(
            api,
            creds,
            "files.completeUploadExternal",
            files=compact_json(files),
            channel_id=channel,
            initial_comment=escape(text) or None,
        )
        progress.record("shared", True)  # never complete the same upload twice
        ts = shared_ts(done.get("files") or [], channel)
        if ts:
            return self._record(api, channel, ts, progress)
        return self._shared_late(api, channel, progress, files)

    def _shared_late(
        self, api: SlackAPI, channel: str, progress: Progress, files: list[dict[str, str]]
    ) -> Published:
        """Slack may share completed files a moment later: look for the message;
        not there yet (or the look failed) is Unknown, for the reconciler."""
        try:
            found = self._find(api, channel, "", progress, {f["id"] for f in files})
        except AdapterError:
            found = None
        if found is not None:
            return found
        raise Unknown(
            words("Slack took the files but has not shown the message yet; SMO checks again."),
            code="not-shared-yet",
        )

    def _record(self, api: SlackAPI, channel: str, ts: str, progress: Progress) -> Published:
        progress.record("ts", ts)
        made = ts_time(ts) or self.now()
        progress.record("published_at", made.isoformat())
        try:
            link = api.call(
                "chat.getPermalink", words("the link"), channel=channel, message_ts=ts
            ).get("permalink")
        except AdapterError:
            # The message exists (its ts is recorded): a failed link must not
            # fail the publish. A link built from the ids opens it as well.
            link = None
        progress.record("url", str(link or archive_url(channel, ts)))
        return self._published(progress)

    def _published(self, progress: Progress) -> Published:
        ts = str(progress.get("ts"))
        made = parse_time(progress.get("published_at")) or ts_time(ts) or self.now()
        return Published(ts, str(progress.get("url") or ""), made)

    # --- Finding a message whose answer was lost ---

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        api = self._api(creds)
        channel = channel_of(creds)
        if not progress.get("ts"):
            files = {str(f.get("id")) for f in progress.get("files") or [] if f.get("id")}
            if content.media and not files:
                return None  # publish never got as far as an upload
            if self._find(api, channel, key, progress, files) is None:
                return None
        if content.first_comment and not progress.get("comment_ts"):
            replies = api.call(
                "conversations.replies",
                words("the message's thread"),
                channel=channel,
                ts=str(progress.get("ts")),
                include_all_metadata=True,
                limit=200,
            )
            wanted = comment_key(key)
            found = [m for m in replies.get("messages") or [] if is_ours(m, wanted, set())]
            if not found:
                return None
            progress.record("comment_ts", str(found[0]["ts"]))
        return self._published(progress)

    def _find(
        self, api: SlackAPI, channel: str, key: str, progress: Progress, files: set[str]
    ) -> Published | None:
        started = parse_time(progress.get("started_at"))
        oldest = f"{(started - CLOCK_SKEW).timestamp():.6f}" if started else None
        cursor = None
        for _ in range(LOOKUP_PAGES):
            page = api.call(
                "conversations.history",
                words("the channel's messages"),
                channel=channel,
                oldest=oldest,
                limit=200,
                include_all_metadata=True,
                cursor=cursor,
            )
            for message in page.get("messages") or []:
                if is_ours(message, key, files):
                    return self._record(api, channel, str(message["ts"]), progress)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    # --- Tokens and connecting ---

    @override
    def refresh(self, creds: Credentials) -> Credentials:
        old = str(creds.secrets.get("refresh_token") or "")
        if not old:
            raise AuthExpired(words("This Slack token cannot be renewed; reconnect the account."))
        tokens = self._token(grant_type="refresh_token", refresh_token=old)
        secrets_ = {
            "access_token": str(tokens["access_token"]),
            "refresh_token": str(tokens.get("refresh_token") or old),
        }
        return Credentials(
            creds.external_id,
            creds.handle,
            secrets_,
            expires_at=self._expiry(tokens),
            options=creds.options,
        )

    @override
    def authorization(self, redirect_uri: str, state: str) -> Authorization:
        query = {
            "client_id": self.config["client_id"],
            "scope": SCOPES,
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return Authorization(f"{self.authorize_url}?{urlencode(query, quote_via=quote)}")

    @override
    def connect(self, code: str, redirect_uri: str, verifier: str) -> list[Connection]:
        tokens = self._token(code=code, redirect_uri=redirect_uri)
        team = tokens.get("team") or {}
        team_id, team_name = str(team.get("id") or ""), str(team.get("name") or "")
        if not team_id:
            raise Permanent(words("Slack did not say which workspace installed the app."))
        secrets_ = {"access_token": str(tokens["access_token"])}
        if tokens.get("refresh_token"):
            secrets_["refresh_token"] = str(tokens["refresh_token"])
        expires_at = self._expiry(tokens) if tokens.get("expires_in") else None
        api = self._api(Credentials("", secrets=secrets_))
        found = []
        for channel in list_channels(api, CHANNEL_PAGES):
            options = {
                "team_id": team_id,
                "channel_id": str(channel["id"]),
                "is_private": bool(channel.get("is_private")),
            }
            creds = Credentials(
                f"{team_id}:{channel['id']}",
                f"#{channel.get('name') or channel['id']}",
                secrets_,
                expires_at=expires_at,
                options=options,
            )
            name = f"{team_name} #{channel.get('name') or channel['id']}"
            found.append(Connection(self.network, creds, name))
        return found

    def _token(self, **form: str) -> dict[str, Any]:
        """oauth.v2.access with the app's id and secret: a refused refresh means a
        person must reconnect; a refused code, that they try again."""
        secret = str(self.config.get("client_secret") or "")
        api = SlackAPI(self.api_url, "", timeout=self.timeout, now=self.now, hidden=[secret])
        what = words("the sign-in")
        refreshing = form.get("grant_type") == "refresh_token"
        try:
            tokens = api.call(
                "oauth.v2.access",
                what,
                app=(str(self.config.get("client_id") or ""), secret),
                **form,
            )
        except Permanent as error:
            if refreshing:
                raise AuthExpired(
                    words("Slack would not renew the token; reconnect the account."),
                    status=error.status,
                    code=error.code,
                ) from None
            raise
        if not tokens.get("access_token"):
            raise Transient(words("Slack's token answer held no token."))
        return tokens

    def _expiry(self, tokens: Mapping[str, Any]) -> datetime:
        # Rotating tokens last 12 hours (docs.slack.dev token rotation).
        return self.now() + timedelta(seconds=int(tokens.get("expires_in") or 12 * 3600))

    def _api(self, creds: Credentials) -> SlackAPI:
        token = str(creds.secrets.get("access_token") or "")
        if not token:
            raise AuthExpired(words("This Slack account has no token; reconnect it."))
        hidden = [str(v) for v in creds.secrets.values()]
        hidden.append(str(self.config.get("client_secret") or ""))
        return SlackAPI(self.api_url, token, timeout=self.timeout, now=self.now, hidden=hidden)
