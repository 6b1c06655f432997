"""CSV that Excel opens safely, for every download (email log, reports).

Two dangers are handled here once: Excel reads a cell that starts with = + - @ (or a tab
or carriage return that it strips first) as a formula — so a member named "=HYPERLINK(…)"
could run one in an administrator's spreadsheet — and Excel guesses the encoding of a
file without a byte-order mark as the local code page, which breaks accents.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# Written once at the start of a download: Excel then reads the file as UTF-8.
BOM = "\ufeff"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: object) -> str:
    """The text of one cell, with a leading apostrophe when Excel would otherwise read it
    as a formula (OWASP "CSV injection"). None is an empty cell."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def excel_delimiter(language: str) -> str:
    """Excel splits on the list separator of the reader's regional settings: a comma in
    English, a semicolon in French (where the comma is the decimal mark)."""
    return ";" if language.split("-")[0] == "fr" else ","


def csv_lines(rows: Iterable[Iterable[object]], *, delimiter: str = ",") -> str:
    """Several rows as CSV text (CRLF line ends, quotes where needed), every cell made
    Excel-safe. One writer for the whole batch: cheaper than a line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([excel_safe(value) for value in row])
    return buffer.getvalue()


def csv_line(values: Iterable[object], *, delimiter: str = ",") -> str:
    """One row as a CSV line ending in CRLF, every cell made Excel-safe."""
    return csv_lines([values], delimiter=delimiter)
