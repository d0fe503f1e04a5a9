"""Swedish: day before month and a 24-hour clock, as Django's `sv`.

Swedish writes day and month names in lowercase ("ons 25 nov"): "b" is the
lowercase short month, where "M" would give "Nov". Templates capitalise a
heading with |capfirst. Each pattern uses Django's date syntax:
https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
"""

# Django's own names.
DATE_FORMAT = "j b Y"  # 25 nov 2026 (Django's is "j F Y", 25 november 2026)
DATETIME_FORMAT = "D j b Y H:i"  # ons 25 nov 2026 09:00
TIME_FORMAT = "H:i"  # 09:00
MONTH_DAY_FORMAT = "j b"  # 25 nov
YEAR_MONTH_FORMAT = "F Y"  # november 2026

# SMO's own names (smo/dates.py).
DAY_FORMAT = "l j F"  # onsdag 25 november
SHORT_DAY_FORMAT = "D j b"  # ons 25 nov
DAY_TIME_FORMAT = "D j b H:i"  # ons 25 nov 09:00
WEEKDAY_TIME_FORMAT = "D H:i"  # ons 09:00
DATETIME_SECONDS_FORMAT = "j b Y H:i:s"  # 25 nov 2026 09:00:05
TIME_SECONDS_FORMAT = "H:i:s"  # 09:00:05
HOUR_FORMAT = "H:i"  # 09:00
