"""Closing a cohort safely: «Désactiver les membres» from a CSV file, «Terminer toutes les
relations», «Supprimer un membre définitivement» (programs.member_deactivation,
programs.relationships_end_all, programs.member_delete do the work)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs import member_deactivation, member_delete, relationships_end_all, selectors
from programs.errors import DomainError
from programs.models import BulkStatus, MemberDeactivation, Relationship, RelationshipEnding, User
from web.access import admin_required
from web.forms.cohort import MemberDeactivationForm, MemberDeleteForm
from web.typing import MemberRequest

ERROR_ROWS = 500
PREVIEW_PAGE = 50


def _deactivation_of(request: MemberRequest, deactivation_id: int) -> MemberDeactivation:
    try:
        return member_deactivation.deactivation_get(
            actor=request.user, deactivation_id=deactivation_id
        )
    except DomainError as error:
        raise Http404 from error


@admin_required
def member_deactivate(request: MemberRequest) -> HttpResponse:
    """Upload: the whole file checked; a clean one goes to its preview."""
    form = MemberDeactivationForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        check, deactivation = member_deactivation.member_deactivation_prepare(
            actor=request.user,
            file_name=upload.name or "",
            content=upload.read(settings.MEMBER_IMPORT_MAX_BYTES + 1),
            active=form.cleaned_data["action"] == "reactivate",
        )
        if deactivation is not None:
            return redirect("web:member_deactivate_detail", deactivation_id=deactivation.pk)
    bad_rows = check.bad_rows if check else []
    return render(
        request,
        "web/member_deactivate.html",
        {
            "form": form,
            "check": check,
            "bad_rows": bad_rows[:ERROR_ROWS],
            "bad_count": len(bad_rows),
            "max_mb": f"{settings.MEMBER_IMPORT_MAX_BYTES / 1024 / 1024:g}",
        },
        status=400 if check and not check.is_clean else 200,
    )


@admin_required
def member_deactivate_sample(request: MemberRequest) -> HttpResponse:
    text = member_deactivation.sample_csv(language=get_language())
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    name = _("members-deactivation-sample")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@admin_required
def member_deactivate_detail(request: MemberRequest, deactivation_id: int) -> HttpResponse:
    """The preview — exactly who «Confirmer» changes — then what was done."""
    deactivation = _deactivation_of(request, deactivation_id)
    people = Paginator(
        User.objects.filter(
            pk__in=deactivation.member_ids, organisation_id=request.user.organisation_id
        )
        .order_by("last_name", "first_name", "pk")
        .only("pk", "first_name", "last_name", "email", "deleted_at"),
        PREVIEW_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "web/member_deactivate_detail.html",
        {
            "deactivation": deactivation,
            "count": len(deactivation.member_ids),
            "people": people,
            "validated": deactivation.status == BulkStatus.VALIDATED,
        },
    )


@admin_required
@require_POST
def member_deactivate_confirm(request: MemberRequest, deactivation_id: int) -> HttpResponse:
    deactivation = _deactivation_of(request, deactivation_id)
    try:
        changed = member_deactivation.members_set_active_many(
            actor=request.user, deactivation=deactivation
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:member_deactivate_detail", deactivation_id=deactivation.pk)
    if deactivation.active:
        text = ngettext("%(count)d member reactivated.", "%(count)d members reactivated.", changed)
    else:
        text = ngettext("%(count)d member deactivated.", "%(count)d members deactivated.", changed)
    messages.success(request, text % {"count": changed})
    return redirect("web:members")


# «Terminer toutes les relations» ------------------------------------------------------------


def _ending_of(request: MemberRequest, ending_id: int) -> RelationshipEnding:
    try:
        return relationships_end_all.ending_get(actor=request.user, ending_id=ending_id)
    except DomainError as error:
        raise Http404 from error


@admin_required
@require_POST
def relationships_end_prepare(request: MemberRequest) -> HttpResponse:
    """The relationships page's button: the preview of what would end (its search kept)."""
    ending = relationships_end_all.relationships_end_prepare(
        actor=request.user, search=request.POST.get("q", "")
    )
    return redirect("web:relationships_end_detail", ending_id=ending.pk)


@admin_required
def relationships_end_detail(request: MemberRequest, ending_id: int) -> HttpResponse:
    ending = _ending_of(request, ending_id)
    page = Paginator(ending.relationship_ids, PREVIEW_PAGE).get_page(request.GET.get("page"))
    by_id = Relationship.objects.filter(
        pk__in=list(page.object_list), organisation_id=request.user.organisation_id
    ).select_related("mentor", "mentee")
    rows = sorted(by_id, key=lambda r: ending.relationship_ids.index(r.pk))
    return render(
        request,
        "web/relationships_end.html",
        {
            "ending": ending,
            "page": page,
            "rows": rows,
            "validated": ending.status == BulkStatus.VALIDATED,
            "finished": ending.status in (BulkStatus.DONE, BulkStatus.FAILED),
        },
    )


@admin_required
@require_POST
def relationships_end_confirm(request: MemberRequest, ending_id: int) -> HttpResponse:
    ending = _ending_of(request, ending_id)
    try:
        ending = relationships_end_all.relationships_end_confirm(actor=request.user, ending=ending)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if ending.status == BulkStatus.DONE:
            messages.success(
                request,
                ngettext(
                    "%(count)d relationship ended.", "%(count)d relationships ended.", ending.ended
                )
                % {"count": ending.ended},
            )
    return redirect("web:relationships_end_detail", ending_id=ending.pk)


# «Supprimer un membre définitivement» -------------------------------------------------------


@admin_required
def member_delete_view(request: MemberRequest, member_id: int) -> HttpResponse:
    """What is removed and what is kept, stated; the program's name typed to confirm."""
    member = selectors.member_get(organisation_id=request.user.organisation_id, member_id=member_id)
    if member.deleted_at is not None:
        raise Http404
    organisation = request.user.organisation
    form = MemberDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = member.full_name
        try:
            member_delete.member_delete_permanently(
                actor=request.user,
                member=member,
                confirmation=form.cleaned_data["confirmation"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("%(name)s was deleted permanently.") % {"name": name})
            return redirect(reverse("web:members"))
    return render(
        request,
        "web/member_delete.html",
        {
            "member": member,
            "form": form,
            "program_name": organisation.name,
            "refused": member.is_org_admin or member.pk == request.user.pk,
        },
        status=400 if form.errors else 200,
    )
