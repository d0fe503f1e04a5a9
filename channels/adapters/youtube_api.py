"""google-api-python-client on SMO's outbound session, one account's calls through it.

googleapiclient talks to an `http` object with httplib2's `request()`; `SessionHttp`
is that object on the shared requests.Session, so every call has the session's
timeout, User-Agent and no hidden retries (STYLE.md §3). The client is built from
the discovery document the library ships (static_discovery=True), pointed at the
configured base URL with client_options' api_endpoint.

Two quirks of google-api-python-client 2.202.0 shape this module:
- with api_endpoint set, media upload URLs keep the document's `https` scheme
  and take only the endpoint's host (`_fix_up_media_path_base_url`), so a plain
  http base URL (a local fake) is put back here;
- `HttpRequest.next_chunk()` makes step 1 of a resumable upload and sends the
  first chunk in one call, so the transport reports the session URL the moment
  step 1 answers, before any byte of the video is sent (platforms.md §6).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httplib2
import requests
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from channels.adapters.base import AdapterError, AuthExpired, Credentials
from channels.adapters.youtube_errors import (
    DAY_REASONS,
    RATE_REASONS,
    GoogleError,
    Lost,
    Step,
    error_for,
    lost_error,
)
from channels.adapters.youtube_quota import Quota
from channels.words import words

API_URL = "https://www.googleapis.com"
DEFAULT_TIMEOUT = 30.0


class SessionHttp:
    """httplib2.Http's `request()` on SMO's requests.Session, for googleapiclient.

    The bearer token is added here, and only to requests for the API's own host,
    so it never reaches another host and never passes through the library.
    """

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        token: str,
        on_upload_session: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.on_upload_session = on_upload_session
        parts = urlsplit(self.api_url)
        self._https_twin = f"https://{parts.netloc}" if parts.scheme == "http" else ""

    def __repr__(self) -> str:
        return f"SessionHttp(api_url={self.api_url!r}, token=<hidden>)"

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        redirections: int = 5,
        connection_type: Any = None,
    ) -> tuple[httplib2.Response, bytes]:
        if self._https_twin and (uri == self._https_twin or uri.startswith(self._https_twin + "/")):
            uri = self.api_url + uri[len(self._https_twin) :]
        sent = {k.lower(): str(v) for k, v in (headers or {}).items()}
        sent.pop("user-agent", None)  # the session's own User-Agent, not "(gzip)"
        if uri.startswith(self.api_url + "/"):
            sent["authorization"] = f"Bearer {self._token}"
        if hasattr(body, "read"):
            body = body.read()  # one chunk of the file (googleapiclient's _StreamSlice)
        elif isinstance(body, str):
            body = body.encode("utf-8")  # http.client would send a str as Latin-1
        try:
            response = self.session.request(
                method,
                uri,
                data=body,
                headers=sent,
                allow_redirects=False,
                timeout=getattr(self.session, "timeout", DEFAULT_TIMEOUT),
            )
        except requests.RequestException as error:
            raise Lost(error) from None
        info = {k.lower(): v for k, v in response.headers.items()}
        info["status"] = str(response.status_code)
        answer = httplib2.Response(info)
        if (
            self.on_upload_session is not None
            and method == "POST"
            and "uploadType=resumable" in uri
            and answer.status == 200
            and "location" in answer
        ):
            self.on_upload_session(answer["location"])
        return answer, response.content


def build_client(http: SessionHttp) -> Any:
    """Return a YouTube Data API v3 client from the library's own discovery document."""
    return discovery.build(
        "youtube",
        "v3",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": http.api_url},
    )


# --- One account's calls ---------------------------------------------------------------


class Calls:
    """The YouTube client for one account, with the quota charged before each call
    and every failure mapped to the error taxonomy."""

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        creds: Credentials,
        quota: Quota,
        now: Callable[[], datetime],
        on_upload_session: Callable[[str], None] | None = None,
        hidden: Iterable[str] = (),
    ) -> None:
        self.http = SessionHttp(session, api_url, access_token(creds), on_upload_session)
        self.client = build_client(self.http)
        self.quota = quota
        self.now = now
        self.channel = creds.external_id
        self.hidden = [v for v in (*creds.secrets.values(), *hidden) if v]

    def __repr__(self) -> str:
        return f"Calls(channel={self.channel!r}, http={self.http!r})"

    def execute(self, request: Any, method: str, step: Step = Step.READ) -> Any:
        """Charge `method`'s quota, then run a googleapiclient request."""
        self.quota.charge(method, self.channel)
        try:
            return request.execute(num_retries=0)
        except (HttpError, Lost) as error:
            raise self.fail(error, method, step) from None

    def fail(self, error: HttpError | Lost, method: str, step: Step) -> AdapterError:
        if isinstance(error, Lost):
            return lost_error(error, step)
        return self.error(error.resp.status, error.content, error.resp, method, step)

    def error(
        self, status: int, content: bytes, headers: Mapping[str, str], method: str, step: Step
    ) -> AdapterError:
        problem = GoogleError.parse(content)
        if problem.reason in DAY_REASONS or (problem.reason in RATE_REASONS and step is Step.START):
            return self.quota.exhausted(method, problem.reason, self.channel, status)
        return error_for(status, problem, headers, step=step, now=self.now(), hidden=self.hidden)


def access_token(creds: Credentials) -> str:
    token = creds.secrets.get("access_token")
    if not token:
        raise AuthExpired(words("This YouTube account has no access token; reconnect it."))
    return token
