"""Dates and times in words, in the active language, through Django's localized formats
(web/formats/<language>/formats.py). French typography needs what a format string cannot
express: «1er décembre» on the first day of a month and «9 h» (not «9 h 00») on the hour."""

from __future__ import annotations

import datetime
import functools
import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import dateformat, formats
from django.utils.translation import get_language

# An unescaped «j» (day of the month) of a Django format string.
_DAY = re.compile(r"(?<!\\)j")
# French on the hour: «G h i» loses its minutes.
_MINUTES = "\xa0i"

Value = datetime.date | datetime.datetime | datetime.time


def _format_for(value: Value, format_name: str) -> str:
    pattern = str(formats.get_format(format_name))
    if (get_language() or "").split("-")[0] != "fr":
        return pattern
    if isinstance(value, datetime.date) and value.day == 1:
        pattern = _DAY.sub(r"j\\e\\r", pattern)
    if isinstance(value, datetime.datetime | datetime.time) and value.minute == 0:
        pattern = pattern.replace(_MINUTES, "")
    return pattern


def date_label(value: datetime.date | datetime.datetime, format_name: str = "DATE_FORMAT") -> str:
    """`value` (already on the viewer's clock) with the named format, e.g. «1er décembre
    2026» / «December 1, 2026»; DATETIME_FORMAT adds the time, «1er décembre 2026, 9 h»."""
    # The lists call this a hundred times a page, and show the same dates page after page:
    # each label is kept (a few thousand, least recently used first out). The key is the
    # value as written on its clock — its ISO text, offset included — not the value
    # itself: two aware datetimes at the same instant on different clocks are equal.
    return date_label_in(get_language() or "", value, format_name)


def date_label_in(
    language: str, value: datetime.date | datetime.datetime, format_name: str = "DATE_FORMAT"
) -> str:
    """`date_label` when the caller knows the active language (a list, once a page)."""
    kind = "datetime" if isinstance(value, datetime.datetime) else "date"
    return _label(language, format_name, kind, value.isoformat(), value)


@functools.lru_cache(maxsize=4096)
def _label(
    language: str,
    format_name: str,
    kind: str,
    written: str,
    value: datetime.date | datetime.datetime,
) -> str:
    # formats.date_format(value, pattern) would look the pattern up as a format name first
    # (in vain: it is a pattern).
    return dateformat.format(value, _format_for(value, format_name))


@receiver(setting_changed)
def _formats_changed(*, setting: str, **kwargs: object) -> None:
    """A test that changes the formats or the languages starts from new labels."""
    if setting.endswith("_FORMAT") or setting in {"FORMAT_MODULE_PATH", "LANGUAGE_CODE"}:
        _label.cache_clear()


def time_label(value: datetime.datetime | datetime.time) -> str:
    """«9 h», «9 h 30» in French; «9 a.m.», «9:30 a.m.» in English."""
    return dateformat.time_format(value, _format_for(value, "TIME_FORMAT"))
