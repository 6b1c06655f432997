"""Surveys («Sondages»), the writes: an administrator writes a survey while it is a draft,
sends it to an audience (the community messages' audiences), reminds those who have not
answered and closes it; a member answers once. Reads are in feedback.selectors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from feedback import events, jobs
from feedback.models import Survey, SurveyQuestion, SurveyRecipient, SurveyStatus
from feedback.questions import QuestionData, answers_clean, question_apply, question_check
from notifications.bell.services import notification_send_translated
from notifications.community.selectors import audience_recipients
from notifications.models import Audience
from notifications.system_messages.services import email_send_system_many
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import MemberGroup, User
from programs.permissions import require_org_admin

INVITATION_TITLE = gettext_noop("New survey: %(title)s")
REMINDER_TITLE = gettext_noop("Reminder: please answer the survey %(title)s")
BATCH = 200
# Chosen people need a list of names the survey form does not have (yet).
SURVEY_AUDIENCES = tuple(Audience)


def survey_url(survey: Survey) -> str:
    return f"{settings.SITE_URL}/surveys/{survey.pk}/"


@dataclass(frozen=True)
class SurveyData:
    title_en: str
    title_fr: str = ""
    intro_en: str = ""
    intro_fr: str = ""
    audience: str = Audience.ALL
    group_id: int | None = None
    chosen_ids: tuple[int, ...] = ()


def _draft(actor: User, survey: Survey) -> Survey:
    require_org_admin(actor, organisation_id=survey.organisation_id)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.DRAFT:
        raise DomainError(_("This survey was sent: it can no longer be changed."))
    return survey


@transaction.atomic
def survey_save(*, actor: User, data: SurveyData, survey: Survey | None = None) -> Survey:
    """Write a new survey (a draft) or change a draft's title, introduction and audience."""
    organisation_id = require_org_admin(
        actor, organisation_id=survey.organisation_id if survey else actor.organisation_id
    )
    if not data.title_en.strip():
        raise DomainError(_("A survey needs an English title."))
    if len(data.title_en.strip()) > 200 or len(data.title_fr.strip()) > 200:
        raise DomainError(_("A survey's title has at most 200 characters."))
    if data.audience not in SURVEY_AUDIENCES:
        raise DomainError(_("Choose who receives the survey."))
    group = None
    if data.audience == Audience.GROUP:
        group = (
            None
            if data.group_id is None
            else MemberGroup.objects.filter(
                organisation_id=organisation_id, pk=data.group_id
            ).first()
        )
        if group is None:
            raise DomainError(_("Choose one of your groups."))
    chosen: list[int] = []
    if data.audience == Audience.CHOSEN:
        # Only this organisation's active people; an id of anyone else is refused.
        wanted = set(data.chosen_ids)
        chosen = list(
            User.objects.filter(
                organisation_id=organisation_id, is_active=True, pk__in=wanted
            ).values_list("pk", flat=True)
        )
        if not wanted or len(chosen) != len(wanted):
            raise DomainError(_("Choose the people who receive the survey among your members."))
    survey = _draft(actor, survey) if survey else Survey(organisation_id=organisation_id)
    survey.title_en, survey.title_fr = data.title_en.strip(), data.title_fr.strip()
    survey.intro_en, survey.intro_fr = data.intro_en.strip(), data.intro_fr.strip()
    survey.audience, survey.group = data.audience, group
    survey.save()
    survey.chosen.set(chosen)
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.SURVEY_EDIT,
        target=survey,
        target_label=survey.title_en,
    )
    return survey


@transaction.atomic
def survey_question_save(
    *, actor: User, survey: Survey, data: QuestionData, question: SurveyQuestion | None = None
) -> SurveyQuestion:
    """Add a question to a draft survey, or change one of its questions."""
    survey = _draft(actor, survey)
    question_check(data)
    if question is None:
        top = survey.questions.aggregate(top=Max("position"))["top"]
        question = SurveyQuestion(survey=survey, position=0 if top is None else top + 1)
    elif question.survey_id != survey.pk:
        raise DomainError(_("This question is not part of the survey."), code="not_found")
    question_apply(question, data)
    question.save()
    return question


@transaction.atomic
def survey_question_delete(*, actor: User, question: SurveyQuestion) -> None:
    _draft(actor, question.survey)
    question.delete()


@transaction.atomic
def survey_question_move(*, actor: User, question: SurveyQuestion, direction: str) -> None:
    """Swap a draft's question with the one above («up») or below («down») it."""
    survey = _draft(actor, question.survey)
    if direction not in ("up", "down"):
        raise DomainError(_("Move a question up or down."))
    questions = list(survey.questions.select_for_update())
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    for position, one in enumerate(questions):
        if one.position != position:
            one.position = position
            one.save(update_fields=["position"])


def survey_audience(survey: Survey) -> Any:
    return audience_recipients(
        organisation_id=survey.organisation_id,
        audience=survey.audience,
        group_id=survey.group_id,
        chosen_ids=survey.chosen.values("pk"),
    )


@transaction.atomic
def survey_send(*, actor: User, survey: Survey) -> int:
    """Send a draft survey: everyone its audience reaches now becomes a recipient, and a
    background job emails each of them once (with a bell line). A survey without
    questions, or whose audience is empty, is refused. Audited; returns the count."""
    survey = _draft(actor, survey)
    if not survey.questions.exists():
        raise DomainError(_("Add at least one question before sending the survey."))
    people = list(survey_audience(survey).values_list("pk", "role"))
    if not people:
        raise DomainError(_("Nobody is in this audience: choose another one."))
    SurveyRecipient.objects.bulk_create(
        [SurveyRecipient(survey=survey, user_id=pk, role=role) for pk, role in people],
        ignore_conflicts=True,
        batch_size=1000,
    )
    survey.status = SurveyStatus.SENT
    survey.sent_at = timezone.now()
    survey.recipient_count = len(people)
    survey.save(update_fields=["status", "sent_at", "recipient_count"])
    audit_record(
        actor=actor,
        organisation_id=survey.organisation_id,
        action=AuditAction.SURVEY_SEND,
        target=survey,
        target_label=survey.title_en,
        count=len(people),
        details={"audience": survey.audience},
    )
    transaction.on_commit(lambda: jobs.enqueue_survey_invitations(survey.pk))
    return len(people)


def _tell_many(survey: Survey, recipients: list[SurveyRecipient], *, key: str, title: str) -> None:
    users = [recipient.user for recipient in recipients]
    url = survey_url(survey)
    for user in users:
        notification_send_translated(
            user=user, title=title, values=lambda lang: {"title": survey.title_in(lang)}, url=url
        )
    email_send_system_many(
        key=key,
        recipients=users,
        values=[{"survey_title": survey.title_in(user.language), "here": url} for user in users],
    )


def survey_invitations_send(*, survey_id: int) -> int:
    """The sending job: recipients not yet invited, a batch per transaction, each stamped
    (invited_at) in the transaction that queues their email — a retry never emails
    anyone twice. A closed survey invites nobody more."""
    sent = 0
    while True:
        with transaction.atomic():
            survey = Survey.objects.filter(pk=survey_id, status=SurveyStatus.SENT).first()
            if survey is None:
                return sent
            batch = list(
                SurveyRecipient.objects.filter(survey=survey, invited_at__isnull=True)
                .select_related("user__organisation")
                .select_for_update(of=("self",), skip_locked=True)
                .order_by("pk")[:BATCH]
            )
            if not batch:
                return sent
            SurveyRecipient.objects.filter(pk__in=[r.pk for r in batch]).update(
                invited_at=timezone.now()
            )
            _tell_many(survey, batch, key="survey_invitation", title=INVITATION_TITLE)
            sent += len(batch)


@transaction.atomic
def survey_reminders_send(*, actor: User, survey: Survey) -> int:
    """Remind those who have not answered an open survey — once a day at most each, so a
    second click the same day sends nothing. Audited; returns how many were reminded."""
    require_org_admin(actor, organisation_id=survey.organisation_id)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.SENT:
        raise DomainError(_("Only a sent survey that is still open can be reminded."))
    today = timezone.localdate()
    due = list(
        SurveyRecipient.objects.filter(
            survey=survey, answered_at__isnull=True, invited_at__isnull=False, user__is_active=True
        )
        .exclude(reminded_on=today)
        .select_related("user__organisation")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    SurveyRecipient.objects.filter(pk__in=[r.pk for r in due]).update(reminded_on=today)
    _tell_many(survey, due, key="survey_reminder", title=REMINDER_TITLE)
    audit_record(
        actor=actor,
        organisation_id=survey.organisation_id,
        action=AuditAction.SURVEY_REMINDER,
        target=survey,
        target_label=survey.title_en,
        count=len(due),
    )
    return len(due)


@transaction.atomic
def survey_close(*, actor: User, survey: Survey) -> Survey:
    """«Fermer»: no more answers are taken. Audited."""
    require_org_admin(actor, organisation_id=survey.organisation_id)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.SENT:
        raise DomainError(_("Only a sent survey can be closed."))
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        organisation_id=survey.organisation_id,
        action=AuditAction.SURVEY_CLOSE,
        target=survey,
        target_label=survey.title_en,
    )
    return survey


@transaction.atomic
def survey_answer(
    *, actor: User, recipient: SurveyRecipient, answers: Mapping[str, Any]
) -> SurveyRecipient:
    """A recipient answers the survey, once, while it is open; the administrators' open
    results page hears of it after commit (counts only)."""
    recipient = SurveyRecipient.objects.select_for_update().get(pk=recipient.pk)
    survey = Survey.objects.select_for_update().get(pk=recipient.survey_id)
    if recipient.user_id != actor.pk or not actor.is_active:
        raise DomainError(_("This survey is not yours."), code="not_found")
    if survey.status == SurveyStatus.CLOSED:
        raise DomainError(_("This survey is closed: it no longer takes answers."))
    if recipient.answered_at is not None:
        raise DomainError(_("You have already answered this survey."))
    recipient.answers = answers_clean(list(survey.questions.all()), answers)
    recipient.answered_at = timezone.now()
    recipient.save(update_fields=["answers", "answered_at"])
    responses = survey.recipients.filter(answered_at__isnull=False).count()
    events.survey_answered_on_commit(
        organisation_id=survey.organisation_id,
        survey_id=survey.pk,
        responses=responses,
        recipients=survey.recipient_count,
    )
    return recipient
