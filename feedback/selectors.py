"""The program evaluation and surveys, the reads: lists, the one row a member may open,
the relationships list's «L'évaluation finale» column, results summaries and the two
reports (header + row batches, for the reports app)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext, pgettext

from feedback.models import (
    EvaluationQuestion,
    EvaluationRequest,
    Survey,
    SurveyQuestion,
    SurveyRecipient,
)
from feedback.questions import QuestionSummary, answer_display, summarise
from notifications.community.selectors import audience_recipients
from programs.compiled import CompiledOnce, id_array
from programs.models import Role, User
from programs.pagination import IdArray, among

REPORT_BATCH = 1000

# «L'évaluation finale» per relationship.
NOT_REQUESTED = "not_requested"
REQUESTED = "requested"
MENTOR_ANSWERED = "mentor_answered"
MENTEE_ANSWERED = "mentee_answered"
BOTH_ANSWERED = "both_answered"


def evaluation_question_list(*, organisation_id: int) -> QuerySet[EvaluationQuestion]:
    return EvaluationQuestion.objects.filter(organisation_id=organisation_id)


def evaluation_question_get(*, organisation_id: int, question_id: int) -> EvaluationQuestion:
    return get_object_or_404(EvaluationQuestion, organisation_id=organisation_id, pk=question_id)


@dataclass(frozen=True)
class EvaluationCounts:
    requested: int
    answered: int

    @property
    def waiting(self) -> int:
        return self.requested - self.answered


def evaluation_counts(*, organisation_id: int) -> EvaluationCounts:
    row = EvaluationRequest.objects.filter(organisation_id=organisation_id).aggregate(
        requested=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    return EvaluationCounts(requested=row["requested"], answered=row["answered"])


def evaluation_request_own(*, user: User, request_id: int) -> EvaluationRequest:
    """A member's own evaluation request; anyone else's is a 404."""
    return get_object_or_404(
        EvaluationRequest.objects.select_related("relationship__mentor", "relationship__mentee"),
        pk=request_id,
        respondent=user,
        organisation_id=user.organisation_id,
    )


def evaluation_requests_pending(*, user: User) -> QuerySet[EvaluationRequest]:
    return (
        EvaluationRequest.objects.filter(respondent=user, answered_at__isnull=True)
        .select_related("relationship__mentor", "relationship__mentee")
        .order_by("-created_at")
    )


def evaluation_states(*, relationship_ids: Sequence[int]) -> dict[int, str]:
    """«L'évaluation finale» of each relationship of a page, in one query: not requested,
    requested, the mentor answered, the mentee answered, both answered."""
    states = dict.fromkeys(relationship_ids, NOT_REQUESTED)
    if not states:
        return states
    # The ids as one array, the query compiled once on PostgreSQL (`programs.compiled`).
    for relationship_id, mentor, mentee in _evaluations_query.rows(ids=id_array(list(states))):
        if mentor and mentee:
            state = BOTH_ANSWERED
        elif mentor:
            state = MENTOR_ANSWERED
        elif mentee:
            state = MENTEE_ANSWERED
        else:
            state = REQUESTED
        states[relationship_id] = state
    return states


def _evaluations(ids: str) -> QuerySet[EvaluationRequest, tuple[int, int, int]]:
    return (
        EvaluationRequest.objects.filter(among("relationship_id", IdArray(text=ids, count=1)))
        .values("relationship_id")
        .annotate(
            mentor=Count("pk", filter=Q(role=Role.MENTOR, answered_at__isnull=False)),
            mentee=Count("pk", filter=Q(role=Role.MENTEE, answered_at__isnull=False)),
        )
        .order_by()
        .values_list("relationship_id", "mentor", "mentee")
    )


_evaluations_query = CompiledOnce(_evaluations, ids=id_array([-1]))


def evaluation_state_label(state: str) -> str:
    return {
        NOT_REQUESTED: pgettext("final evaluation", "Not requested"),
        REQUESTED: pgettext("final evaluation", "Requested"),
        MENTOR_ANSWERED: gettext("Mentor answered"),
        MENTEE_ANSWERED: gettext("Mentee answered"),
        BOTH_ANSWERED: gettext("Both answered"),
    }[state]


# -- surveys -------------------------------------------------------------------------------


def survey_list(*, organisation_id: int) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(organisation_id=organisation_id)
        .select_related("group")
        .annotate(responses=Count("recipients", filter=Q(recipients__answered_at__isnull=False)))
        .order_by("-created_at", "-pk")
    )


def survey_get(*, organisation_id: int, survey_id: int) -> Survey:
    return get_object_or_404(Survey, organisation_id=organisation_id, pk=survey_id)


def survey_reach_count(*, survey: Survey) -> int:
    """How many people a draft's audience reaches now (re-read when it is sent)."""
    return audience_recipients(
        organisation_id=survey.organisation_id,
        audience=survey.audience,
        group_id=survey.group_id,
        chosen_ids=survey.chosen.values("pk"),
    ).count()


def survey_question_get(*, survey: Survey, question_id: int) -> SurveyQuestion:
    return get_object_or_404(SurveyQuestion, survey=survey, pk=question_id)


def survey_recipient_own(*, user: User, survey_id: int) -> SurveyRecipient:
    """A member's own invitation to a sent survey; a survey they were not sent is a 404."""
    return get_object_or_404(
        SurveyRecipient.objects.select_related("survey"),
        survey_id=survey_id,
        user=user,
        survey__organisation_id=user.organisation_id,
    )


def surveys_pending(*, user: User) -> QuerySet[SurveyRecipient]:
    return SurveyRecipient.objects.filter(
        user=user, answered_at__isnull=True, survey__status="sent"
    ).select_related("survey")


@dataclass(frozen=True)
class SurveyResults:
    responses: int
    recipients: int
    questions: list[QuestionSummary]


def survey_results(*, survey: Survey, language: str) -> SurveyResults:
    """The results page: how many answered of how many, and each question summed up (two
    queries, whatever the number of answers: the answers are read as JSON only)."""
    questions = list(survey.questions.all())
    answer_sets = survey.recipients.filter(answered_at__isnull=False).values_list(
        "answers", flat=True
    )
    with translation.override(language):
        answers = list(answer_sets.iterator(chunk_size=2000))
        summaries = summarise(questions, answers, language)
    return SurveyResults(
        responses=len(answers), recipients=survey.recipient_count, questions=summaries
    )


# -- reports -------------------------------------------------------------------------------


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _batches(queryset: QuerySet[Any], row: Any) -> Iterator[list[Any]]:
    """Rows of `queryset` in id-keyset batches: one query per batch, whatever the size."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:REPORT_BATCH])
        if not chunk:
            return
        last = chunk[-1].pk
        yield [row(item) for item in chunk]


def _answered_at(when: dt.datetime | None, zone: dt.tzinfo) -> str:
    """`YYYY-MM-DD HH:MM` in `zone`, as every report writes times."""
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M") if when else ""


def evaluation_report(
    *, organisation_id: int, language: str, zone: dt.tzinfo = dt.UTC
) -> tuple[list[str], Iterator[list[list[Any]]]]:
    """The program evaluation report: one row per answered request — mentor, mentee,
    respondent, role, answered at (`zone`'s time), then one column per question of the
    organisation (text, rating, or the options' labels joined with "; "), headers in
    `language`."""
    questions = list(EvaluationQuestion.objects.filter(organisation_id=organisation_id))
    with translation.override(language):
        header = [
            gettext("Mentor"),
            gettext("Mentee"),
            gettext("Respondent"),
            gettext("Role"),
            gettext("Answered at"),
            *[question.text_in(language) for question in questions],
        ]
    queryset = EvaluationRequest.objects.filter(
        organisation_id=organisation_id, answered_at__isnull=False
    ).select_related("relationship__mentor", "relationship__mentee", "respondent")

    def row(request: EvaluationRequest) -> list[Any]:
        return [
            request.relationship.mentor.full_name,
            request.relationship.mentee.full_name,
            request.respondent.full_name,
            _role_label(request.role),
            _answered_at(request.answered_at, zone),
            *[answer_display(q, request.answers.get(str(q.pk)), language) for q in questions],
        ]

    def rows() -> Iterator[list[list[Any]]]:
        with translation.override(language):
            yield from _batches(queryset, row)

    return header, rows()


def survey_report(
    *, organisation_id: int, language: str, survey_id: int | None = None, zone: dt.tzinfo = dt.UTC
) -> tuple[list[str], Iterator[list[list[Any]]]]:
    """The surveys report, long form whatever the survey: one row per answer — survey,
    respondent, role, answered at (`zone`'s time), question, answer — so surveys with different
    questions share one file. `survey_id` keeps one survey (another organisation's: no
    rows). Headers in `language`."""
    with translation.override(language):
        header = [
            gettext("Survey"),
            gettext("Respondent"),
            gettext("Role"),
            gettext("Answered at"),
            gettext("Question"),
            gettext("Answer"),
        ]
    surveys = Survey.objects.filter(organisation_id=organisation_id)
    if survey_id is not None:
        surveys = surveys.filter(pk=survey_id)
    questions: dict[int, list[SurveyQuestion]] = {}
    for question in SurveyQuestion.objects.filter(survey__in=surveys):
        questions.setdefault(question.survey_id, []).append(question)
    queryset = SurveyRecipient.objects.filter(
        survey__in=surveys, answered_at__isnull=False
    ).select_related("survey", "user")

    def rows() -> Iterator[list[list[Any]]]:
        with translation.override(language):
            for batch in _batches(queryset, lambda recipient: recipient):
                out: list[list[Any]] = []
                for recipient in batch:
                    for question in questions.get(recipient.survey_id, []):
                        value = recipient.answers.get(str(question.pk))
                        if value is None:
                            continue
                        out.append(
                            [
                                recipient.survey.title_in(language),
                                recipient.user.full_name,
                                _role_label(recipient.role),
                                _answered_at(recipient.answered_at, zone),
                                question.text_in(language),
                                answer_display(question, value, language),
                            ]
                        )
                if out:
                    yield out

    return header, rows()
