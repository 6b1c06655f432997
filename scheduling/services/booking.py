"""Booking meetings for a matched pair (F3)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from programs.errors import DomainError
from programs.models import Relationship, User
from programs.permissions import require_org_admin
from scheduling import events, messages
from scheduling.models import DURATIONS, Attendee, Meeting, MeetingSeries, MeetingType, Response
from scheduling.recurrence import Frequency, RecurrenceError, build_rrule, expand, is_ambiguous
from scheduling.selectors import series_zone
from scheduling.services.checks import (
    allowed_types,
    check_slots,
    local_today,
    meeting_location,
    require_aware,
    require_bookable,
    with_attendees,
)

# -- booking -----------------------------------------------------------------------------


@transaction.atomic
def meeting_book(
    *,
    actor: User,
    relationship: Relationship,
    duration_minutes: int,
    meeting_type: str,
    start: datetime,
    location: str = "",
    frequency: Frequency | str = Frequency.NONE,
    occurrences: int = 1,
    fold: int | None = None,
) -> MeetingSeries:
    """Book a meeting, or a series of them, for a matched pair («Envoyer la demande»).

    `start` is the slot the admin picked (aware; offered on their clock by `slots_for`);
    the series repeats on the mentee's wall clock (`series_zone`), so it stays at the time
    the mentee's week was planned around whatever the admin's or mentor's clocks do; `fold`
    picks the reading for later occurrences that fall in a fall-back overlap of that zone.
    Every occurrence must suit both people
    (availability, no clash with their other meetings); the first that does not is named.
    Creates the meetings with the mentor and mentee as pending attendees and the admin as
    the accepted organiser; emails each participant the invitation with an .ics REQUEST,
    puts a line in their bell, and tells the organisation's admins ("meeting.booked")."""
    found = (
        Relationship.objects.select_related("organisation", "mentor", "mentee")
        .filter(pk=relationship.pk)
        .first()
    )
    if found is None:
        raise DomainError(gettext("This relationship was not found."), code="not_found")
    relationship = found
    organisation = relationship.organisation
    require_org_admin(
        actor,
        organisation_id=organisation.pk,
        not_found=gettext("This relationship was not found."),
    )
    require_bookable(relationship)
    if duration_minutes not in DURATIONS:
        raise DomainError(gettext("A meeting lasts 15, 30, 45, 60 or 90 minutes."), code="duration")
    if meeting_type not in MeetingType.values or meeting_type not in allowed_types(organisation):
        raise DomainError(
            gettext("Your program does not offer this type of meeting."), code="meeting_type"
        )
    if fold not in (None, 0, 1):
        raise DomainError(gettext("Choose a date and a time slot."), code="start")
    require_aware(start)
    zone_name = series_zone(relationship=relationship)
    zone = ZoneInfo(zone_name)
    local = start.astimezone(zone)
    wall = local.replace(tzinfo=None, fold=0)
    if is_ambiguous(wall, zone):
        # The aware instant says which of the two readings was picked.
        fold = local.fold
    try:
        rrule = build_rrule(frequency, occurrences) or ""
        starts = expand(
            local_start=wall,
            zone=zone_name,
            frequency=frequency,
            occurrences=occurrences,
            fold=fold,
        )
    except RecurrenceError as error:
        raise DomainError(error.message, code=error.code) from None
    uid = uuid.uuid4().hex
    place = meeting_location(
        organisation=organisation, meeting_type=meeting_type, location=location, uid=uid
    )
    duration = timedelta(minutes=duration_minutes)
    check_slots(
        viewer_zone=actor.time_zone,
        relationship=relationship,
        starts=starts,
        duration=duration,
    )

    now = timezone.now()
    series = MeetingSeries.objects.create(
        organisation=organisation,
        relationship=relationship,
        created_by=actor,
        meeting_type=meeting_type,
        location=place,
        duration_minutes=duration_minutes,
        frequency=str(Frequency(frequency).value),
        occurrences=occurrences,
        start_date=wall.date(),
        start_time=wall.time(),
        time_zone=zone_name,
        rrule=rrule,
        fold=fold,
        uid=uid,
        created_at=now,
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            series=series,
            organisation=organisation,
            relationship=relationship,
            starts_at=moment,
            ends_at=moment + duration,
            original_start=moment,
            location=place,
            meeting_type=meeting_type,
            created_at=now,
            updated_at=now,
        )
        for moment in starts
    )
    attendees = []
    for meeting in meetings:
        for person in (relationship.mentor, relationship.mentee):
            # The invitation is today's reminder: the first reminder comes tomorrow.
            attendees.append(
                Attendee(meeting=meeting, user=person, reminded_on=local_today(person))
            )
        attendees.append(
            Attendee(
                meeting=meeting,
                user=actor,
                response=Response.ACCEPTED,
                responded_at=now,
                is_organiser=True,
            )
        )
    Attendee.objects.bulk_create(attendees)

    first = with_attendees(Meeting.objects.filter(pk=meetings[0].pk)).get()
    messages.invitation(series, first)
    events.meeting_booked_on_commit(
        organisation_id=organisation.pk,
        relationship_id=relationship.pk,
        meeting_ids=[m.pk for m in meetings],
    )
    return series
