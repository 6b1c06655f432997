"""«Sondages»: the administrator's list, a draft's page (its wording, audience and
questions), sending, reminders, closing and the live results; the member's survey page
(their own invitation only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import selectors, surveys
from feedback.models import Survey, SurveyQuestion, SurveyStatus
from feedback.questions import answer_display
from notifications.models import Audience
from programs.errors import DomainError
from web.access import admin_required, member_required
from web.forms.feedback import QuestionForm, SurveyForm, answers_posted
from web.typing import MemberRequest


@admin_required
def survey_list(request: MemberRequest) -> HttpResponse:
    return render(
        request,
        "web/surveys.html",
        {"surveys": selectors.survey_list(organisation_id=request.user.organisation_id)},
    )


@admin_required
def survey_edit(request: MemberRequest, survey_id: int | None = None) -> HttpResponse:
    """A new survey, or a draft's page: its wording and audience, its questions, «Envoyer».
    A survey already sent shows its results instead."""
    organisation_id = request.user.organisation_id
    survey = (
        selectors.survey_get(organisation_id=organisation_id, survey_id=survey_id)
        if survey_id is not None
        else None
    )
    if survey is not None and survey.status != SurveyStatus.DRAFT:
        return redirect("web:survey_results", survey_id=survey.pk)
    form = SurveyForm(
        request.POST or None,
        organisation_id=organisation_id,
        initial=SurveyForm.initial_for(survey) if survey else {"audience": Audience.ALL},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = surveys.survey_save(actor=request.user, data=form.survey_data(), survey=survey)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The survey is saved."))
            return redirect("web:survey_edit", survey_id=saved.pk)
    return render(
        request,
        "web/survey_edit.html",
        {
            "form": form,
            "survey": survey,
            "questions": list(survey.questions.all()) if survey else [],
            "reach": selectors.survey_reach_count(survey=survey) if survey else None,
        },
    )


@admin_required
def survey_question_edit(
    request: MemberRequest, survey_id: int, question_id: int | None = None
) -> HttpResponse:
    survey = selectors.survey_get(organisation_id=request.user.organisation_id, survey_id=survey_id)
    question = (
        selectors.survey_question_get(survey=survey, question_id=question_id)
        if question_id is not None
        else None
    )
    form = QuestionForm(
        request.POST or None, initial=QuestionForm.initial_for(question) if question else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_question_save(
                actor=request.user, survey=survey, data=form.question_data(), question=question
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The question is saved."))
            return redirect("web:survey_edit", survey_id=survey.pk)
    return render(
        request,
        "web/feedback_question_form.html",
        {"form": form, "question": question, "survey": survey, "heading": survey.title},
    )


def _survey_action(
    request: MemberRequest, survey_id: int, question_id: int | None = None
) -> tuple[Survey, SurveyQuestion | None]:
    survey = selectors.survey_get(organisation_id=request.user.organisation_id, survey_id=survey_id)
    question = (
        selectors.survey_question_get(survey=survey, question_id=question_id)
        if question_id is not None
        else None
    )
    return survey, question


@admin_required
@require_POST
def survey_question_delete(
    request: MemberRequest, survey_id: int, question_id: int
) -> HttpResponse:
    survey, _none = _survey_action(request, survey_id)
    question = selectors.survey_question_get(survey=survey, question_id=question_id)
    try:
        surveys.survey_question_delete(actor=request.user, question=question)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:survey_edit", survey_id=survey_id)


@admin_required
@require_POST
def survey_question_move(request: MemberRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey, _none = _survey_action(request, survey_id)
    question = selectors.survey_question_get(survey=survey, question_id=question_id)
    try:
        surveys.survey_question_move(
            actor=request.user, question=question, direction=request.POST.get("direction", "")
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:survey_edit", survey_id=survey_id)


@admin_required
@require_POST
def survey_send(request: MemberRequest, survey_id: int) -> HttpResponse:
    survey, _question = _survey_action(request, survey_id)
    try:
        count = surveys.survey_send(actor=request.user, survey=survey)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:survey_edit", survey_id=survey.pk)
    messages.success(
        request,
        ngettext(
            "The survey is being sent to %(count)s person.",
            "The survey is being sent to %(count)s people.",
            count,
        )
        % {"count": count},
    )
    return redirect("web:survey_results", survey_id=survey.pk)


@admin_required
@require_POST
def survey_remind(request: MemberRequest, survey_id: int) -> HttpResponse:
    survey, _question = _survey_action(request, survey_id)
    try:
        count = surveys.survey_reminders_send(actor=request.user, survey=survey)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", count)
            % {"count": count},
        )
    return redirect("web:survey_results", survey_id=survey.pk)


@admin_required
@require_POST
def survey_close(request: MemberRequest, survey_id: int) -> HttpResponse:
    survey, _question = _survey_action(request, survey_id)
    try:
        surveys.survey_close(actor=request.user, survey=survey)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("web:survey_results", survey_id=survey.pk)


@admin_required
def survey_results(request: MemberRequest, survey_id: int) -> HttpResponse:
    """Responses n/N and each question summed up (a chart over a table); the page's
    script re-reads the summary when `survey.answered` arrives."""
    survey, _question = _survey_action(request, survey_id)
    return render(
        request,
        "web/survey_results.html",
        {
            "survey": survey,
            "results": selectors.survey_results(survey=survey, language=get_language() or "en"),
        },
    )


@member_required
def survey_answer(request: MemberRequest, survey_id: int) -> HttpResponse:
    """A member's survey: once, while it is open; afterwards their answers, read-only."""
    recipient = selectors.survey_recipient_own(user=request.user, survey_id=survey_id)
    survey = recipient.survey
    questions = list(survey.questions.all())
    closed = survey.status == SurveyStatus.CLOSED
    error = ""
    if request.method == "POST" and recipient.answered_at is None:
        try:
            surveys.survey_answer(
                actor=request.user,
                recipient=recipient,
                answers=answers_posted(request.POST, questions),
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("web:survey_answer", survey_id=survey.pk)
    language = get_language() or "en"
    return render(
        request,
        "web/feedback_answer.html",
        {
            "title": survey.title,
            "intro": survey.intro,
            "questions": questions,
            "answered_at": recipient.answered_at,
            "shown": [
                (q, answer_display(q, recipient.answers.get(str(q.pk)), language))
                for q in questions
            ],
            "items": [(q, request.POST.getlist(f"q{q.pk}") if error else []) for q in questions],
            "error": error,
            "closed": closed,
        },
        status=400 if error else 200,
    )
