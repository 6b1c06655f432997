"""Profiles and custom fields (F11): an administrator edits a member's profile, manages
the custom fields («Gérer les champs personnalisés»), recalculates everyone's completion
(«Recalculer valeur du profil») and reminds members to complete their profile."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs import (
    completion_recalculation,
    profile_fields,
    profile_reminders,
    profile_selectors,
    profile_services,
    selectors,
)
from programs.errors import DomainError
from programs.models import UNFINISHED_RECALCULATION, User
from web.access import admin_required
from web.forms.profile import FieldForm, ProfileForm, ReminderForm
from web.typing import MemberRequest

REMINDER_NAMES_SHOWN = 10


def profile_form_save(request: MemberRequest, form: ProfileForm, member: User) -> bool:
    """Save a posted profile form through the service; errors go on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        profile_services.profile_update(
            actor=request.user,
            member=member,
            builtin=form.builtin_values(),
            custom=form.custom_values(),
        )
    except DomainError as error:
        form.add_error(None, str(error.message))
        return False
    return True


@admin_required
def member_edit(request: MemberRequest, member_id: int) -> HttpResponse:
    """Every field of a member's profile, administrators' fields included."""
    member = selectors.member_get(organisation_id=request.user.organisation_id, member_id=member_id)
    form = ProfileForm(
        request.POST or None,
        member=member,
        custom_fields=profile_services.fields_editable(actor=request.user, member=member),
        answers=profile_selectors.field_answers(user=member),
        language=get_language() or "en",
    )
    if profile_form_save(request, form, member):
        messages.success(request, _("%(name)s's profile is saved.") % {"name": member.full_name})
        return redirect("web:member", member_id=member.pk)
    return render(request, "web/manage_member_edit.html", {"member": member, "form": form})


# -- «Gérer les champs personnalisés» ----------------------------------------------------


@admin_required
def fields(request: MemberRequest) -> HttpResponse:
    return render(
        request,
        "web/manage_fields.html",
        {"fields": profile_selectors.field_list(organisation_id=request.user.organisation_id)},
    )


@admin_required
def field_edit(request: MemberRequest, field_id: int | None = None) -> HttpResponse:
    """Add a field (no `field_id`) or change one. Removing options that answers use
    shows a confirmation (how many answers go) before anything is saved."""
    organisation_id = request.user.organisation_id
    field = (
        profile_selectors.field_get(organisation_id=organisation_id, field_id=field_id)
        if field_id is not None
        else None
    )
    initial = FieldForm.initial_for(field) if field else {"in_profile": True, "in_reports": True}
    form = FieldForm(request.POST or None, initial=initial)
    confirm = 0
    if request.method == "POST" and form.is_valid():
        try:
            saved = profile_fields.field_save(
                actor=request.user,
                data=form.field_data(),
                field=field,
                confirm_removals=form.cleaned_data["confirm_removals"],
            )
        except DomainError as error:
            if error.code == "confirm" and field is not None:
                confirm = profile_fields.answers_losing_options(
                    field,
                    profile_fields.field_options_removed(field, form.cleaned_data["options"]),
                )
            else:
                form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _(
                    "The field %(name)s is saved. Use «Recalculate profile completion» on "
                    "the members page to update everyone's figure."
                )
                % {"name": saved.name},
            )
            return redirect("web:fields")
    return render(
        request,
        "web/manage_field_form.html",
        {"field": field, "form": form, "confirm": confirm},
    )


@admin_required
def field_delete(request: MemberRequest, field_id: int) -> HttpResponse:
    """A confirmation page saying how many answers go; the POST deletes."""
    field = profile_selectors.field_get(
        organisation_id=request.user.organisation_id, field_id=field_id
    )
    if request.method == "POST":
        try:
            profile_fields.field_delete(actor=request.user, field=field)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The field %(name)s is deleted.") % {"name": field.name})
        return redirect("web:fields")
    answers = field.values.count()
    return render(request, "web/manage_field_delete.html", {"field": field, "answers": answers})


@admin_required
@require_POST
def field_move(request: MemberRequest, field_id: int) -> HttpResponse:
    field = profile_selectors.field_get(
        organisation_id=request.user.organisation_id, field_id=field_id
    )
    try:
        profile_fields.field_move(
            actor=request.user, field=field, direction=request.POST.get("direction", "")
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:fields")


# -- «Recalculer valeur du profil» and the reminder -----------------------------------------


@admin_required
@require_POST
def completion_recalculate(request: MemberRequest) -> HttpResponse:
    """«Recalculer valeur du profil». The members page's script posts it and then follows
    the job's progress events (JSON answer); without script, back to the page."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        run = completion_recalculation.completion_recalculate_start(actor=request.user)
    except DomainError as error:
        if wants_json:
            return JsonResponse({"error": str(error.message)}, status=400)
        messages.error(request, str(error.message))
        return redirect("web:members")
    if wants_json:
        run.refresh_from_db()  # the test settings' synchronous worker may have finished it
        state = "running" if run.status in UNFINISHED_RECALCULATION else str(run.status)
        return JsonResponse({"id": run.pk, "done": run.done, "total": run.total, "state": state})
    messages.success(request, _("Profile completion values are being recalculated."))
    return redirect("web:members")


@admin_required
def reminder(request: MemberRequest) -> HttpResponse:
    """«Rappel pour compléter le profil»: choose N, see who is below N % (the GET
    preview), then confirm (POST)."""
    organisation_id = request.user.organisation_id
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "below" in request.GET else None)
    )
    form = ReminderForm(data)
    recipients = None
    if form.is_valid():
        below = form.cleaned_data["below"]
        if request.method == "POST":
            try:
                count = profile_reminders.profile_reminder_send(actor=request.user, below=below)
            except DomainError as error:
                form.add_error("below", str(error.message))
            else:
                messages.success(
                    request,
                    _("The reminder is on its way to %(count)s members.") % {"count": count},
                )
                return redirect("web:members")
        everyone = profile_reminders.reminder_recipients(
            organisation_id=organisation_id, below=below
        )
        recipients = {
            "count": everyone.count(),
            "names": [person.first_name for person in everyone[:REMINDER_NAMES_SHOWN]],
            "below": below,
        }
    return render(request, "web/manage_reminder.html", {"form": form, "recipients": recipients})
