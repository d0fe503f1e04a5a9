"""Every API error is JSON naming what is wrong: {"detail": ..., "errors": {field: [...]}}."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error data into {"field" or "field.sub": [messages]}."""
    if isinstance(data, dict):
        out: dict[str, list[str]] = {}
        for key, value in data.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else key
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else str(name)))
        return out
    if isinstance(data, list):
        if all(not isinstance(v, (dict, list)) for v in data):
            return {prefix or "non_field_errors": [str(v) for v in data]}
        out = {}
        for i, value in enumerate(data):
            out.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
        return out
    return {prefix or "non_field_errors": [str(data)]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {
                "detail": _("The request body is not valid JSON."),
                "errors": {"body": [str(exc.detail)]},
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first_field, messages = next(iter(errors.items()), ("", [""]))
        summary = f"{first_field}: {messages[0]}" if first_field else _("Invalid input.")
        response.data = {"detail": summary, "errors": errors}
    elif isinstance(exc, Http404) or isinstance(exc, exceptions.NotFound):
        response.data = {"detail": _("Not found."), "errors": {}}
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        response.data = {"detail": str(detail), "errors": {}}
    return response
