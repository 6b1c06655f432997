"""The relationship workspace (issue 11): the pair's page with its tiles — meetings,
availability, calendar, conversation, goals («Objectifs»), agreement («L'accord
mentorat») and one's own notes — its forms, and the administrator's agreement template.

Only the mentor and mentee reach /relationships/<id>/ (anyone else: 404). Every form is a
plain POST that comes back to the page; the other person's open page re-reads the changed
region when the live event arrives (web/static/tandem/workspace.js)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs.errors import DomainError
from programs.models import RelationshipStatus
from scheduling import links
from scheduling import selectors as meeting_selectors
from scheduling import services as meeting_services
from scheduling.models import MeetingStatus
from web.access import admin_required, member_required
from web.forms.workspace import AgreementTemplateForm, AnswerForm, GoalForm, NoteForm, VersionForm
from web.typing import MemberRequest
from workspace import conversation, selectors, services
from workspace.agreement import as_text, parse_text, template_sections
from workspace.models import GoalStatus
from workspace.pair import StaleEdit, partner_of


def _back(relationship_id: int, anchor: str) -> HttpResponse:
    return redirect(reverse("web:workspace", args=[relationship_id]) + f"#{anchor}")


def _error(request: MemberRequest, error: DomainError) -> None:
    messages.error(request, str(error.message))


@member_required
def workspace(request: MemberRequest, relationship_id: int) -> HttpResponse:
    user = request.user
    relationship = selectors.relationship_for_pair(user=user, relationship_id=relationship_id)
    split = meeting_selectors.meetings_for_relationship(relationship=relationship)
    next_meeting = next((m for m in split.upcoming if m.status == MeetingStatus.SCHEDULED), None)
    goals = selectors.goals_for(relationship=relationship)
    agreement = selectors.agreement_view(relationship=relationship, language=get_language() or "en")
    mine = "mentor_signed_at" if user.pk == relationship.mentor_id else "mentee_signed_at"
    talk = conversation.unread_for(user=user, relationship=relationship)
    return render(
        request,
        "web/workspace.html",
        {
            "relationship": relationship,
            "partner": partner_of(user, relationship),
            "editable": relationship.status != RelationshipStatus.COMPLETED,
            "next_meeting": next_meeting,
            "tally": meeting_selectors.meeting_counts_for_relationship(relationship=relationship),
            "planned": split.planned,
            "people": [
                (
                    relationship.mentor,
                    meeting_selectors.availability_week(user=relationship.mentor),
                ),
                (
                    relationship.mentee,
                    meeting_selectors.availability_week(user=relationship.mentee),
                ),
            ],
            "feed_url": links.feed_url(meeting_services.calendar_feed_token(user=user)),
            "conversation_url": conversation.conversation_path(relationship.pk),
            "conversation": talk,
            "unread": talk.unread[user.pk],
            "goals": goals,
            "goals_done": sum(1 for g in goals if g.status == GoalStatus.DONE),
            "goal_statuses": GoalStatus.choices,
            "done": GoalStatus.DONE,
            "todo": GoalStatus.TODO,
            "goal_form": GoalForm(),
            "agreement": agreement,
            "signed_by_me": getattr(agreement, mine) is not None,
            "note": selectors.note_of(relationship=relationship, author=user),
        },
    )


# -- goals -------------------------------------------------------------------------------


@require_POST
@member_required
def goal_add(request: MemberRequest, relationship_id: int) -> HttpResponse:
    relationship = selectors.relationship_for_pair(
        user=request.user, relationship_id=relationship_id
    )
    form = GoalForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Give the goal a title (200 characters at most) and a valid date.")
        )
        return _back(relationship.pk, "goals")
    try:
        services.goal_add(
            actor=request.user,
            relationship=relationship,
            title=form.cleaned_data["title"],
            due_date=form.cleaned_data["due_date"],
        )
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("The goal is added."))
    return _back(relationship.pk, "goals")


@require_POST
@member_required
def goal_edit(request: MemberRequest, relationship_id: int, goal_id: int) -> HttpResponse:
    relationship = selectors.relationship_for_pair(
        user=request.user, relationship_id=relationship_id
    )
    goal = selectors.goal_get(relationship=relationship, goal_id=goal_id)
    form = GoalForm(request.POST)
    if not form.is_valid() or form.cleaned_data["version"] is None:
        messages.error(
            request, _("Give the goal a title (200 characters at most) and a valid date.")
        )
        return _back(relationship.pk, "goals")
    data = form.cleaned_data
    try:
        services.goal_edit(
            actor=request.user,
            goal=goal,
            version=data["version"],
            title=data["title"],
            due_date=data["due_date"],
            status=data["status"] or goal.status,
        )
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("The goal is saved."))
    return _back(relationship.pk, "goals")


def _versioned(request: MemberRequest) -> VersionForm | None:
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; nothing was changed."))
        return None
    return form


@require_POST
@member_required
def goal_status(request: MemberRequest, relationship_id: int, goal_id: int) -> HttpResponse:
    relationship = selectors.relationship_for_pair(
        user=request.user, relationship_id=relationship_id
    )
    goal = selectors.goal_get(relationship=relationship, goal_id=goal_id)
    form = _versioned(request)
    if form and form.cleaned_data["status"]:
        try:
            services.goal_set_status(
                actor=request.user,
                goal=goal,
                version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
            )
        except DomainError as error:
            _error(request, error)
    elif form:
        messages.error(request, _("Choose a status from the list."))
    return _back(relationship.pk, "goals")


@require_POST
@member_required
def goal_move(request: MemberRequest, relationship_id: int, goal_id: int) -> HttpResponse:
    relationship = selectors.relationship_for_pair(
        user=request.user, relationship_id=relationship_id
    )
    goal = selectors.goal_get(relationship=relationship, goal_id=goal_id)
    form = _versioned(request)
    if form:
        try:
            services.goal_move(
                actor=request.user,
                goal=goal,
                version=form.cleaned_data["version"],
                direction=form.cleaned_data["direction"],
            )
        except DomainError as error:
            _error(request, error)
    return _back(relationship.pk, "goals")


@require_POST
@member_required
def goal_delete(request: MemberRequest, relationship_id: int, goal_id: int) -> HttpResponse:
    relationship = selectors.relationship_for_pair(
        user=request.user, relationship_id=relationship_id
    )
    goal = selectors.goal_get(relationship=relationship, goal_id=goal_id)
    form = _versioned(request)
    if form:
        try:
            services.goal_delete(
                actor=request.user, goal=goal, version=form.cleaned_data["version"]
            )
        except DomainError as error:
            _error(request, error)
        else:
            messages.success(request, _("The goal is deleted."))
    return _back(relationship.pk, "goals")


# -- agreement ---------------------------------------------------------------------------


@require_POST
@member_required
def agreement_answer(request: MemberRequest, relationship_id: int) -> HttpResponse:
    relationship = selectors.relationship_for_pair(
        user=request.user, relationship_id=relationship_id
    )
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The answer could not be saved; nothing was changed."))
        return _back(relationship.pk, "agreement")
    data = form.cleaned_data
    try:
        _answer, cleared = services.agreement_answer(
            actor=request.user,
            relationship=relationship,
            key=data["key"],
            text=data["text"],
            version=data["version"],
        )
    except StaleEdit as error:
        # Keep what the person wrote: the page now shows the other person's answer.
        mine = _("Your text was: “%(text)s”") % {"text": data["text"].strip()}
        messages.error(request, f"{error.message} {mine}")
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("The answer is saved."))
        if cleared:
            messages.warning(
                request,
                _("The agreement changed after it was signed: both signatures are cleared."),
            )
    return _back(relationship.pk, "agreement")


@require_POST
@member_required
def agreement_sign(request: MemberRequest, relationship_id: int) -> HttpResponse:
    relationship = selectors.relationship_for_pair(
        user=request.user, relationship_id=relationship_id
    )
    try:
        services.agreement_sign(actor=request.user, relationship=relationship)
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("You signed the agreement."))
    return _back(relationship.pk, "agreement")


# -- notes -------------------------------------------------------------------------------


@require_POST
@member_required
def note_save(request: MemberRequest, relationship_id: int) -> HttpResponse:
    relationship = selectors.relationship_for_pair(
        user=request.user, relationship_id=relationship_id
    )
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Your notes are too long; nothing was changed."))
        return _back(relationship.pk, "notes")
    try:
        services.note_save(
            actor=request.user, relationship=relationship, text=form.cleaned_data["text"]
        )
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("Your notes are saved."))
    return _back(relationship.pk, "notes")


# -- the administrator's template --------------------------------------------------------


@admin_required
def agreement_template(request: MemberRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    current = template_sections(organisation_id=organisation_id)
    form = AgreementTemplateForm(request.POST or None, initial={"text": as_text(current)})
    if request.method == "POST" and form.is_valid():
        try:
            sections = parse_text(form.cleaned_data["text"])
            services.agreement_template_set(
                actor=request.user, organisation_id=organisation_id, sections=sections
            )
        except DomainError as error:
            form.add_error("text", str(error.message))
        else:
            messages.success(request, _("The agreement template is saved."))
            return redirect("web:agreement_template")
    return render(request, "web/manage_agreement.html", {"form": form})
