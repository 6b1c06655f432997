"""«Terminer le cycle»: one page listing the steps of the guided end of cycle with their
state, the current step's preview (counts and names) and its «Confirmer». The work is in
reports.cycle; these views read the request and answer. Another organisation's run: 404."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs import member_selection, saved_filters
from programs.errors import DomainError
from programs.models import Relationship, SelectionAction
from reports import archives, cycle
from reports.models import CycleMethod, CycleRun, CycleStep, StepState
from web.access import admin_required
from web.forms.members import member_filters_read
from web.typing import MemberRequest
from web.views.report_archives import archive_status_text

# The preview names this many (relationships, people); the count says how many in all.
PREVIEW_NAMES = 200
# Step 3 lists this many members to tick; a larger program chooses by a saved search.
KEEP_LIST = 500


def _run_or_404(request: MemberRequest, run_id: int) -> CycleRun:
    try:
        return cycle.cycle_get(actor=request.user, run_id=run_id)
    except DomainError as error:
        raise Http404(str(error.message)) from error


def _ending_rows(run: CycleRun) -> list[Relationship]:
    if run.ending is None:
        return []
    ids = run.ending.relationship_ids[:PREVIEW_NAMES]
    found = Relationship.objects.filter(
        pk__in=ids, organisation_id=run.organisation_id
    ).select_related("mentor", "mentee")
    return sorted(found, key=lambda r: ids.index(r.pk))


def _selection_rows(run: CycleRun) -> dict[str, list]:
    selection = run.selection
    if selection is None:
        return {"chosen": [], "refused": []}
    refused = selection.refused[:PREVIEW_NAMES]
    ids = [*selection.member_ids[:PREVIEW_NAMES], *(pk for pk, _reason in refused)]
    people = member_selection.selection_people(selection=selection, ids=ids)
    return {
        "chosen": [people[pk] for pk in selection.member_ids[:PREVIEW_NAMES] if pk in people],
        "refused": [
            (people[pk], member_selection.reason_text(reason))
            for pk, reason in refused
            if pk in people
        ],
    }


@admin_required
def cycle_page(request: MemberRequest) -> HttpResponse:
    """The method chosen, then the steps: reopening the page resumes the unfinished run."""
    run = cycle.cycle_current(actor=request.user)
    if run is None:
        return render(request, "web/cycle.html", {"methods": CycleMethod.choices})
    states = cycle.step_states(run)
    steps = [
        {
            "key": step,
            "label": CycleStep(step).label,
            "state": state,
            "state_label": StepState(state).label,
        }
        for step, state in states.items()
    ]
    archive = run.archive
    # Past KEEP_LIST members, ticking names is no way to choose: a saved search is.
    keep_candidates = (
        list(cycle.stay_candidates(run=run)[: KEEP_LIST + 1])
        if run.method == CycleMethod.KEEP
        else []
    )
    return render(
        request,
        "web/cycle.html",
        {
            "run": run,
            "steps": steps,
            "current": cycle.current_step(run),
            "method_label": CycleMethod(run.method).label,
            "archive": archive,
            "archive_text": archive_status_text(archive) if archive else "",
            "archive_available": archive is not None and archives.archive_is_available(archive),
            "years": [
                (year, f"{year}-{year + 1}")
                for year in archives.cohort_years(
                    organisation=request.user.organisation, today=timezone.localdate()
                )
            ],
            "ending_rows": _ending_rows(run),
            "keep_candidates": keep_candidates[:KEEP_LIST],
            "keep_more": len(keep_candidates) > KEEP_LIST,
            "kept": set(run.keep_ids),
            "saved_searches": list(saved_filters.saved_filter_list(owner=request.user))
            if run.method == CycleMethod.KEEP
            else [],
            "selection_rows": _selection_rows(run),
            "remove_actions": [
                (SelectionAction.DEACTIVATE.value, _("Deactivate them (they can be reactivated)")),
                (SelectionAction.DELETE.value, _("Delete them permanently")),
            ],
            "counts": cycle.cycle_counts(run),
            "preview_names": PREVIEW_NAMES,
            "members_url": reverse("web:members"),
        },
    )


def _act(request: MemberRequest, run_id: int, action: Callable[[CycleRun], object]) -> HttpResponse:
    """Run one step's service; its refusal is shown on the page, nothing changed."""
    run = _run_or_404(request, run_id)
    try:
        action(run)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:cycle")


@admin_required
@require_POST
def cycle_start(request: MemberRequest) -> HttpResponse:
    try:
        cycle.cycle_start(actor=request.user, method=request.POST.get("method", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:cycle")


@admin_required
@require_POST
def cycle_archive(request: MemberRequest, run_id: int) -> HttpResponse:
    year = request.POST.get("cohort_start_year", "")
    return _act(
        request,
        run_id,
        lambda run: cycle.cycle_archive(
            actor=request.user, run=run, cohort_start_year=int(year) if year.isdigit() else None
        ),
    )


@admin_required
@require_POST
def cycle_end_preview(request: MemberRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, lambda run: cycle.cycle_end_preview(actor=request.user, run=run))


@admin_required
@require_POST
def cycle_end_confirm(request: MemberRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, lambda run: cycle.cycle_end_confirm(actor=request.user, run=run))


@admin_required
@require_POST
def cycle_stay(request: MemberRequest, run_id: int) -> HttpResponse:
    """Who stays: the ticked members, or everyone one of the administrator's saved
    searches («Recherches récentes») matches on the members list."""
    keep = [int(pk) for pk in request.POST.getlist("keep") if pk.isdigit() and len(pk) < 19]
    filters = None
    saved_id = request.POST.get("saved", "")
    if saved_id.isdigit() and len(saved_id) < 19:
        saved = saved_filters.saved_filter_get(owner=request.user, saved_id=int(saved_id))
        form, filters = member_filters_read(
            QueryDict(saved.query), organisation_id=request.user.organisation_id
        )
        if form.is_bound and not form.is_valid():
            messages.error(request, _("The filter is not valid: nothing was selected."))
            return redirect("web:cycle")
    return _act(
        request,
        run_id,
        lambda run: cycle.cycle_stay(actor=request.user, run=run, keep_ids=keep, filters=filters),
    )


@admin_required
@require_POST
def cycle_remove_preview(request: MemberRequest, run_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    return _act(
        request,
        run_id,
        lambda run: cycle.cycle_remove_preview(actor=request.user, run=run, action=action),
    )


@admin_required
@require_POST
def cycle_remove_confirm(request: MemberRequest, run_id: int) -> HttpResponse:
    confirmation = request.POST.get("confirmation", "")
    return _act(
        request,
        run_id,
        lambda run: cycle.cycle_remove_confirm(
            actor=request.user, run=run, confirmation=confirmation
        ),
    )


@admin_required
@require_POST
def cycle_reimport_done(request: MemberRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, lambda run: cycle.cycle_reimport_done(actor=request.user, run=run))


@admin_required
@require_POST
def cycle_finish(request: MemberRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    try:
        cycle.cycle_finish(actor=request.user, run=run)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:cycle")
    messages.success(request, _("The cycle is finished. A new program year can begin."))
    return redirect("web:manage")


@admin_required
@require_POST
def cycle_abandon(request: MemberRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    try:
        cycle.cycle_abandon(actor=request.user, run=run)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("This end of cycle was stopped. What its steps did stays done.")
        )
    return redirect("web:cycle")
