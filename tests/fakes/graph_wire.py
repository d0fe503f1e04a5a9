"""What the fake Graph API sends and receives: constants, request records, the
Graph error envelope and usage headers, body parsing, field selection and cursors
(platforms.md §2, §3). The server is in graph.py, the endpoints in graph_routes.py.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs

GRAPH_ORIGIN = "https://graph.facebook.com"
VERSION = "v24.0"
USER_ID = "100000000000001"
JSON_TYPE = "application/json; charset=UTF-8"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
IMAGE_CAP = 8 * 1024 * 1024  # "less than 8 MiB" (Instagram error 2207004)


@dataclass(frozen=True)
class FileInfo:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it. `host` is "graph" or "graph-video"."""

    method: str
    host: str
    path: str  # without the version: "/1001/feed"
    version: str
    query: dict[str, str]
    form: dict[str, str]
    files: dict[str, FileInfo]
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        """Query and body parameters, without the access token."""
        merged = {**self.query, **self.form}
        merged.pop("access_token", None)
        return merged

    @property
    def token(self) -> str:
        return self.form.get("access_token") or self.query.get("access_token", "")


@dataclass(frozen=True)
class Fetch:
    """Instagram fetching a container's media URL."""

    url: str
    status: int  # 0 when the connection failed
    size: int
    content_type: str


@dataclass
class Page:
    id: str
    name: str
    token: str
    tasks: list[str]
    instagram: tuple[str, str] | None


@dataclass(frozen=True)
class Redirect:
    location: str


class GraphFault(Exception):
    """An error answer: raised inside a route, turned into the Graph envelope."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.status, self.body = status, body


def graph_error(
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    type: str = "OAuthException",
    user_title: str = "",
    user_msg: str = "",
    transient: bool = False,
) -> dict[str, Any]:
    """Return the Graph error envelope (platforms.md §2)."""
    error: dict[str, Any] = {"message": message, "type": type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["is_transient"] = transient
    if user_title:
        error["error_user_title"] = user_title
    if user_msg:
        error["error_user_msg"] = user_msg
    error["fbtrace_id"] = "AFakeTrace" + base64.b32encode(message.encode()[:5]).decode()
    return {"error": error}


def fault(status: int, code: int, message: str, **kwargs: Any) -> GraphFault:
    return GraphFault(status, graph_error(code, message, **kwargs))


def unsupported(method: str, object_id: str) -> GraphFault:
    """Graph's answer for an object that does not exist (or cannot be seen)."""
    return fault(
        400,
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        subcode=33,
        type="GraphMethodException",
    )


def default_error(status: int) -> dict[str, Any]:
    """The body fail_next sends when given none."""
    if status >= 500:
        return graph_error(
            2, "An unexpected error has occurred. Please retry your request later.", transient=True
        )
    if status == 401:
        return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
    if status == 403:
        return graph_error(200, "(#200) Permissions error")
    if status == 429:
        return graph_error(4, "(#4) Application request limit reached", transient=True)
    return graph_error(100, "(#100) Invalid parameter")


def buc_header(owner: str, minutes: int) -> dict[str, str]:
    """An X-Business-Use-Case-Usage header saying `owner` is blocked for `minutes`."""
    entry = {"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 30}
    entry["estimated_time_to_regain_access"] = minutes
    return {"X-Business-Use-Case-Usage": json.dumps({owner: [entry]})}


def jpeg(width: int = 64, height: int = 64) -> bytes:
    """A small, real JPEG."""
    from PIL import Image  # only the tests that need an image pay for PIL

    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 60, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


# --- Parsing --------------------------------------------------------------------------


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, FileInfo]]:
    if not body:
        return {}, {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        form, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition") or ""
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[str(name)] = FileInfo(filename, part.get_content_type(), len(data))
            else:
                form[str(name)] = data.decode()
        return form, files
    parsed = parse_qs(body.decode(), keep_blank_values=True)
    return {k: v[-1] for k, v in parsed.items()}, {}


def top_fields(fields: str) -> list[str]:
    """ "id,name,instagram_business_account{id,username}" -> ["id", "name", "instagram_business_account"]."""
    return [f.strip() for f in re.sub(r"\{[^{}]*\}", "", fields).split(",") if f.strip()]


def select(item: dict[str, Any], fields: str) -> dict[str, Any]:
    wanted = ["id", *top_fields(fields)]
    return {k: item[k] for k in wanted if k in item}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def unb64(text: str) -> str:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except ValueError:
        return ""
