"""The program evaluation and the surveys in the reports: their two prepared reports
(«Rapport d'évaluation du programme», «Rapport sur les sondages», rows from
`feedback.selectors`) and the members report's «Évaluation du programme» and «Sondages»
columns — each member's own answers, one «question: answer» line each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from feedback import selectors as feedback_selectors
from feedback.models import (
    EvaluationQuestion,
    EvaluationRequest,
    SurveyQuestion,
    SurveyRecipient,
    SurveyStatus,
)
from feedback.questions import answer_display
from reports import sql
from reports.registry import Report, ReportContext, Row, register


def _evaluation_header(context: ReportContext) -> list[str]:
    header, _rows = feedback_selectors.evaluation_report(
        organisation_id=context.organisation.pk, language=context.language, zone=context.zone
    )
    return header


def _evaluation_batches(context: ReportContext) -> Iterator[list[Row]]:
    _header, rows = feedback_selectors.evaluation_report(
        organisation_id=context.organisation.pk, language=context.language, zone=context.zone
    )
    for batch in rows:
        yield list(batch)


def _evaluation_count(context: ReportContext) -> int:
    return EvaluationRequest.objects.filter(
        organisation_id=context.organisation.pk, answered_at__isnull=False
    ).count()


def _survey_header(context: ReportContext) -> list[str]:
    header, _rows = feedback_selectors.survey_report(
        organisation_id=context.organisation.pk, language=context.language, zone=context.zone
    )
    return header


def _survey_batches(context: ReportContext) -> Iterator[list[Row]]:
    _header, rows = feedback_selectors.survey_report(
        organisation_id=context.organisation.pk, language=context.language, zone=context.zone
    )
    for batch in rows:
        yield list(batch)


def _survey_count(context: ReportContext) -> int:
    # Respondents, not answers: the file has one row per answer, a few per respondent.
    return SurveyRecipient.objects.filter(
        survey__organisation_id=context.organisation.pk, answered_at__isnull=False
    ).count()


register(
    Report(
        key="evaluation",
        title=_("Program evaluation report"),
        description=_("Each answered program evaluation: the pair, who answered, every answer."),
        header=_evaluation_header,
        batches=_evaluation_batches,
        count=_evaluation_count,
    )
)

register(
    Report(
        key="surveys",
        title=_("Surveys report"),
        description=_("Every answer to every survey: the survey, who answered, the question."),
        header=_survey_header,
        batches=_survey_batches,
        count=_survey_count,
    )
)


# -- the members report's two columns ------------------------------------------------


def evaluation_answers() -> Any:
    """Per member, {request id: answers} of the evaluations they answered (a subquery)."""
    answered = EvaluationRequest.objects.filter(
        respondent=sql.OuterRef("pk"), answered_at__isnull=False
    )
    return sql.scalar(answered, sql.JsonObject(F("pk"), F("answers")))


def survey_answers() -> Any:
    """Per member, {survey id: answers} of the surveys they answered (a subquery)."""
    answered = SurveyRecipient.objects.filter(user=sql.OuterRef("pk"), answered_at__isnull=False)
    return sql.scalar(answered, sql.JsonObject(F("survey_id"), F("answers")))


def _lines(
    answers: dict[str, Any], questions: list[Any], language: str, prefix: str = ""
) -> list[str]:
    lines = []
    for question in questions:
        shown = answer_display(question, answers.get(str(question.pk)), language)
        if shown != "":
            lines.append(f"{prefix}{question.text_in(language)}: {shown}")
    return lines


def evaluation_render(organisation_id: int) -> Callable[[Any, ReportContext], object]:
    """The «Évaluation du programme» cell: one «question: answer» line per answer of each
    evaluation the member gave. The questions are read once, at the first row."""
    questions: list[EvaluationQuestion] = []
    loaded = False

    def render(value: Any, context: ReportContext) -> object:
        nonlocal questions, loaded
        if not value:
            return ""
        if not loaded:
            questions = list(EvaluationQuestion.objects.filter(organisation_id=organisation_id))
            loaded = True
        lines: list[str] = []
        for key in sorted(value, key=int):
            lines += _lines(value[key], questions, context.language)
        return "\n".join(lines)

    return render


def _survey_questions(organisation_id: int) -> QuerySet[SurveyQuestion]:
    return SurveyQuestion.objects.filter(survey__organisation_id=organisation_id).exclude(
        survey__status=SurveyStatus.DRAFT
    )


def survey_render(organisation_id: int) -> Callable[[Any, ReportContext], object]:
    """The «Sondages» cell: «survey — question: answer» lines, survey by survey. The
    surveys' questions are read once, at the first row."""
    by_survey: dict[int, list[SurveyQuestion]] | None = None
    titles: dict[int, str] = {}

    def render(value: Any, context: ReportContext) -> object:
        nonlocal by_survey
        if not value:
            return ""
        if by_survey is None:
            by_survey = {}
            for question in _survey_questions(organisation_id).select_related("survey"):
                by_survey.setdefault(question.survey_id, []).append(question)
                titles[question.survey_id] = question.survey.title_in(context.language)
        lines: list[str] = []
        for key in sorted(value, key=int):
            survey_id = int(key)
            prefix = f"{titles.get(survey_id, '')} — "
            lines += _lines(value[key], by_survey.get(survey_id, []), context.language, prefix)
        return "\n".join(lines)

    return render
