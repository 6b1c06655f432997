"""The program evaluation and survey fixtures (a plugin of tests/conftest.py, so the web
tests use them too)."""

from __future__ import annotations

import pytest

from feedback.evaluation import evaluation_question_save
from feedback.models import EvaluationQuestion, QuestionKind, Survey, SurveyQuestion
from feedback.questions import QuestionData
from feedback.surveys import SurveyData, survey_question_save, survey_save
from programs.models import User


@pytest.fixture
def evaluation_questions(admin: User) -> list[EvaluationQuestion]:
    """The organisation's evaluation: a rating for both, a text for mentees, a choice for
    mentors."""
    return [
        evaluation_question_save(
            actor=admin,
            data=QuestionData(
                text_en="How useful was it?",
                text_fr="Quelle utilité?",
                kind=QuestionKind.RATING,
                required=True,
            ),
            for_mentors=True,
            for_mentees=True,
        ),
        evaluation_question_save(
            actor=admin,
            data=QuestionData(
                text_en="What did you learn?", text_fr="Qu'avez-vous appris?", kind="text"
            ),
            for_mentors=False,
            for_mentees=True,
        ),
        evaluation_question_save(
            actor=admin,
            data=QuestionData(
                text_en="Would you mentor again?",
                text_fr="Referiez-vous du mentorat?",
                kind=QuestionKind.SINGLE,
                options=[("Yes", "Oui"), ("No", "Non")],
            ),
            for_mentors=True,
            for_mentees=False,
        ),
    ]


def make_survey(admin: User, **data: object) -> tuple[Survey, list[SurveyQuestion]]:
    survey = survey_save(
        actor=admin,
        data=SurveyData(title_en="Mid-year survey", title_fr="Sondage de mi-année", **data),  # type: ignore[arg-type]
    )
    questions = [
        survey_question_save(
            actor=admin,
            survey=survey,
            data=QuestionData(
                text_en="Rate the program", text_fr="Notez le programme", kind="rating"
            ),
        ),
        survey_question_save(
            actor=admin,
            survey=survey,
            data=QuestionData(
                text_en="What helped?",
                text_fr="Qu'est-ce qui a aidé?",
                kind="multiple",
                options=[("Meetings", "Rencontres"), ("Goals", "Objectifs"), ("Chat", "")],
            ),
        ),
        survey_question_save(
            actor=admin,
            survey=survey,
            data=QuestionData(text_en="Anything else?", text_fr="Autre chose?", kind="text"),
        ),
    ]
    return survey, questions


@pytest.fixture
def survey(admin: User) -> tuple[Survey, list[SurveyQuestion]]:
    return make_survey(admin)
