"""Files Excel opens safely: BOM, the reader's delimiter, neutralised formulas, and the
.xlsx copy read back with openpyxl."""

from __future__ import annotations

import io

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.urls import reverse

from programs.audit import AuditAction
from programs.models import AuditEntry, Role
from reports.files import excel_delimiter, excel_safe, iso_datetime
from tests.conftest import make_member
from tests.reports.helpers import body

URL = reverse("web:report_download", args=["members"])


def test_bom_delimiter_and_crlf(admin_client):
    data = body(admin_client.get(URL))
    assert data.startswith("\ufeff".encode())
    assert data.endswith(b"\r\n")
    assert b"Identifier,First name" in data


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Zoé", "Zoé"),
        (None, ""),
        (3, "3"),
    ],
)
def test_excel_safe(value, expected):
    assert excel_safe(value) == expected


def test_delimiter_follows_language():
    assert excel_delimiter("fr") == ";" and excel_delimiter("fr-ca") == ";"
    assert excel_delimiter("en") == ","


def test_iso_datetime_naive_is_utc():
    import datetime as dt
    import zoneinfo

    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert iso_datetime(dt.datetime(2024, 7, 1, 12, 0), paris)  # noqa: DTZ001 (SQLite's JSON) == "2024-07-01 14:00"
    assert iso_datetime(None, paris) == ""


def test_xlsx_reads_back(admin_client, org, admin):
    make_member(org, "zoe@mentor.test", "=SUM(A1:A2)", "Zoé Éloïse", Role.MENTEE)

    response = admin_client.get(URL + "?format=xlsx")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    sheet = book.active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["Identifier", "First name", "Surname", "Email address"]
    zoe = next(row for row in rows if row[3] == "zoe@mentor.test")
    assert zoe[2] == "Zoé Éloïse"
    # Text, not a formula: the cell holds the string, of type "s".
    assert zoe[1] == "=SUM(A1:A2)"
    cell = next(row for row in sheet.iter_rows() if row[3].value == "zoe@mentor.test")[1]
    assert cell.data_type == "s"
    assert isinstance(zoe[0], int)
    entry = AuditEntry.objects.get(action=AuditAction.REPORT_EXPORT)
    assert entry.details["format"] == "xlsx" and entry.count == 2
