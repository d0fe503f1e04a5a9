"""Google's discovery documents, for holding fakes to the real API (as specs.py does
for OpenAPI).

The document is the one google-api-python-client ships
(googleapiclient/discovery_cache/documents/<api>.<version>.json), the same the
adapter builds its client from. A request is found by HTTP method and path
(the method's `flatPath`, or its `mediaUpload` paths), its query parameters are
checked against the method's and the document's parameters (unknown, missing
required, type, enum, minimum/maximum, pattern, repeated) and its JSON body
against the request schema; a response body against the response schema. The
schemas become JSON Schema with no unknown properties allowed, int64 written as
a decimal string, and date-times in RFC 3339. Google's error envelope is not in
the document: ERROR_ENVELOPE is written from platforms.md §6.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient
from googleapiclient import mimeparse
from jsonschema import Draft7Validator

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
INT64 = r"^-?\d+$"
# google.rpc.Code names, which the envelope's `status` takes.
RPC_STATUSES = (
    "OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS "
    "PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE "
    "UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED"
).split()
ERROR_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "status": {"enum": RPC_STATUSES},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["message", "domain", "reason"],
                        "additionalProperties": False,
                        "properties": {
                            "message": {"type": "string"},
                            "domain": {"type": "string"},
                            "reason": {"type": "string"},
                            "location": {"type": "string"},
                            "locationType": {"type": "string"},
                            "extendedHelp": {"type": "string"},
                            "sendReport": {"type": "string"},
                        },
                    },
                },
                "details": {"type": "array"},
            },
        }
    },
}


@dataclass(frozen=True)
class Method:
    id: str  # "youtube.videos.insert"
    spec: dict[str, Any]
    upload: bool  # reached on a mediaUpload path

    @property
    def name(self) -> str:
        """The quota table's name: "videos.insert"."""
        return self.id.split(".", 1)[1]


@cache
def load(api: str = "youtube", version: str = "v3") -> Discovery:
    document = json.loads((DOCUMENTS / f"{api}.{version}.json").read_text(encoding="utf-8"))
    return Discovery(document)


class Discovery:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.routes: list[tuple[str, re.Pattern[str], Method]] = []
        for spec in _methods(document.get("resources", {})):
            path = "/" + spec.get("flatPath", spec["path"]).lstrip("/")
            self.routes.append(
                (spec["httpMethod"], _pattern(path), Method(spec["id"], spec, False))
            )
            for protocol in spec.get("mediaUpload", {}).get("protocols", {}).values():
                upload = Method(spec["id"], spec, True)
                self.routes.append((spec["httpMethod"], _pattern(protocol["path"]), upload))
        self.requests = _definitions(document["schemas"], request=True)
        self.responses = _definitions(document["schemas"], request=False)
        self.envelope = Draft7Validator(ERROR_ENVELOPE)
        self._validators: dict[tuple[bool, str], Draft7Validator] = {}

    def find(self, http_method: str, path: str) -> Method | None:
        for verb, pattern, method in self.routes:
            if verb == http_method and pattern.fullmatch(path):
                return method
        return None

    def check_query(self, method: Method, query: list[tuple[str, str]]) -> list[str]:
        known = {**self.document.get("parameters", {}), **method.spec.get("parameters", {})}
        found: list[str] = []
        names = [name for name, _ in query]
        for index, (name, value) in enumerate(query):
            spec = known.get(name)
            if spec is None or spec.get("location") != "query":
                found.append(f"unknown query parameter {name!r}")
                continue
            repeats = names.count(name)
            if repeats > 1 and not spec.get("repeated") and names.index(name) == index:
                found.append(f"{name!r} is not repeated but was sent {repeats} times")
            found += [f"{name}: {p}" for p in _value_problems(spec, value)]
        for name, spec in method.spec.get("parameters", {}).items():
            if spec.get("required") and name not in names:
                found.append(f"required query parameter {name!r} is missing")
        return found

    def check_body(self, method: Method, body: Any) -> list[str]:
        ref = method.spec.get("request", {}).get("$ref")
        if ref is None:
            return [] if body is None else ["the method takes no request body"]
        if body is None:
            return []  # Google treats an absent body as an empty resource
        found = self._errors(ref, body, request=True)
        found += _annotated_required(self.document["schemas"], ref, body, method.id)
        return found

    def check_upload(self, method: Method, content_type: str, size: int) -> list[str]:
        """The media of an upload: an accepted type, and no bigger than maxSize."""
        media = method.spec.get("mediaUpload", {})
        found = []
        if not mimeparse.best_match([content_type], ",".join(media.get("accept", []))):
            found.append(f"media type {content_type!r} is not in {media.get('accept')}")
        if size > int(media.get("maxSize") or size):
            found.append(f"media of {size} bytes is over maxSize {media['maxSize']}")
        return found

    def check_response(self, method: Method, body: Any) -> list[str]:
        ref = method.spec.get("response", {}).get("$ref")
        if ref is None:
            return [] if body in (None, b"", "") else ["the method answers with no body"]
        return self._errors(ref, body, request=False)

    def _errors(self, ref: str, body: Any, *, request: bool) -> list[str]:
        validator = self._validators.get((request, ref))
        if validator is None:
            definitions = self.requests if request else self.responses
            validator = Draft7Validator(
                {"$ref": f"#/definitions/{ref}", "definitions": definitions}
            )
            self._validators[(request, ref)] = validator
        return [_describe(e) for e in validator.iter_errors(body)]

    def check_error(self, status: int, body: Any) -> list[str]:
        found = [_describe(e) for e in self.envelope.iter_errors(body)]
        code = body.get("error", {}).get("code") if isinstance(body, dict) else None
        if not found and code != status:
            found.append(f"error.code {code} differs from the HTTP status {status}")
        return found


def _methods(resources: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for resource in resources.values():
        found += list(resource.get("methods", {}).values())
        found += _methods(resource.get("resources", {}))
    return found


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", "/" + path.lstrip("/"))
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def _value_problems(spec: dict[str, Any], value: str) -> list[str]:
    kind = spec.get("type", "string")
    values = value.split(",") if spec.get("repeated") else [value]
    problems = []
    for one in values:
        if kind == "boolean" and one not in ("true", "false"):
            problems.append(f"{one!r} is not true or false")
        elif kind == "integer":
            if not re.fullmatch(r"-?\d+", one):
                problems.append(f"{one!r} is not an integer")
                continue
            low, high = spec.get("minimum"), spec.get("maximum")
            if (low is not None and int(one) < int(low)) or (
                high is not None and int(one) > int(high)
            ):
                problems.append(f"{one} is outside {low}..{high}")
        if "enum" in spec and one not in spec["enum"]:
            problems.append(f"{one!r} is not one of {spec['enum']}")
        if "pattern" in spec and not re.fullmatch(spec["pattern"], one):
            problems.append(f"{one!r} does not match {spec['pattern']}")
    return problems


def _definitions(schemas: dict[str, Any], *, request: bool) -> dict[str, Any]:
    return {name: _convert(schema, request=request) for name, schema in schemas.items()}


def _convert(schema: dict[str, Any], *, request: bool) -> dict[str, Any]:
    """Turn one discovery schema into JSON Schema."""
    if "$ref" in schema:
        return {"$ref": f"#/definitions/{schema['$ref']}"}
    kind = schema.get("type")
    out: dict[str, Any]
    if kind == "object":
        out = {"type": "object"}
        if "properties" in schema:
            out["properties"] = {
                name: _convert(prop, request=request)
                for name, prop in schema["properties"].items()
                # Output-only fields have no place in a request.
                if not (request and prop.get("readOnly"))
            }
            out["additionalProperties"] = False
        if "additionalProperties" in schema:
            out["additionalProperties"] = _convert(schema["additionalProperties"], request=request)
    elif kind == "array":
        out = {"type": "array", "items": _convert(schema.get("items", {}), request=request)}
    elif kind == "string":
        out = {"type": "string"}
        fmt = schema.get("format")
        if fmt in ("int64", "uint64"):
            # JSON carries 64-bit integers as strings; a request may send numbers too.
            out = (
                {"anyOf": [{"type": "string", "pattern": INT64}, {"type": "integer"}]}
                if request
                else {"type": "string", "pattern": INT64}
            )
        elif fmt in ("date-time", "google-datetime"):
            out["pattern"] = RFC3339
        if "enum" in schema:
            out["enum"] = schema["enum"]
    elif kind == "integer":
        out = {"type": "integer"}
        if schema.get("format") in ("uint32", "uint64"):
            out["minimum"] = 0
    elif kind == "number":
        out = {"type": "number"}
    elif kind == "boolean":
        out = {"type": "boolean"}
    else:
        out = {}  # "any"
    return out


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(body)"
    return f"{where}: {error.message}"


def _annotated_required(
    schemas: dict[str, Any], ref: str, body: Any, method_id: str, where: str = ""
) -> list[str]:
    """Properties whose `annotations.required` names this method must be present."""
    schema = schemas.get(ref, {})
    if not isinstance(body, dict):
        return []
    found = []
    for name, prop in schema.get("properties", {}).items():
        here = f"{where}/{name}" if where else name
        if method_id in prop.get("annotations", {}).get("required", []) and name not in body:
            found.append(f"{here} is required by {method_id}")
        if "$ref" in prop and isinstance(body.get(name), dict):
            found += _annotated_required(schemas, prop["$ref"], body[name], method_id, here)
    return found
