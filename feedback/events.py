"""What feedback announces live (docs/realtime.md): sent after commit, ids and counts only."""

from __future__ import annotations

from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit


def survey_answered_on_commit(
    *, organisation_id: int, survey_id: int, responses: int, recipients: int
) -> None:
    """The survey's results page, open on an administrator's screen, re-reads its summary."""
    publish_on_commit(
        org_admins_group(organisation_id),
        "survey.answered",
        {"survey_id": survey_id, "responses": responses, "recipients": recipients},
    )
