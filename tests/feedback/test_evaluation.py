"""«L'évaluation finale»: who is asked and when, the emails and bell lines, answering once,
the reminders (the administrator's and the automatic one), and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import evaluation
from feedback.models import EvaluationRequest
from feedback.questions import QuestionData
from notifications.models import EmailLog, Notification
from programs import services
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import AuditEntry, Role


def emails(key: str) -> list[EmailLog]:
    return list(EmailLog.objects.filter(message_key=key).order_by("to_email"))


def test_ending_a_relationship_asks_both_people_once_in_their_language(
    admin, mentor, mentee, relationship, evaluation_questions
):
    services.relationship_end(actor=admin, relationship=relationship)
    requests = EvaluationRequest.objects.filter(relationship=relationship).order_by("role")
    assert [(r.respondent, r.role) for r in requests] == [
        (mentee, Role.MENTEE),
        (mentor, Role.MENTOR),
    ]
    sent = emails("evaluation_request")
    assert [(e.to_email, e.language) for e in sent] == [
        ("anna@mentor.test", "en"),
        ("charlotte@mentor.test", "fr"),
    ]
    assert sent[0].subject == "Tell us about your mentoring relationship"
    assert sent[1].subject == "Parlez-nous de votre relation de mentorat"
    mentee_request = requests[0]
    assert f"/evaluations/{mentee_request.pk}/" in sent[1].body_text
    assert "Anna Carter" in sent[1].body_text  # the partner
    bell = Notification.objects.get(user=mentor, url__endswith=f"/evaluations/{requests[1].pk}/")
    assert bell.title_en == "Please evaluate your relationship with Charlotte Test"

    # Asking again (the administrator's button, a retried signal) creates and sends nothing.
    assert evaluation.evaluation_request(actor=admin, relationship=relationship) == 0
    evaluation.evaluation_requests_create(relationship=relationship)
    assert EvaluationRequest.objects.filter(relationship=relationship).count() == 2
    assert len(emails("evaluation_request")) == 2
    with pytest.raises(DomainError):
        services.relationship_end(actor=admin, relationship=relationship)
    assert EvaluationRequest.objects.count() == 2


def test_no_questions_no_request(admin, relationship):
    services.relationship_end(actor=admin, relationship=relationship)
    assert EvaluationRequest.objects.count() == 0 and not emails("evaluation_request")
    with pytest.raises(DomainError, match="no questions yet"):
        evaluation.evaluation_request(actor=admin, relationship=relationship)


def test_only_the_roles_with_questions_are_asked(admin, mentee, relationship):
    evaluation.evaluation_question_save(
        actor=admin,
        data=QuestionData(text_en="Q", kind="text"),
        for_mentors=False,
        for_mentees=True,
    )
    assert evaluation.evaluation_request(actor=admin, relationship=relationship) == 1
    assert [r.respondent for r in EvaluationRequest.objects.all()] == [mentee]
    entry = AuditEntry.objects.get(action=AuditAction.EVALUATION_REQUEST)
    assert entry.count == 1 and entry.actor_id == admin.pk


def test_a_member_answers_once_against_the_questions_for_their_role(
    admin, mentor, mentee, relationship, evaluation_questions
):
    rating, text, choice = evaluation_questions
    evaluation.evaluation_request(actor=admin, relationship=relationship)
    own = EvaluationRequest.objects.get(respondent=mentee)
    with pytest.raises(DomainError, match="needs an answer"):
        evaluation.evaluation_answer(actor=mentee, request=own, answers={str(text.pk): "x"})
    own.refresh_from_db()
    assert own.answered_at is None and own.answers == {}
    # The mentors' question is not asked to the mentee: its answer is ignored.
    evaluation.evaluation_answer(
        actor=mentee,
        request=own,
        answers={str(rating.pk): "4", str(text.pk): "Patience", str(choice.pk): "whatever"},
    )
    own.refresh_from_db()
    assert own.answers == {str(rating.pk): 4, str(text.pk): "Patience"}
    with pytest.raises(DomainError, match="already answered"):
        evaluation.evaluation_answer(actor=mentee, request=own, answers={str(rating.pk): "1"})
    theirs = EvaluationRequest.objects.get(respondent=mentor)
    with pytest.raises(DomainError) as error:
        evaluation.evaluation_answer(actor=mentee, request=theirs, answers={str(rating.pk): "1"})
    assert error.value.code == "not_found"


def test_reminders_go_to_those_who_have_not_answered_once_a_day(
    admin, mentor, mentee, relationship, evaluation_questions
):
    evaluation.evaluation_request(actor=admin, relationship=relationship)
    evaluation.evaluation_answer(
        actor=mentor,
        request=EvaluationRequest.objects.get(respondent=mentor),
        answers={str(evaluation_questions[0].pk): "5"},
    )
    assert evaluation.evaluation_reminders_send(actor=admin) == 1
    assert evaluation.evaluation_reminders_send(actor=admin) == 0  # same day: nothing more
    sent = emails("evaluation_reminder")
    assert [(e.to_email, e.subject) for e in sent] == [
        ("charlotte@mentor.test", "Rappel\xa0: évaluez votre relation de mentorat")
    ]
    assert AuditEntry.objects.filter(action=AuditAction.EVALUATION_REMINDER).count() == 2


def test_the_automatic_reminder_is_sent_once_after_the_configured_days(
    admin, mentor, mentee, relationship, evaluation_questions, settings
):
    settings.EVALUATION_REMINDER_DAYS = 5
    evaluation.evaluation_request(actor=admin, relationship=relationship)
    now = timezone.now()
    assert evaluation.evaluation_reminders_due(now=now + timedelta(days=4)) == 0
    assert evaluation.evaluation_reminders_due(now=now + timedelta(days=5, minutes=1)) == 2
    assert evaluation.evaluation_reminders_due(now=now + timedelta(days=9)) == 0  # never twice
    assert len(emails("evaluation_reminder")) == 2
    assert EvaluationRequest.objects.filter(reminded_at__isnull=True).count() == 0


def test_questions_are_audited_reordered_and_protected(admin, outsider, evaluation_questions):
    rating, text, choice = evaluation_questions
    assert AuditEntry.objects.filter(action=AuditAction.EVALUATION_QUESTION_CREATE).count() == 3
    evaluation.evaluation_question_move(actor=admin, question=choice, direction="up")
    order = list(
        EvaluationRequest._meta.apps.get_model(
            "feedback", "EvaluationQuestion"
        ).objects.values_list("pk", flat=True)
    )
    assert order == [rating.pk, choice.pk, text.pk]
    with pytest.raises(DomainError) as error:
        evaluation.evaluation_question_save(
            actor=outsider,
            data=QuestionData(text_en="Mine", kind="text"),
            for_mentors=True,
            for_mentees=True,
            question=rating,
        )
    assert error.value.code == "not_found"
    with pytest.raises(DomainError, match="at least one role"):
        evaluation.evaluation_question_save(
            actor=admin,
            data=QuestionData(text_en="Nobody", kind="text"),
            for_mentors=False,
            for_mentees=False,
        )
    evaluation.evaluation_question_delete(actor=admin, question=text)
    assert AuditEntry.objects.filter(action=AuditAction.EVALUATION_QUESTION_DELETE).count() == 1
