"""Selection actions on the members list (programs.member_selection does the work): the
list's form posts the ticked members (or "all matching the filter") and an action; the
preview lists who it will change and who it leaves out, and why; the confirmation
applies it to exactly those people."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from programs import member_selection
from programs.errors import DomainError
from programs.models import BulkStatus, MemberSelection, SelectionAction
from web.access import admin_required
from web.forms.cohort import MemberDeleteForm
from web.forms.members import member_filters_read
from web.typing import MemberRequest

PREVIEW_PAGE = 50


def _int(value: str | None) -> int | None:
    # Ids come from a form: anything but a plausible id means "none".
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _members_url(query: str) -> str:
    # Read and written again: whatever was posted, only a query string comes back.
    query = QueryDict(query).urlencode()
    return reverse("web:members") + (f"?{query}" if query else "")


def _selection_of(request: MemberRequest, selection_id: int) -> MemberSelection:
    try:
        return member_selection.selection_get(actor=request.user, selection_id=selection_id)
    except DomainError as error:
        raise Http404 from error


@admin_required
@require_POST
def member_selection_start(request: MemberRequest) -> HttpResponse:
    """The members list's action bar: the selection checked and stored, then its preview.
    Another organisation's ids posted are ignored (they match nobody here)."""
    query = request.POST.get("query", "")
    filters = None
    if request.POST.get("scope") == "filter":
        form, filters = member_filters_read(
            QueryDict(query), organisation_id=request.user.organisation_id
        )
        if form.is_bound and not form.is_valid():
            # Never "everyone" by a filter the list could not read.
            messages.error(request, _("The filter is not valid: nothing was selected."))
            return redirect(_members_url(""))
    ids = [pk for pk in map(_int, request.POST.getlist("member")) if pk]
    try:
        selection = member_selection.member_selection_prepare(
            actor=request.user,
            action=request.POST.get("action", ""),
            member_ids=ids,
            filters=filters,
            list_query=query,
            group_id=_int(request.POST.get("group")),
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_members_url(query))
    return redirect("web:member_selection", selection_id=selection.pk)


def _preview(
    request: MemberRequest, selection: MemberSelection, form: MemberDeleteForm | None = None
) -> HttpResponse:
    people = Paginator(selection.member_ids, PREVIEW_PAGE).get_page(request.GET.get("page"))
    refused = Paginator(selection.refused, PREVIEW_PAGE).get_page(request.GET.get("refused"))
    failures = selection.failures
    # One query for every name the page shows.
    by_id = member_selection.selection_people(
        selection=selection,
        ids=[
            *people.object_list,
            *(pk for pk, _reason in refused.object_list),
            *(pk for pk, _text in failures),
        ],
    )
    validated = selection.status == BulkStatus.VALIDATED
    deleting = selection.action == SelectionAction.DELETE
    if deleting and validated and form is None:
        form = MemberDeleteForm()
    return render(
        request,
        "web/member_selection.html",
        {
            "selection": selection,
            "action_label": selection.get_action_display(),
            "count": len(selection.member_ids),
            "people": people,
            "people_rows": [by_id[pk] for pk in people.object_list if pk in by_id],
            "refused": refused,
            "refused_rows": [
                (by_id[pk], member_selection.reason_text(reason))
                for pk, reason in refused.object_list
                if pk in by_id
            ],
            "failure_rows": [(by_id[pk], text) for pk, text in failures if pk in by_id],
            "deleted_names": member_selection.selection_deleted_names(selection=selection)
            if deleting and not validated
            else [],
            "validated": validated,
            "form": form,
            "program_name": request.user.organisation.name,
            "members_url": _members_url(selection.list_query),
        },
        status=400 if form is not None and form.errors else 200,
    )


@admin_required
def member_selection_detail(request: MemberRequest, selection_id: int) -> HttpResponse:
    """The preview — exactly who the confirmation changes — then what was done."""
    return _preview(request, _selection_of(request, selection_id))


def _done_text(selection: MemberSelection) -> str:
    count = selection.applied
    if selection.action == SelectionAction.DEACTIVATE:
        text = ngettext("%(count)d member deactivated.", "%(count)d members deactivated.", count)
    elif selection.action == SelectionAction.REACTIVATE:
        text = ngettext("%(count)d member reactivated.", "%(count)d members reactivated.", count)
    elif selection.action == SelectionAction.GROUP:
        text = ngettext(
            "%(count)d member added to the group %(group)s.",
            "%(count)d members added to the group %(group)s.",
            count,
        )
    else:
        text = ngettext(
            "%(count)d member deleted permanently.", "%(count)d members deleted permanently.", count
        )
    return text % {"count": count, "group": selection.group.name if selection.group else ""}


@admin_required
@require_POST
def member_selection_confirm(request: MemberRequest, selection_id: int) -> HttpResponse:
    selection = _selection_of(request, selection_id)
    confirmation = ""
    form = None
    if selection.action == SelectionAction.DELETE:
        form = MemberDeleteForm(request.POST)
        if form.is_bound and not form.is_valid():
            return _preview(request, selection, form)
        confirmation = form.cleaned_data["confirmation"]
    try:
        selection = member_selection.member_selection_apply(
            actor=request.user, selection=selection, confirmation=confirmation
        )
    except DomainError as error:
        if form is not None and selection.status == BulkStatus.VALIDATED:
            form.add_error(None, str(error.message))
            return _preview(request, selection, form)
        messages.error(request, str(error.message))
        return redirect("web:member_selection", selection_id=selection.pk)
    if selection.action == SelectionAction.MESSAGE:
        return redirect(reverse("web:community_message_new") + f"?selection={selection.pk}")
    messages.success(request, _done_text(selection))
    if selection.action == SelectionAction.DELETE:
        # Who was deleted and who was refused: the selection's page says it.
        return redirect("web:member_selection", selection_id=selection.pk)
    return redirect(_members_url(selection.list_query))
