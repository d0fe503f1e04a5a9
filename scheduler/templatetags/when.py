"""`{{ value|when:"day_time" }}`: a date or time in the active language's pattern.

The names are listed in smo/dates.py.
"""

from __future__ import annotations

from datetime import date, time

from django import template

from smo import dates

register = template.Library()


# expects_localtime, as Django's |date has: an aware datetime arrives in the active zone.
@register.filter(expects_localtime=True)
def when(value: date | time | None, name: str) -> str:
    if value in (None, ""):
        return ""
    return dates.show(value, name)  # type: ignore[arg-type]
