"""What the workspace pages read. Private notes are read only through `note_of`, which
takes the author: no selector returns another person's note text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q
from django.http import Http404

from programs.models import Relationship, User
from workspace.agreement import localised, template_sections
from workspace.models import Agreement, Goal, GoalStatus, PrivateNote
from workspace.pair import is_pair
from workspace.services.agreement import NOT_STARTED, SIGNED, agreement_state


def relationship_for_pair(*, user: User, relationship_id: int) -> Relationship:
    """The relationship if `user` is its mentor or mentee; 404 for anyone else."""
    if user.organisation_id is None:
        raise Http404
    relationship = (
        Relationship.objects.filter(pk=relationship_id, organisation_id=user.organisation_id)
        .select_related("mentor", "mentee", "organisation")
        .first()
    )
    if relationship is None or not is_pair(user, relationship):
        raise Http404
    return relationship


def goals_for(*, relationship: Relationship) -> list[Goal]:
    return list(
        Goal.objects.filter(relationship=relationship)
        .select_related("updated_by")
        .order_by("position", "pk")
    )


def goal_get(*, relationship: Relationship, goal_id: int) -> Goal:
    goal = Goal.objects.filter(relationship=relationship, pk=goal_id).first()
    if goal is None:
        raise Http404
    return goal


def goal_counts(*, relationship: Relationship) -> dict[str, int]:
    return Goal.objects.filter(relationship=relationship).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=GoalStatus.DONE))
    )


@dataclass
class AgreementView:
    state: str
    sections: list[dict[str, Any]]
    mentor_signed_at: datetime | None = None
    mentee_signed_at: datetime | None = None
    signed_on: datetime | None = None
    complete: bool = False
    answers: dict[str, Any] = field(default_factory=dict)


def agreement_view(*, relationship: Relationship, language: str) -> AgreementView:
    """The agreement's questions in `language` with each answer (text, version, who
    wrote it last) and the signatures."""
    agreement = (
        Agreement.objects.filter(relationship=relationship).prefetch_related("answers").first()
    )
    if agreement is None:
        sections = template_sections(organisation_id=relationship.organisation_id)
        return AgreementView(state=NOT_STARTED, sections=localised(sections, language))
    answers = {a.key: a for a in agreement.answers.all()}
    shown = localised(agreement.sections, language)
    for section in shown:
        for question in section["questions"]:
            answer = answers.get(question["key"])
            question["answer"] = answer.text if answer else ""
            question["version"] = answer.version if answer else 0
    keys = [q["key"] for s in shown for q in s["questions"]]
    return AgreementView(
        state=agreement_state(agreement, answered=any(a.text for a in answers.values())),
        sections=shown,
        mentor_signed_at=agreement.mentor_signed_at,
        mentee_signed_at=agreement.mentee_signed_at,
        signed_on=agreement.signed_on,
        complete=all(answers.get(k) and answers[k].text for k in keys),
    )


def agreement_states(*, relationship_ids: list[int]) -> dict[int, tuple[str, datetime | None]]:
    """{relationship id: (state, signed on)} for a list page's rows, in one query."""
    rows = Agreement.objects.filter(relationship_id__in=relationship_ids).annotate(
        answered=Count("answers", filter=~Q(answers__text=""))
    )
    states: dict[int, tuple[str, datetime | None]] = {}
    for agreement in rows:
        state = agreement_state(agreement, answered=agreement.answered > 0)
        states[agreement.relationship_id] = (
            state,
            agreement.signed_on if state == SIGNED else None,
        )
    return states


def note_of(*, relationship: Relationship, author: User) -> PrivateNote | None:
    """The author's own note — the only way to read a note's text."""
    return PrivateNote.objects.filter(relationship=relationship, author=author).first()


def notes_activity(*, relationship: Relationship) -> dict[str, Any]:
    """For administrators: how many of the pair keep notes and when they last changed.
    Never the text."""
    return (
        PrivateNote.objects.filter(relationship=relationship)
        .exclude(text="")
        .aggregate(count=Count("pk"), last_edited=Max("updated_at"))
    )
