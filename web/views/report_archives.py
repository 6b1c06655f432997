"""«Exporter tous les rapports»: ask for the year's ZIP from «Générer des rapports»,
follow its progress, download it. The work is in reports.archives; these views read the
request and answer. Another organisation's archive, an expired one: 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs.errors import DomainError
from reports import archives
from reports.files import attachment_disposition
from reports.models import ArchiveStatus, ReportArchive
from web.access import admin_required
from web.typing import MemberRequest


def archive_status_text(archive: ReportArchive) -> str:
    """The sentence the page shows for an archive (and the script writes when it ends)."""
    if archive.status == ArchiveStatus.DONE and archive.expires_at is not None:
        return _("Ready ({size}), available until {date}").format(
            size=filesizeformat(archive.size),
            date=formats.date_format(timezone.localtime(archive.expires_at), "DATETIME_FORMAT"),
        )
    if archive.status == ArchiveStatus.FAILED:
        return _("Preparing the archive failed. Please try again.")
    return _("{done} of {total} reports written…").format(done=archive.done, total=archive.total)


def _archive_or_404(request: MemberRequest, archive_id: int) -> ReportArchive:
    try:
        return archives.archive_get(actor=request.user, archive_id=archive_id)
    except DomainError as error:
        raise Http404(str(error.message)) from error


@admin_required
@require_POST
def report_archive_start(request: MemberRequest) -> HttpResponse:
    """«Exporter tous les rapports»: queue the ZIP for the chosen cohort years."""
    year = request.POST.get("cohort_start_year", "")
    try:
        archives.archive_start(
            actor=request.user, cohort_start_year=int(year) if year.isdigit() else None
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Your archive is being prepared. You may leave this page: it goes on."),
        )
    return redirect(reverse("web:reports") + "#archive")


@admin_required
def report_archive_progress(request: MemberRequest, archive_id: int) -> JsonResponse:
    """The job.progress payload read now, with the sentence to show: the page asks when
    the archive ends and every few seconds in case its socket is down."""
    archive = _archive_or_404(request, archive_id)
    if archive.status == ArchiveStatus.EXPIRED:
        raise Http404
    return JsonResponse(
        {
            "kind": "report_archive",
            "id": archive.pk,
            "done": archive.done,
            "total": archive.total,
            "state": archives.progress_state(archive),
            "message": archive_status_text(archive),
        }
    )


# web/access.py types its views as returning HttpResponse; a file response is an
# HttpResponseBase, which the decorator passes through untouched.
@admin_required  # type: ignore[arg-type]
def report_archive_download(request: MemberRequest, archive_id: int) -> FileResponse:
    try:
        archive, path = archives.archive_download(actor=request.user, archive_id=archive_id)
    except DomainError as error:
        raise Http404(str(error.message)) from error
    response = FileResponse(path.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = attachment_disposition(archive.file_name)
    response["Cache-Control"] = "private, no-store"
    return response
