"""Local wall-clock times to UTC instants, with DST gaps and overlaps refused.

A person types "2026-03-29 02:30" in Europe/Stockholm; that minute does not exist
(clocks jump from 02:00 to 03:00). Python would silently shift it, so this module
checks both folds and says what is wrong instead (DESIGN.md "Data").
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class LocalTimeError(ValueError):
    """A wall-clock time that does not name exactly one instant."""


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone called `name`, or raise LocalTimeError."""
    if not name or name not in _known_zones():
        raise LocalTimeError(_("Unknown time zone: %(name)s.") % {"name": name})
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise LocalTimeError(_("Unknown time zone: %(name)s.") % {"name": name}) from exc


_ZONES: frozenset[str] | None = None


def _known_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def validate_timezone(name: str) -> None:
    """Model-field validator for IANA zone names."""
    try:
        zone(name)
    except LocalTimeError as exc:
        raise ValidationError(str(exc)) from exc


def to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """Interpret a naive wall-clock time in `tz` and return it in UTC.

    Raise LocalTimeError when the time falls in a DST gap (does not exist) or an
    overlap (happens twice), naming the offsets that would make it exact.
    """
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    early = naive.replace(tzinfo=tz, fold=0)
    late = naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early.astimezone(UTC)
    # Round-tripping tells a gap from an overlap: in a gap, neither fold maps
    # back to the same wall-clock time.
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise LocalTimeError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks move forward at that time "
                "(daylight saving). Pick another time."
            )
            % {"time": naive.strftime("%Y-%m-%d %H:%M"), "zone": tz.key}
        )
    raise LocalTimeError(
        _(
            "%(time)s happens twice in %(zone)s (the clocks go back). Give the UTC "
            "offset to say which: %(first)s or %(second)s."
        )
        % {
            "time": naive.strftime("%Y-%m-%d %H:%M"),
            "zone": tz.key,
            "first": early.strftime("%z"),
            "second": late.strftime("%z"),
        }
    )
