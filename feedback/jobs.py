"""Queueing background jobs: the only module of feedback that talks to django-q2.
Services queue `feedback.tasks.<entry point>` by its dotted path (after commit); every job
is idempotent (the ORM broker delivers at least once)."""

from __future__ import annotations

from django_q.tasks import async_task


def enqueue_survey_invitations(survey_id: int) -> None:
    async_task(
        "feedback.tasks.survey_invitations_send",
        survey_id,
        task_name=f"survey-invitations-{survey_id}",
        group="surveys",
    )
