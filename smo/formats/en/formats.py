"""English: month before day and a 12-hour clock, as Django's `en`.

Django's `en` writes AP style ("Nov. 25", "9 a.m."), which reads oddly in a
scheduler's lists; these follow the usual app style instead. Each pattern uses
Django's date syntax: https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
"""

# A no-break space (\u00a0) keeps "AM" and "PM" on the line of their time.

# Django's own names.
DATE_FORMAT = "M j, Y"  # Nov 25, 2026
DATETIME_FORMAT = "D, M j, Y, g:i\u00a0A"  # Wed, Nov 25, 2026, 9:00 AM
TIME_FORMAT = "g:i\u00a0A"  # 9:00 AM
MONTH_DAY_FORMAT = "M j"  # Nov 25
YEAR_MONTH_FORMAT = "F Y"  # November 2026

# SMO's own names (smo/dates.py).
DAY_FORMAT = "l, F j"  # Wednesday, November 25: a day's heading
SHORT_DAY_FORMAT = "D, M j"  # Wed, Nov 25: a day in a narrow column
DAY_TIME_FORMAT = "D, M j, g:i\u00a0A"  # Wed, Nov 25, 9:00 AM: lists and messages
WEEKDAY_TIME_FORMAT = "D g:i\u00a0A"  # Wed 9:00 AM: a time in the coming week
DATETIME_SECONDS_FORMAT = "M j, Y, g:i:s\u00a0A"  # Nov 25, 2026, 9:00:05 AM: what happened when
TIME_SECONDS_FORMAT = "g:i:s\u00a0A"  # 9:00:05 AM: attempt logs
HOUR_FORMAT = "g\u00a0A"  # 9 AM: the week grid's hour labels
