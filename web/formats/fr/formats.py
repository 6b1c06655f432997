"""French (Canada) dates and times as the app writes them: «1 décembre 2026», «9 h 30»,
non-breaking spaces so a time is never split over two lines. programs.dates adds what a
format string cannot say (the «1er» of the first day, «9 h» on the hour).
Loaded through FORMAT_MODULE_PATH; the other settings keep Django's French defaults."""

from __future__ import annotations

DATE_FORMAT = "j F Y"
TIME_FORMAT = "G\xa0\\h\xa0i"
DATETIME_FORMAT = "j F Y, G\xa0\\h\xa0i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d G\xa0\\h\xa0i"
