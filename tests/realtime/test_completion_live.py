"""«Achèvement des profils» over real sockets: a save and a recalculation reach this
program's administrators, and nobody else (not the member, not another program)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from programs import completion_recalculation, profile_fields, profile_services
from programs.models import FieldKind, User
from tests.realtime.test_consumers import connect_admin, connect_member, receive

pytestmark = pytest.mark.django_db(transaction=True)


async def next_named(ws, *names: str) -> dict:
    """The next event of one of these names, past presence and counts updates."""
    while True:
        message = await receive(ws)
        if message["event"] in names:
            return message


async def test_a_saved_profile_and_a_recalculation_reach_only_this_programs_admins(
    admin, mentor, outsider
):
    admin_ws = await connect_admin(admin)
    outsider_ws = await connect_admin(outsider)
    mentor_ws = await connect_member(mentor)

    member = await database_sync_to_async(profile_services.profile_update)(
        actor=mentor, member=mentor, builtin={"job_title": "Chemist"}, custom={}
    )
    message = await next_named(admin_ws, "member.completion")
    assert message["data"] == {"figures": [[mentor.pk, member.profile_completion]]}

    await database_sync_to_async(profile_fields.field_save)(
        actor=admin,
        data=profile_fields.FieldData(
            name_en="Pronouns", kind=FieldKind.TEXT, for_mentors=True, for_mentees=True
        ),
    )
    # The test settings' worker runs the queued job as the transaction commits.
    run = await database_sync_to_async(completion_recalculation.completion_recalculate_start)(
        actor=admin
    )
    states: list[str] = []
    while not states or states[-1] != "done":
        message = await next_named(admin_ws, "job.progress")
        assert message["data"]["id"] == run.pk
        states.append(message["data"]["state"])
    assert states == ["running", "running", "done"]
    figure = await database_sync_to_async(
        lambda: User.objects.get(pk=mentor.pk).profile_completion
    )()
    assert figure < member.profile_completion

    assert await outsider_ws.receive_nothing(timeout=0.5)
    assert await mentor_ws.receive_nothing(timeout=0.5)
    for ws in (admin_ws, outsider_ws, mentor_ws):
        await ws.disconnect()
