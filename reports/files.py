"""Files that Excel opens safely, for every download (the email log, the reports).

Two dangers are handled here once: Excel reads a cell that starts with = + - @ (or a tab
or carriage return that it strips first) as a formula — so a member named "=HYPERLINK(…)"
could run one in an administrator's spreadsheet — and Excel guesses the encoding of a
file without a byte-order mark as the local code page, which breaks accents.

Dates and times are written in ISO 8601 (`2024-05-01 14:30`, `2024-05-01`) in the time
zone of whoever downloads the file (the header of a report names it); Excel reads both as
dates in every locale.

The .xlsx copy of a report is written by xlsxwriter in constant-memory mode to a
temporary file (a row is flushed as soon as the next one starts), then streamed: every
text goes in as a string cell, so a formula-looking text stays text there as well.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import quote

import xlsxwriter  # type: ignore[import-untyped]

# Written once at the start of a download: Excel then reads the file as UTF-8.
BOM = "\ufeff"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)

# Bytes per piece when a finished .xlsx file is streamed.
FILE_CHUNK = 256 * 1024


def excel_safe(value: object) -> str:
    """The text of one cell, with a leading apostrophe when Excel would otherwise read it
    as a formula (OWASP "CSV injection"). None is an empty cell; a number is written as
    it is (Excel reads -1 as a number, not a formula). Called for every cell of every
    report: the common cases return first."""
    if isinstance(value, str):
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return excel_safe(str(value))


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


def attachment_disposition(file_name: str) -> str:
    """The Content-Disposition of a download named `file_name` (accents, spaces): the
    UTF-8 name as RFC 5987's `filename*`, which every current browser uses, and an ASCII
    `filename` beside it for older clients (accents dropped, quotes escaped)."""
    plain = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode("ascii")
    plain = " ".join("".join(c if c.isprintable() else "_" for c in plain).split())
    plain = plain.replace("\\", "\\\\").replace('"', '\\"') or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def iso_datetime(value: dt.datetime | None, zone: dt.tzinfo) -> str:
    """An aware time as `YYYY-MM-DD HH:MM` in `zone`; empty for None."""
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC inside JSON aggregates
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def iso_date(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


class XlsxFile:
    """One worksheet written row by row into a temporary file (constant memory), then
    read back in pieces. Used from one thread at a time; `close()` removes the file."""

    def __init__(self, *, sheet_name: str) -> None:
        handle, self.path = tempfile.mkstemp(prefix="tandem-report-", suffix=".xlsx")
        os.close(handle)
        self.book = xlsxwriter.Workbook(
            self.path, {"constant_memory": True, "strings_to_formulas": False}
        )
        # Excel refuses sheet names longer than 31 characters or with []:*?/\ in them.
        safe = "".join(c for c in sheet_name if c not in "[]:*?/\\")[:31] or "Report"
        self.sheet = self.book.add_worksheet(safe)
        self.bold = self.book.add_format({"bold": True})
        self.row = 0

    def header(self, labels: Sequence[str]) -> None:
        for column, label in enumerate(labels):
            self.sheet.write_string(self.row, column, label, self.bold)
        self.row += 1

    def rows(self, rows: Iterable[Sequence[object]]) -> None:
        for values in rows:
            for column, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    self.sheet.write_string(self.row, column, str(value))
                elif isinstance(value, int | float):
                    self.sheet.write_number(self.row, column, value)
                else:
                    # A string cell: "=cmd" is shown as text, never evaluated.
                    self.sheet.write_string(self.row, column, str(value))
            self.row += 1

    def finish(self) -> int:
        """Close the workbook; the file's size in bytes."""
        self.book.close()
        return os.path.getsize(self.path)

    def chunks(self) -> Iterator[bytes]:
        with open(self.path, "rb") as file:
            while chunk := file.read(FILE_CHUNK):
                yield chunk

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
