"""«Évaluation du programme»: the administrator's questions page, «Demander l'évaluation»
and «Envoyer un rappel»; the member's evaluation page (their own request only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import evaluation, selectors
from feedback.questions import answer_display
from programs import selectors as program_selectors
from programs.errors import DomainError
from web.access import admin_required, member_required, next_or
from web.forms.feedback import EvaluationQuestionForm, answers_posted
from web.typing import MemberRequest


@admin_required
def evaluation_admin(request: MemberRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    return render(
        request,
        "web/feedback_evaluation.html",
        {
            "questions": selectors.evaluation_question_list(organisation_id=organisation_id),
            "counts": selectors.evaluation_counts(organisation_id=organisation_id),
        },
    )


@admin_required
def evaluation_question_edit(
    request: MemberRequest, question_id: int | None = None
) -> HttpResponse:
    organisation_id = request.user.organisation_id
    question = (
        selectors.evaluation_question_get(organisation_id=organisation_id, question_id=question_id)
        if question_id is not None
        else None
    )
    initial = EvaluationQuestionForm.initial_for(question) if question else {"roles": "both"}
    form = EvaluationQuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation.evaluation_question_save(
                actor=request.user,
                data=form.question_data(),
                question=question,
                **form.role_flags(),
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The question is saved."))
            return redirect("web:evaluation_admin")
    return render(
        request,
        "web/feedback_question_form.html",
        {
            "form": form,
            "question": question,
            "back": "web:evaluation_admin",
            "heading": _("Program evaluation"),
        },
    )


@admin_required
@require_POST
def evaluation_question_delete(request: MemberRequest, question_id: int) -> HttpResponse:
    question = selectors.evaluation_question_get(
        organisation_id=request.user.organisation_id, question_id=question_id
    )
    evaluation.evaluation_question_delete(actor=request.user, question=question)
    messages.success(request, _("The question is deleted."))
    return redirect("web:evaluation_admin")


@admin_required
@require_POST
def evaluation_question_move(request: MemberRequest, question_id: int) -> HttpResponse:
    question = selectors.evaluation_question_get(
        organisation_id=request.user.organisation_id, question_id=question_id
    )
    try:
        evaluation.evaluation_question_move(
            actor=request.user, question=question, direction=request.POST.get("direction", "")
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:evaluation_admin")


@admin_required
@require_POST
def evaluation_remind(request: MemberRequest) -> HttpResponse:
    count = evaluation.evaluation_reminders_send(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", count) % {"count": count},
    )
    return redirect("web:evaluation_admin")


@admin_required
@require_POST
def evaluation_request(request: MemberRequest, relationship_id: int) -> HttpResponse:
    """«Demander l'évaluation» on a relationship's dashboard."""
    relationship = program_selectors.relationship_get(
        organisation_id=request.user.organisation_id, relationship_id=relationship_id
    )
    try:
        count = evaluation.evaluation_request(actor=request.user, relationship=relationship)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)s person was asked to evaluate the relationship.",
                    "%(count)s people were asked to evaluate the relationship.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("Both people had already been asked."))
    return redirect(next_or(request, "web:relationships"))


@member_required
def evaluation_answer(request: MemberRequest, request_id: int) -> HttpResponse:
    """The member's evaluation of one relationship: once; afterwards, read-only."""
    own = selectors.evaluation_request_own(user=request.user, request_id=request_id)
    questions = evaluation.evaluation_questions_for(
        organisation_id=own.organisation_id, role=own.role
    )
    error = ""
    if request.method == "POST" and own.answered_at is None:
        try:
            evaluation.evaluation_answer(
                actor=request.user, request=own, answers=answers_posted(request.POST, questions)
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Thank you: your evaluation is saved."))
            return redirect("web:evaluation_answer", request_id=own.pk)
    relationship = own.relationship
    partner = (
        relationship.mentee if own.respondent_id == relationship.mentor_id else relationship.mentor
    )
    language = get_language() or "en"
    return render(
        request,
        "web/feedback_answer.html",
        {
            "title": _("Program evaluation"),
            "intro": _("Your mentoring relationship with %(name)s") % {"name": partner.full_name},
            "questions": questions,
            "answered_at": own.answered_at,
            "shown": [
                (q, answer_display(q, own.answers.get(str(q.pk)), language)) for q in questions
            ],
            "items": [(q, request.POST.getlist(f"q{q.pk}") if error else []) for q in questions],
            "error": error,
            "closed": False,
        },
        status=400 if error else 200,
    )
