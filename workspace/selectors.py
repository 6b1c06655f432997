"""What the workspace pages read. Private notes are read only through `note_of`, which
takes the author: no selector returns another person's note text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from programs.compiled import CompiledOnce, id_array
from programs.models import Relationship, User
from programs.pagination import IdArray, among
from workspace.agreement import localised, template_sections
from workspace.models import Agreement, Goal, GoalStatus, PrivateNote
from workspace.models.agreement import signed_on_of
from workspace.pair import is_pair
from workspace.services.agreement import NOT_STARTED, SIGNED, agreement_state, agreement_state_of


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
    """{relationship id: (state, signed on)} for a list page's rows, in one query (the ids
    as one array; compiled once on PostgreSQL, `programs.compiled`); none, no query."""
    if not relationship_ids:
        return {}
    states: dict[int, tuple[str, datetime | None]] = {}
    for relationship_id, mentor_signed_at, mentee_signed_at, answered in _agreements_query.rows(
        ids=id_array(relationship_ids)
    ):
        signed_on = signed_on_of(mentor_signed_at, mentee_signed_at)
        state = agreement_state_of(signed=signed_on is not None, answered=answered > 0)
        states[relationship_id] = (state, signed_on if state == SIGNED else None)
    return states


def _agreements(ids: str) -> QuerySet[Agreement, tuple[int, datetime | None, datetime | None, int]]:
    return (
        Agreement.objects.filter(among("relationship_id", IdArray(text=ids, count=1)))
        .annotate(answered=Count("answers", filter=~Q(answers__text="")))
        .values_list("relationship_id", "mentor_signed_at", "mentee_signed_at", "answered")
    )


_agreements_query = CompiledOnce(_agreements, ids=id_array([-1]))


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
