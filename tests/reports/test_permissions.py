"""The reports' services follow the one permission rule: an active administrator of the
program; a member is refused, a deactivated administrator too, and nothing is written."""

from __future__ import annotations

import zoneinfo

import pytest

from programs.errors import DomainError
from programs.models import AuditEntry
from reports import archives, columns
from reports.exports import report_export_start
from reports.models import ReportArchive, ReportColumnChoice

ZONE = zoneinfo.ZoneInfo("UTC")


def calls():
    return [
        lambda a: report_export_start(actor=a, report_key="members", language="en", zone=ZONE),
        lambda a: columns.columns_save(actor=a, columns=["email"]),
        lambda a: columns.columns_saved(actor=a),
        lambda a: archives.archive_start(actor=a),
        lambda a: archives.archive_get(actor=a, archive_id=1),
        lambda a: archives.archive_download(actor=a, archive_id=1),
        lambda a: archives.archives_recent(actor=a),
    ]


@pytest.mark.parametrize("who", ["mentor", "deactivated"])
def test_refused(who, admin, mentor):
    actor = mentor
    if who == "deactivated":
        admin.is_active = False
        admin.save()
        actor = admin
    for call in calls():
        with pytest.raises(DomainError) as refused:
            call(actor)
        assert refused.value.code == "forbidden"
    assert not AuditEntry.objects.exists()
    assert not ReportColumnChoice.objects.exists()
    assert not ReportArchive.objects.exists()


def test_no_columns_is_an_error(admin):
    with pytest.raises(DomainError):
        report_export_start(actor=admin, report_key="custom", columns=(), language="en", zone=ZONE)
    assert not AuditEntry.objects.exists()
