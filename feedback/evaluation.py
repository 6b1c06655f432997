"""The program evaluation («Évaluation du programme» / «L'évaluation finale»), the writes:
the organisation's questions, the requests (when a relationship ends, or when an
administrator asks), the answers and the reminders. Reads are in feedback.selectors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from feedback.models import EvaluationQuestion, EvaluationRequest
from feedback.questions import QuestionData, answers_clean, question_apply, question_check
from notifications.bell.services import notification_send_translated
from notifications.system_messages.services import email_send_system
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import Relationship, Role, User
from programs.permissions import require_org_admin

REQUEST_TITLE = gettext_noop("Please evaluate your relationship with %(name)s")
REMINDER_TITLE = gettext_noop("Reminder: please evaluate your relationship with %(name)s")


def evaluation_url(request: EvaluationRequest) -> str:
    return f"{settings.SITE_URL}/evaluations/{request.pk}/"


# -- questions -----------------------------------------------------------------------------


@transaction.atomic
def evaluation_question_save(
    *,
    actor: User,
    data: QuestionData,
    for_mentors: bool,
    for_mentees: bool,
    question: EvaluationQuestion | None = None,
) -> EvaluationQuestion:
    """Add a question to the actor's organisation's evaluation, or change `question`.
    Its type cannot change once someone answered it. Audited."""
    organisation_id = require_org_admin(
        actor, organisation_id=question.organisation_id if question else actor.organisation_id
    )
    question_check(data)
    if not (for_mentors or for_mentees):
        raise DomainError(_("Choose at least one role: mentors, mentees or both."))
    if question is None:
        question = EvaluationQuestion(organisation_id=organisation_id)
        top = EvaluationQuestion.objects.filter(organisation_id=organisation_id).aggregate(
            top=Max("position")
        )["top"]
        question.position = 0 if top is None else top + 1
        action = AuditAction.EVALUATION_QUESTION_CREATE
    else:
        question = EvaluationQuestion.objects.select_for_update().get(pk=question.pk)
        answered = EvaluationRequest.objects.filter(
            organisation_id=organisation_id, answers__has_key=str(question.pk)
        ).exists()
        if data.kind != question.kind and answered:
            raise DomainError(
                _("People have answered this question: its type cannot change. Add a new one.")
            )
        action = AuditAction.EVALUATION_QUESTION_EDIT
    question_apply(question, data)
    question.for_mentors = bool(for_mentors)
    question.for_mentees = bool(for_mentees)
    question.save()
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=action,
        target=question,
        target_label=question.text_en[:200],
        details={"kind": question.kind},
    )
    return question


@transaction.atomic
def evaluation_question_delete(*, actor: User, question: EvaluationQuestion) -> None:
    """Delete a question; answers already given to it stay out of reports from now on."""
    organisation_id = require_org_admin(actor, organisation_id=question.organisation_id)
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.EVALUATION_QUESTION_DELETE,
        target=question,
        target_label=question.text_en[:200],
    )
    question.delete()


@transaction.atomic
def evaluation_question_move(*, actor: User, question: EvaluationQuestion, direction: str) -> None:
    """Swap a question with the one above («up») or below («down») it."""
    organisation_id = require_org_admin(actor, organisation_id=question.organisation_id)
    if direction not in ("up", "down"):
        raise DomainError(_("Move a question up or down."))
    questions = list(
        EvaluationQuestion.objects.select_for_update().filter(organisation_id=organisation_id)
    )
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    for position, one in enumerate(questions):
        if one.position != position:
            one.position = position
            one.save(update_fields=["position"])


# -- requests ------------------------------------------------------------------------------


def _roles_asked(organisation_id: int) -> set[str]:
    flags = EvaluationQuestion.objects.filter(organisation_id=organisation_id).values_list(
        "for_mentors", "for_mentees"
    )
    roles: set[str] = set()
    for for_mentors, for_mentees in flags:
        if for_mentors:
            roles.add(Role.MENTOR)
        if for_mentees:
            roles.add(Role.MENTEE)
    return roles


def _tell(request: EvaluationRequest, partner: User, *, key: str, title: str) -> None:
    url = evaluation_url(request)
    notification_send_translated(
        user=request.respondent, title=title, values={"name": partner.full_name}, url=url
    )
    email_send_system(
        key=key,
        recipient=request.respondent,
        values={"partner_name": partner.full_name, "here": url},
    )


@transaction.atomic
def evaluation_requests_create(*, relationship: Relationship) -> list[EvaluationRequest]:
    """Ask the mentor and the mentee of `relationship` to evaluate it: each person the
    organisation has questions for gets one request (email with a link, bell line) — at
    most once per person and relationship, however often this runs. No question, no
    request. Returns the requests created now."""
    roles = _roles_asked(relationship.organisation_id)
    created = []
    pair = (
        (relationship.mentor, relationship.mentee, Role.MENTOR),
        (relationship.mentee, relationship.mentor, Role.MENTEE),
    )
    for person, partner, role in pair:
        if role not in roles or not person.is_active:
            continue
        # The unique constraint decides: a second end or a retried job creates nothing.
        request, new = EvaluationRequest.objects.get_or_create(
            relationship=relationship,
            respondent=person,
            defaults={"organisation_id": relationship.organisation_id, "role": role},
        )
        if not new:
            continue  # already asked
        _tell(request, partner, key="evaluation_request", title=REQUEST_TITLE)
        created.append(request)
    return created


@transaction.atomic
def evaluation_request(*, actor: User, relationship: Relationship) -> int:
    """«Demander l'évaluation»: an administrator asks the pair now (the people already
    asked are not asked again). Audited; returns how many were asked."""
    organisation_id = require_org_admin(actor, organisation_id=relationship.organisation_id)
    if not EvaluationQuestion.objects.filter(organisation_id=organisation_id).exists():
        raise DomainError(
            _("The program evaluation has no questions yet: add some before asking for it.")
        )
    created = evaluation_requests_create(relationship=relationship)
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.EVALUATION_REQUEST,
        target=relationship,
        target_label=f"{relationship.mentor.full_name} / {relationship.mentee.full_name}",
        count=len(created),
    )
    return len(created)


def _partner(request: EvaluationRequest) -> User:
    relationship = request.relationship
    return (
        relationship.mentee
        if request.respondent_id == relationship.mentor_id
        else (relationship.mentor)
    )


def _unanswered(organisation_id: int) -> Any:
    return EvaluationRequest.objects.filter(
        organisation_id=organisation_id, answered_at__isnull=True, respondent__is_active=True
    ).select_related("relationship__mentor", "relationship__mentee", "respondent__organisation")


@transaction.atomic
def evaluation_reminders_send(*, actor: User) -> int:
    """«Envoyer un rappel»: everyone asked who has not answered gets a reminder — at most
    one a day each, so a second click the same day sends nothing. Audited."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    today = timezone.localdate()
    due = list(
        _unanswered(organisation_id)
        .filter(Q(manual_reminded_on__isnull=True) | ~Q(manual_reminded_on=today))
        .select_for_update(of=("self",))
    )
    for request in due:
        request.manual_reminded_on = today
        request.save(update_fields=["manual_reminded_on"])
        _tell(request, _partner(request), key="evaluation_reminder", title=REMINDER_TITLE)
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.EVALUATION_REMINDER,
        count=len(due),
    )
    return len(due)


def evaluation_reminders_due(*, now: Any = None) -> int:
    """The one automatic reminder: requests unanswered `EVALUATION_REMINDER_DAYS` after
    they were made. Each is stamped (reminded_at) in the transaction that queues its
    email, claimed with skip_locked, so two workers or a retry never send it twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVALUATION_REMINDER_DAYS)
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                EvaluationRequest.objects.filter(
                    answered_at__isnull=True,
                    reminded_at__isnull=True,
                    created_at__lte=cutoff,
                    respondent__is_active=True,
                )
                .select_related(
                    "relationship__mentor", "relationship__mentee", "respondent__organisation"
                )
                .select_for_update(of=("self",), skip_locked=True)
                .order_by("pk")[:200]
            )
            if not batch:
                return sent
            for request in batch:
                request.reminded_at = now
                request.save(update_fields=["reminded_at"])
                _tell(request, _partner(request), key="evaluation_reminder", title=REMINDER_TITLE)
            sent += len(batch)


@transaction.atomic
def evaluation_answer(
    *, actor: User, request: EvaluationRequest, answers: Mapping[str, Any]
) -> EvaluationRequest:
    """The respondent answers their evaluation, once: checked against the questions for
    their role (a required one left blank, a value not offered → DomainError, nothing
    saved)."""
    request = EvaluationRequest.objects.select_for_update().get(pk=request.pk)
    if request.respondent_id != actor.pk or not actor.is_active:
        raise DomainError(_("This evaluation is not yours."), code="not_found")
    if request.answered_at is not None:
        raise DomainError(_("You have already answered this evaluation."))
    questions = evaluation_questions_for(organisation_id=request.organisation_id, role=request.role)
    request.answers = answers_clean(questions, answers)
    request.answered_at = timezone.now()
    request.save(update_fields=["answers", "answered_at"])
    return request


def evaluation_questions_for(*, organisation_id: int, role: str) -> list[EvaluationQuestion]:
    flag = "for_mentors" if role == Role.MENTOR else "for_mentees"
    return list(EvaluationQuestion.objects.filter(organisation_id=organisation_id, **{flag: True}))
