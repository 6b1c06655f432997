"""«Importer des membres»: upload a CSV file, see every row checked, confirm, and watch
the background job create the members (programs.imports does the work)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs import imports
from programs.errors import DomainError
from programs.models import ImportStatus, MemberImport, Role
from web.access import admin_required
from web.forms.member_import import MemberImportForm
from web.typing import MemberRequest

# The rows with errors shown at most on the page (the count says how many in all).
ERROR_ROWS = 500


def _import_of(request: MemberRequest, import_id: int) -> MemberImport:
    """Only an import of the administrator's own organisation: any other is a 404."""
    return get_object_or_404(
        MemberImport.objects.defer("rows"),
        pk=import_id,
        organisation_id=request.user.organisation_id,
    )


def _read(upload) -> bytes:
    """At most one byte more than the limit: enough to tell it is too big."""
    return upload.read(settings.MEMBER_IMPORT_MAX_BYTES + 1)


@admin_required
def member_import(request: MemberRequest) -> HttpResponse:
    form = MemberImportForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check, member_import = imports.member_import_prepare(
                actor=request.user,
                organisation=request.user.organisation,
                file_name=upload.name or "",
                content=_read(upload),
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            if member_import is not None:
                return redirect("web:member_import_detail", import_id=member_import.pk)
    bad_rows = check.bad_rows if check else []
    return render(
        request,
        "web/member_import.html",
        {
            "form": form,
            "check": check,
            "file_problems": check.problems if check else [],
            "bad_rows": bad_rows[:ERROR_ROWS],
            "bad_count": len(bad_rows),
            "max_rows": settings.MEMBER_IMPORT_MAX_ROWS,
            "max_mb": f"{settings.MEMBER_IMPORT_MAX_BYTES / 1024 / 1024:g}",
        },
        status=400 if check and not check.is_clean else 200,
    )


@admin_required
def member_import_sample(request: MemberRequest) -> HttpResponse:
    """The sample file, headers in the administrator's language, one row per role."""
    text = imports.sample_csv(organisation=request.user.organisation, language=get_language())
    response = HttpResponse(
        # With its BOM, so Excel reads the accents of a French sample right.
        "\ufeff" + text,
        content_type="text/csv; charset=utf-8",
    )
    name = _("members-import-sample")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@admin_required
def member_import_detail(request: MemberRequest, import_id: int) -> HttpResponse:
    """A clean file's preview with the confirm button, then the import's progress."""
    member_import = _import_of(request, import_id)
    context: dict[str, object] = {"member_import": member_import}
    if member_import.status == ImportStatus.VALIDATED:
        rows = MemberImport.objects.filter(pk=member_import.pk).values_list("rows", flat=True)[0]
        by_role = {role: 0 for role in (Role.MENTOR, Role.MENTEE)}
        for row in rows:
            by_role[row["role"]] = by_role.get(row["role"], 0) + 1
        context.update(
            first_rows=rows[: imports.PREVIEW_ROWS],
            mentors=by_role[Role.MENTOR],
            mentees=by_role[Role.MENTEE],
            roles=dict(Role.choices),
        )
    return render(request, "web/member_import_detail.html", context)


@admin_required
@require_POST
def member_import_confirm(request: MemberRequest, import_id: int) -> HttpResponse:
    member_import = _import_of(request, import_id)
    try:
        imports.member_import_confirm(actor=request.user, member_import=member_import)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:member_import_detail", import_id=member_import.pk)


@admin_required
def member_import_progress(request: MemberRequest, import_id: int) -> JsonResponse:
    """The job.progress payload, read now: the page asks when it (re)connects."""
    member_import = _import_of(request, import_id)
    state = {ImportStatus.DONE: "done", ImportStatus.FAILED: "failed"}.get(
        ImportStatus(member_import.status), "running"
    )
    return JsonResponse(
        {
            "kind": "member_import",
            "id": member_import.pk,
            "done": member_import.done,
            "total": member_import.total,
            "state": state,
        }
    )
