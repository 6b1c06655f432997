"""The question logic the program evaluation and the surveys share: checking a question
an administrator writes, checking a person's answers, and summing the answers up.

Pure functions over the models' fields (no writes): the services call them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from feedback.models import Question, QuestionKind
from programs.errors import DomainError
from programs.profile_fields import options_merge

CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
RATINGS = (1, 2, 3, 4, 5)
TEXT_MAX = 5000


@dataclass(frozen=True)
class QuestionData:
    """What a question form submits. `options`: (English, French) per option, in order."""

    text_en: str
    kind: str
    text_fr: str = ""
    options: Sequence[tuple[str, str]] = ()
    required: bool = False


def question_check(data: QuestionData) -> None:
    """Refuse a question that cannot be asked (DomainError, translated)."""
    if not data.text_en.strip():
        raise DomainError(_("A question needs its English text."))
    if len(data.text_en.strip()) > 300 or len(data.text_fr.strip()) > 300:
        raise DomainError(_("A question has at most 300 characters."))
    if data.kind not in QuestionKind.values:
        raise DomainError(_("Unknown question type."))
    if data.kind in CHOICE_KINDS:
        texts = [en.strip().casefold() for en, _fr in data.options]
        if len(texts) < 2:
            raise DomainError(_("A choice question needs at least two options."))
        if any(not text for text in texts):
            raise DomainError(_("Every option needs its English text."))
        if len(set(texts)) != len(texts):
            raise DomainError(_("Two options have the same English text."))
    elif data.options:
        raise DomainError(_("Only single and multiple choice questions have options."))


def question_apply(question: Question, data: QuestionData) -> None:
    """Copy checked `data` onto `question` (not saved); options keep their ids when their
    English text stays, so renaming keeps the answers."""
    question.text_en = data.text_en.strip()
    question.text_fr = data.text_fr.strip()
    question.kind = data.kind
    question.required = bool(data.required)
    question.options = (
        options_merge(question.options or [], data.options) if data.kind in CHOICE_KINDS else []
    )


def option_label(option: Mapping[str, str], language: str) -> str:
    if language == "fr":
        return option.get("fr") or option["en"]
    return option["en"]


def _one_answer(question: Question, raw: Any) -> Any:
    """The stored form of one answer (None: not answered), or DomainError."""
    values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
    values = [str(value).strip() for value in values if str(value).strip()]
    if not values:
        return None
    name = {"question": question.text}
    if question.kind == QuestionKind.RATING:
        if len(values) != 1 or values[0] not in {str(r) for r in RATINGS}:
            raise DomainError(_("«%(question)s»: choose a rating from 1 to 5.") % name)
        return int(values[0])
    if question.kind == QuestionKind.TEXT:
        text = "\n".join(values)
        if len(text) > TEXT_MAX:
            raise DomainError(
                _("«%(question)s»: at most %(max)s characters.") % {**name, "max": TEXT_MAX}
            )
        return text
    known = {option["id"] for option in question.options}
    if any(value not in known for value in values):
        raise DomainError(_("«%(question)s»: choose among the options shown.") % name)
    if question.kind == QuestionKind.SINGLE:
        if len(values) != 1:
            raise DomainError(_("«%(question)s»: choose one option only.") % name)
        return values[0]
    return [option["id"] for option in question.options if option["id"] in set(values)]


def answers_clean(questions: Iterable[Question], raw: Mapping[str, Any]) -> dict[str, Any]:
    """A person's answers to `questions`, checked: `raw` maps a question id (str) to a
    rating, a text, an option id or a list of option ids. Returns what is stored (keyed
    by question id, unanswered questions left out); a required question left blank or a
    value that is not one of the question's is a DomainError naming the question."""
    clean: dict[str, Any] = {}
    for question in questions:
        value = _one_answer(question, raw.get(str(question.pk)))
        if value is None:
            if question.required:
                raise DomainError(
                    _("«%(question)s» needs an answer.") % {"question": question.text}
                )
            continue
        clean[str(question.pk)] = value
    return clean


def answer_display(question: Question, value: Any, language: str) -> str:
    """An answer as a report or a read-only page shows it, in `language`."""
    if value is None:
        return ""
    if question.kind in CHOICE_KINDS:
        chosen = set(value) if isinstance(value, list) else {value}
        return "; ".join(
            option_label(option, language) for option in question.options if option["id"] in chosen
        )
    return str(value)


@dataclass
class QuestionSummary:
    """One question's answers summed up: `counts` is (label, count) per rating or option in
    order (empty for a text question), `texts` how many wrote something, `answered` how
    many answered it at all, `average` the mean rating (None: no rating yet)."""

    question: Question
    counts: list[tuple[str, int]] = field(default_factory=list)
    answered: int = 0
    texts: int = 0
    average: float | None = None

    @property
    def chart(self) -> bool:
        return bool(self.counts)


def summarise(
    questions: Sequence[Question], answer_sets: Iterable[Mapping[str, Any]], language: str
) -> list[QuestionSummary]:
    """Per question: counts per rating / option, number of text answers, average rating."""
    tallies: dict[int, dict[str, int]] = {q.pk: {} for q in questions}
    answered = dict.fromkeys(tallies, 0)
    rating_sums = dict.fromkeys(tallies, 0)
    for answers in answer_sets:
        for question in questions:
            value = answers.get(str(question.pk))
            if value is None:
                continue
            answered[question.pk] += 1
            chosen = value if isinstance(value, list) else [value]
            for one in chosen:
                tallies[question.pk][str(one)] = tallies[question.pk].get(str(one), 0) + 1
            if question.kind == QuestionKind.RATING:
                rating_sums[question.pk] += int(value)
    summaries = []
    for question in questions:
        tally = tallies[question.pk]
        summary = QuestionSummary(question=question, answered=answered[question.pk])
        if question.kind == QuestionKind.RATING:
            summary.counts = [(str(r), tally.get(str(r), 0)) for r in RATINGS]
            if summary.answered:
                summary.average = round(rating_sums[question.pk] / summary.answered, 2)
        elif question.kind in CHOICE_KINDS:
            summary.counts = [
                (option_label(option, language), tally.get(option["id"], 0))
                for option in question.options
            ]
        else:
            summary.texts = summary.answered
        summaries.append(summary)
    return summaries
