"""The networks' own OpenAPI descriptions, for holding fakes to the real contract.

The files live outside the project (../shared/specs/, or the folder SMO_API_SPECS
names; see that folder's README) and are read once per test session. Where the
folder is absent, `contract()` returns None and fakes run without validation.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.security.factories import SecurityProviderFactory
from openapi_core.security.providers import HttpProvider
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.request.exceptions import SecurityValidationError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def specs_dir() -> Path:
    return Path(os.environ.get("SMO_API_SPECS") or PROJECT_ROOT.parent / "shared" / "specs")


@cache
def load_spec(filename: str) -> dict[str, Any] | None:
    """Return the parsed description, or None where the specs folder is absent."""
    path = specs_dir() / filename
    if not path.is_file():
        if os.environ.get("SMO_REQUIRE_SPECS") == "1":
            # CI sets this, so a missing folder fails there instead of quietly
            # running the fakes without the networks' contracts.
            raise RuntimeError(f"SMO_REQUIRE_SPECS=1 and {path} is missing (set SMO_API_SPECS)")
        return None
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return spec


@cache
def contract(filename: str, host_url: str) -> Contract | None:
    spec = load_spec(filename)
    if spec is None:
        return None
    return Contract(spec, host_url)


class BearerProvider(HttpProvider):
    """OAuth 2 user tokens travel as `Authorization: Bearer`; openapi-core only warns
    "Unsupported scheme type" for oauth2 schemes and checks nothing."""

    def __init__(self, scheme: Any) -> None:
        super().__init__(scheme)
        self.scheme = {"scheme": "bearer"}


class Security(SecurityProviderFactory):
    PROVIDERS = {**SecurityProviderFactory.PROVIDERS, "oauth2": BearerProvider}


@dataclass(frozen=True)
class Violation:
    kind: str  # "security", "path" or "invalid"
    message: str


class Contract:
    """Check requests and responses against one OpenAPI description."""

    def __init__(self, spec: Mapping[str, Any], host_url: str) -> None:
        self.host_url = host_url
        spec = _overlapping_enums(
            _discriminated_unions(_cast_multipart_fields(copy.deepcopy(dict(spec))))
        )
        self.api = OpenAPI.from_dict(
            spec,
            config=Config(
                spec_validator_cls=None,  # the networks' file, not ours to lint
                security_provider_factory=Security(),
                extra_media_type_deserializers={"application/problem+json": _json},
            ),
        )

    def check_request(
        self,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        content_type: str,
    ) -> list[Violation]:
        request = self._request(method, path, query, headers, body, content_type)
        return [_violation(error) for error in self.api.iter_request_errors(request)]

    def check_response(
        self,
        method: str,
        path: str,
        status: int,
        body: bytes,
        content_type: str,
    ) -> list[Violation]:
        request = self._request(method, path, (), {}, b"", "")
        response = MockResponse(body, status_code=status, content_type=content_type)
        return [_violation(e) for e in self.api.iter_response_errors(request, response)]

    def _request(
        self,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        content_type: str,
    ) -> MockRequest:
        return MockRequest(
            self.host_url,
            method,
            path,
            args=dict(query),  # no endpoint a fake serves takes a repeated parameter
            headers=dict(headers),
            data=body,
            content_type=content_type,
        )


def _json(value: bytes, **parameters: str) -> Any:
    return json.loads(value)


def _violation(error: Exception) -> Violation:
    kind = "invalid"
    if isinstance(error, SecurityValidationError):
        kind = "security"
    elif isinstance(error, PathError):
        kind = "path"
    return Violation(kind, _describe(error))


def _describe(error: BaseException) -> str:
    """Return the error with the schema's own reasons, which openapi-core keeps in causes."""
    parts = [str(error)]
    cause = error.__cause__
    while cause is not None:
        reasons = [getattr(e, "message", str(e)) for e in getattr(cause, "schema_errors", ())]
        parts.append("; ".join(reasons) if reasons else str(cause))
        cause = cause.__cause__
    return ": ".join(p for p in parts if p)


def _cast_multipart_fields(spec: dict[str, Any]) -> dict[str, Any]:
    """Let multipart integer/number/boolean fields be read as form values.

    openapi-core 0.23.1 validates multipart parts as text, so a correct
    `segment_index=0` fails "'0' is not of type 'integer'" (the same bug was fixed
    for urlencoded bodies only, python-openapi/openapi-core#700). Declaring
    `style: form` encoding makes it cast them, as a server would.
    """
    schemas = spec.get("components", {}).get("schemas", {})
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            media = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            if not media or "schema" not in media:
                continue
            schema = media["schema"]
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            encoding = media.setdefault("encoding", {})
            for name, prop in schema.get("properties", {}).items():
                if prop.get("type") in ("integer", "number", "boolean"):
                    encoding.setdefault(name, {"style": "form", "explode": True})
    return spec


def _discriminated_unions(spec: dict[str, Any]) -> dict[str, Any]:
    """Make a schema that names its variants only in `discriminator.mapping` a oneOf of them.

    Pinterest's OAuth token request and response are written so (a refresh
    request must carry `refresh_token`, a code exchange `code` and
    `redirect_uri`), and openapi-core reads a discriminator only beside
    oneOf/anyOf: as written, every token request would pass. X's description
    has no such schema, so it is unchanged.
    """
    for schema in spec.get("components", {}).get("schemas", {}).values():
        if not isinstance(schema, dict) or {"oneOf", "anyOf"} & set(schema):
            continue
        discriminator = schema.get("discriminator") or {}
        if discriminator.get("mapping"):
            variants = [{"$ref": ref} for ref in discriminator["mapping"].values()]
            schema.clear()
            schema.update(oneOf=variants, discriminator=discriminator)
    return spec


def _overlapping_enums(node: Any) -> Any:
    """Read a oneOf of plain enums as anyOf.

    Pinterest's Pin analytics `metric_types` items are a oneOf of the standard and
    the video metric enums, which share IMPRESSION, SAVE, OUTBOUND_CLICK and
    more: read strictly, a shared metric matches both variants and fails, yet
    the API takes it for any Pin. A value in any of the enums is what is meant.
    """
    if isinstance(node, dict):
        variants = node.get("oneOf")
        if (
            isinstance(variants, list)
            and variants
            and all(
                isinstance(v, dict) and "enum" in v and set(v) <= {"enum", "type", "description"}
                for v in variants
            )
        ):
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _overlapping_enums(value)
    elif isinstance(node, list):
        for value in node:
            _overlapping_enums(value)
    return node
