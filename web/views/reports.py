"""«Générer des rapports» (F7): the prepared reports' page, each report's download (CSV
or .xlsx, streamed), and the custom member report's column picker («Rapport
personnalisé»). The work is in the reports app; these views read the request and answer."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programs.errors import DomainError
from programs.selectors import MemberFilters
from reports import archives as report_archives
from reports import columns as report_columns
from reports.exports import export_stream, report_export_start
from reports.prepared import report_get, reports_listed
from reports.registry import ReportContext
from web.access import admin_required
from web.forms.members import member_filters_read
from web.typing import MemberRequest
from web.views.report_archives import archive_status_text


@admin_required
def reports(request: MemberRequest) -> HttpResponse:
    """The prepared reports, each with its CSV and .xlsx download and its row count (the
    download's progress bar reads it)."""
    context = ReportContext(
        organisation=request.user.organisation,
        actor=request.user,
        language=translation.get_language() or "en",
        zone=timezone.get_current_timezone(),
    )
    rows = [{"report": report, "count": report.count(context)} for report in reports_listed()]
    # «Exporter tous les rapports»: the cohort years offered, the latest archives.
    years = report_archives.cohort_years(
        organisation=request.user.organisation, today=timezone.localdate()
    )
    archive_rows = [
        {
            "archive": archive,
            "available": report_archives.archive_is_available(archive),
            "unfinished": archive.status in ("queued", "running"),
            "text": archive_status_text(archive),
        }
        for archive in report_archives.archives_recent(actor=request.user)
    ]
    return render(
        request,
        "web/reports.html",
        {
            "rows": rows,
            "zone": timezone.get_current_timezone_name(),
            "years": [(year, f"{year}-{year + 1}") for year in years],
            "archives": archive_rows,
            "archive_days": settings.REPORT_ARCHIVE_DAYS,
        },
    )


# web/access.py types its views as returning HttpResponse; a streamed download is an
# HttpResponseBase, which the decorator passes through untouched.
@admin_required  # type: ignore[arg-type]
def report_download(request: MemberRequest, key: str) -> HttpResponse | StreamingHttpResponse:
    """One report as a file. The member reports take the members list's filter from the
    query string; the custom report writes the administrator's saved columns."""
    report = report_get(key)
    filters = MemberFilters()
    if report is not None and report.member_filtered:
        form, filters = member_filters_read(
            request.GET, organisation_id=request.user.organisation_id
        )
        if form.is_bound and not form.is_valid():
            # Never widen an invalid filter to "everyone".
            return HttpResponse(
                _("The members filter is not valid: correct it on the members list."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
    try:
        export = report_export_start(
            actor=request.user,
            report_key=key,
            file_format=request.GET.get("format", "csv"),
            filters=filters,
            columns=report_columns.columns_saved(actor=request.user) if key == "custom" else None,
            language=translation.get_language() or "en",
            zone=zoneinfo.ZoneInfo(timezone.get_current_timezone_name()),
        )
    except DomainError as error:
        if error.code == "not_found":
            raise Http404(str(error.message)) from error
        return HttpResponse(
            str(error.message), status=400, content_type="text/plain; charset=utf-8"
        )
    # An async iterator: Daphne sends each batch as it comes (a sync one would be read
    # whole into memory first).
    response = StreamingHttpResponse(export_stream(export), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Report-Rows"] = str(export.rows)
    return response


@admin_required
def report_custom(request: MemberRequest) -> HttpResponse:
    """«Rapport personnalisé»: tick the columns, «Sauvegarder» keeps them for this
    administrator, then download. The members list's filter rides along in the query
    string, to the download link and back to the list («Fermer»)."""
    query = request.GET.urlencode()
    if request.method == "POST":
        try:
            report_columns.columns_save(actor=request.user, columns=request.POST.getlist("columns"))
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your custom report's columns are saved."))
        return redirect(reverse("web:report_custom") + (f"?{query}" if query else ""))
    chosen = set(report_columns.columns_saved(actor=request.user))
    columns = [
        {"key": column.key, "label": str(column.label), "checked": column.key in chosen}
        for column in report_columns.columns_available(actor=request.user)
    ]
    return render(
        request,
        "web/report_custom.html",
        {"columns": columns, "query": query, "chosen_count": len(chosen)},
    )
