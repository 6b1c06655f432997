"""django-q2 entry points: thin and idempotent. The daily evaluation reminder is
scheduled by migration feedback 0002."""

from __future__ import annotations

from feedback import evaluation, surveys


def survey_invitations_send(survey_id: int) -> int:
    """Queued when a survey is sent: invites its recipients not yet invited, in batches."""
    return surveys.survey_invitations_send(survey_id=survey_id)


def evaluation_reminders_due() -> int:
    """Hourly: the one automatic reminder of each evaluation request still unanswered."""
    return evaluation.evaluation_reminders_due()
