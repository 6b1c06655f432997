"""The question logic both the evaluation and surveys use: what a question may be, which
answers are accepted, and the summary per question."""

from __future__ import annotations

import pytest

from feedback.models import SurveyQuestion
from feedback.questions import (
    QuestionData,
    answer_display,
    answers_clean,
    question_apply,
    question_check,
    summarise,
)
from programs.errors import DomainError


def q(pk: int, kind: str, *, required: bool = False, options=()) -> SurveyQuestion:
    question = SurveyQuestion(pk=pk, text_en=f"Question {pk}", text_fr=f"Question {pk} (fr)")
    question_apply(
        question,
        QuestionData(
            text_en=question.text_en,
            text_fr=question.text_fr,
            kind=kind,
            options=options,
            required=required,
        ),
    )
    return question


RATING = q(1, "rating", required=True)
TEXT = q(2, "text")
SINGLE = q(3, "single", options=[("Yes", "Oui"), ("No", "Non")])
MULTIPLE = q(4, "multiple", options=[("A", "A fr"), ("B", ""), ("C", "C fr")])
ALL = [RATING, TEXT, SINGLE, MULTIPLE]


def ids(question: SurveyQuestion) -> list[str]:
    return [option["id"] for option in question.options]


def test_every_kind_of_answer_is_accepted_and_stored_by_id():
    yes = ids(SINGLE)[0]
    a, _b, c = ids(MULTIPLE)
    clean = answers_clean(ALL, {"1": ["4"], "2": ["  Lots  "], "3": [yes], "4": [c, a]})
    # Options of a multiple choice are kept in the question's order.
    assert clean == {"1": 4, "2": "Lots", "3": yes, "4": [a, c]}
    assert answer_display(MULTIPLE, clean["4"], "fr") == "A fr; C fr"
    assert answer_display(MULTIPLE, [ids(MULTIPLE)[1]], "fr") == "B"  # no French: English
    assert answer_display(SINGLE, yes, "en") == "Yes"


def test_unanswered_optional_questions_are_left_out():
    assert answers_clean(ALL, {"1": "5", "2": [""], "4": []}) == {"1": 5}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "«Question 1» needs an answer."),
        ({"1": "6"}, "«Question 1»: choose a rating from 1 to 5."),
        ({"1": "three"}, "«Question 1»: choose a rating from 1 to 5."),
        ({"1": ["2", "3"]}, "«Question 1»: choose a rating from 1 to 5."),
        ({"1": "3", "3": "maybe"}, "«Question 3»: choose among the options shown."),
        ({"1": "3", "4": ["zzz"]}, "«Question 4»: choose among the options shown."),
        ({"1": "3", "2": "x" * 5001}, "«Question 2»: at most 5000 characters."),
    ],
)
def test_bad_answers_are_refused_naming_the_question(raw, message):
    with pytest.raises(DomainError) as error:
        answers_clean(ALL, raw)
    assert str(error.value.message) == message


def test_two_options_of_a_single_choice_are_refused():
    with pytest.raises(DomainError, match="one option only"):
        answers_clean([SINGLE], {"3": ids(SINGLE)})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (QuestionData(text_en=" ", kind="text"), "English text"),
        (QuestionData(text_en="Q", kind="essay"), "Unknown question type"),
        (QuestionData(text_en="Q", kind="single", options=[("Only", "")]), "at least two"),
        (
            QuestionData(text_en="Q", kind="multiple", options=[("A", ""), ("a ", "")]),
            "same English",
        ),
        (QuestionData(text_en="Q", kind="rating", options=[("A", ""), ("B", "")]), "Only single"),
        (QuestionData(text_en="Q" * 301, kind="text"), "300 characters"),
    ],
)
def test_questions_that_cannot_be_asked_are_refused(data, message):
    with pytest.raises(DomainError, match=message):
        question_check(data)


def test_renaming_an_option_keeps_its_id_so_answers_survive():
    question = q(5, "single", options=[("Yes", ""), ("No", "")])
    before = ids(question)
    question_apply(
        question, QuestionData(text_en="Q", kind="single", options=[("Yes!", "Oui"), ("No", "Non")])
    )
    assert ids(question) == before
    assert question.options[0]["en"] == "Yes!"


def test_summary_counts_ratings_options_and_texts_with_the_average():
    a, b, _c = ids(MULTIPLE)
    answer_sets = [
        {"1": 5, "2": "Great", "4": [a, b]},
        {"1": 4, "4": [a]},
        {"1": 3, "2": "Fine", "3": ids(SINGLE)[1]},
    ]
    rating, text, single, multiple = summarise(ALL, answer_sets, "fr")
    assert rating.counts == [("1", 0), ("2", 0), ("3", 1), ("4", 1), ("5", 1)]
    assert rating.average == 4.0 and rating.answered == 3
    assert text.texts == 2 and text.counts == [] and not text.chart
    assert single.counts == [("Oui", 0), ("Non", 1)]
    assert multiple.counts == [("A fr", 2), ("B", 1), ("C fr", 0)] and multiple.answered == 2
