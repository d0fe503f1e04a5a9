"""Show dates and times in the active language's own patterns.

Every date or time a person reads goes through `show()` (or the `when` template
filter, scheduler/templatetags/when.py) with a pattern name, never a fixed
pattern, so English reads "Wed, Nov 25, 9:00 AM" and Swedish "ons 25 nov 09:00".
The names are the `<NAME>_FORMAT` constants in smo/formats/<lang>/formats.py:

    date              Nov 25, 2026                   25 nov 2026
    datetime          Wed, Nov 25, 2026, 9:00 AM     ons 25 nov 2026 09:00
    time              9:00 AM                        09:00
    month_day         Nov 25                         25 nov
    year_month        November 2026                  november 2026
    day               Wednesday, November 25         onsdag 25 november
    short_day         Wed, Nov 25                    ons 25 nov
    day_time          Wed, Nov 25, 9:00 AM           ons 25 nov 09:00
    weekday_time      Wed 9:00 AM                    ons 09:00
    datetime_seconds  Nov 25, 2026, 9:00:05 AM       25 nov 2026 09:00:05
    time_seconds      9:00:05 AM                     09:00:05
    hour              9 AM                           09:00

Machine formats (ISO strings, <input> values, CSV and iCalendar) keep fixed patterns.
"""

from __future__ import annotations

from datetime import date, time

from django.conf import settings
from django.utils import dateformat
from django.utils.formats import get_format_modules
from django.utils.translation import get_language


def pattern(name: str) -> str:
    """Return the pattern called `name` ("day_time") in the active language.

    Django's get_format() returns an unknown name as the pattern itself, so a name
    a language lacks would print as garbage. This walks the same format modules
    (SMO's first, then Django's) and falls back to English's.
    """
    attribute = f"{name.upper()}_FORMAT"
    for lang in (get_language() or settings.LANGUAGE_CODE, "en"):
        # get_format_modules() caches iter_format_modules(lang) per language.
        for module in get_format_modules(lang):
            found = getattr(module, attribute, None)
            if found is not None:
                return str(found)
    raise ValueError(f"No date format called {name!r} ({attribute}) in smo/formats.")


def show(value: date | time, name: str) -> str:
    """Format `value` with the named pattern; an aware datetime keeps its own zone."""
    if isinstance(value, time):
        return dateformat.time_format(value, pattern(name))
    return dateformat.format(value, pattern(name))
