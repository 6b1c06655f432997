"""Dates and times in words: French typography («1er décembre», «9 h», «9 h 30»)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from programs.dates import date_label, time_label

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("value", "format_name", "french", "english"),
    [
        (datetime.date(2026, 12, 1), "DATE_FORMAT", "1er décembre 2026", "Dec. 1, 2026"),
        (datetime.date(2026, 12, 11), "DATE_FORMAT", "11 décembre 2026", "Dec. 11, 2026"),
        (
            datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC),
            "DATETIME_FORMAT",
            f"1er décembre 2026, 9{NBSP}h",
            "Dec. 1, 2026, 9 a.m.",
        ),
        (
            datetime.datetime(2026, 12, 21, 9, 30, tzinfo=datetime.UTC),
            "DATETIME_FORMAT",
            f"21 décembre 2026, 9{NBSP}h{NBSP}30",
            "Dec. 21, 2026, 9:30 a.m.",
        ),
        (
            datetime.date(2026, 12, 1),
            "l j F Y",
            "mardi 1er décembre 2026",
            "Tuesday 1 December 2026",
        ),
    ],
)
def test_dates_read_as_each_language_writes_them(value, format_name, french, english):
    with translation.override("fr"):
        assert date_label(value, format_name) == french
    with translation.override("en"):
        assert date_label(value, format_name) == english


def test_french_times_say_h_and_drop_zero_minutes():
    with translation.override("fr"):
        assert time_label(datetime.time(9, 0)) == f"9{NBSP}h"
        assert time_label(datetime.time(9, 30)) == f"9{NBSP}h{NBSP}30"
        assert time_label(datetime.time(14, 5)) == f"14{NBSP}h{NBSP}05"
    with translation.override("en"):
        assert time_label(datetime.time(9, 30)) == "9:30 a.m."
