"""Checks and reads shared by booking, cancelling and rescheduling."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from programs import dates
from programs.errors import DomainError
from programs.models import Organisation, Relationship, RelationshipStatus, User
from scheduling.models import Attendee, Meeting, MeetingStatus, MeetingType
from scheduling.selectors import person_for
from scheduling.slots import Refusal, slot_refusal

PHONE = re.compile(r"^\+?[0-9 ().\-]{7,30}$")
LOCATION_MAX = 500


def require_bookable(relationship: Relationship) -> None:
    if relationship.status != RelationshipStatus.MATCHED:
        raise DomainError(
            gettext("Meetings can only be booked for a matched pair; this relationship is not."),
            code="not_matched",
        )
    for person in (relationship.mentor, relationship.mentee):
        if not person.is_active:
            raise DomainError(
                gettext("%(name)s is deactivated.") % {"name": person.full_name},
                code="inactive",
            )


def on_clock(moment: datetime, zone: str) -> dict[str, str]:
    """Date and time of `moment` on `zone`'s clock, in the active language."""
    local = moment.astimezone(ZoneInfo(zone))
    return {
        "date": dates.date_label(local),
        "time": dates.time_label(local),
    }


def check_slots(
    *,
    viewer_zone: str,
    relationship: Relationship,
    starts: Sequence[datetime],
    duration: timedelta,
    exclude_meeting_ids: Sequence[int] = (),
) -> None:
    """Refuse the first start that the slot finder would not offer, naming its date and
    the person it does not suit. The pair's rows are locked first, so two admins booking
    the same people at once are checked one after the other."""
    people_rows = list(
        User.objects.select_for_update()
        .filter(pk__in=[relationship.mentor_id, relationship.mentee_id])
        .order_by("pk")
    )
    by_id = {person.pk: person for person in people_rows}
    window = (starts[0] - timedelta(days=2), starts[-1] + duration + timedelta(days=2))
    people = [
        (
            by_id[person_id],
            person_for(
                user=by_id[person_id],
                start=window[0],
                end=window[1],
                exclude_meeting_ids=exclude_meeting_ids,
            ),
        )
        for person_id in (relationship.mentor_id, relationship.mentee_id)
    ]
    now = timezone.now()
    for start in starts:
        refusal = slot_refusal(
            start=start,
            viewer_zone=viewer_zone,
            duration=duration,
            people=[person for _user, person in people],
            now=now,
        )
        if refusal is None:
            continue
        values = on_clock(start, viewer_zone)
        if refusal is Refusal.PAST:
            raise DomainError(
                gettext("%(date)s at %(time)s is in the past. Choose a later time.") % values,
                code="past",
            )
        if refusal is Refusal.MISALIGNED:
            raise DomainError(
                gettext("%(date)s at %(time)s is not one of the offered time slots.") % values,
                code="misaligned",
            )
        for user, person in people:
            own = slot_refusal(
                start=start, viewer_zone=viewer_zone, duration=duration, people=[person], now=now
            )
            if own is Refusal.UNAVAILABLE:
                raise DomainError(
                    gettext("On %(date)s at %(time)s, %(name)s is not available.")
                    % {**values, "name": user.full_name},
                    code="unavailable",
                )
            if own is Refusal.BUSY:
                raise DomainError(
                    gettext("On %(date)s at %(time)s, %(name)s already has a meeting.")
                    % {**values, "name": user.full_name},
                    code="busy",
                )
        raise DomainError(  # pragma: no cover - the per-person checks name the cause
            gettext("%(date)s at %(time)s is not available.") % values, code=str(refusal)
        )


def require_aware(start: datetime) -> None:
    if not isinstance(start, datetime) or start.tzinfo is None:
        raise DomainError(gettext("Choose a date and a time slot."), code="start")


def meeting_location(
    *, organisation: Organisation, meeting_type: str, location: str, uid: str
) -> str:
    location = (location or "").strip()
    if len(location) > LOCATION_MAX:
        raise DomainError(
            gettext("The location is too long (%(max)d characters at most).")
            % {"max": LOCATION_MAX},
            code="location",
        )
    if meeting_type == MeetingType.VIDEO:
        if not location:
            return organisation.video_url_template.replace("{uid}", uid)
        try:
            URLValidator(schemes=["http", "https"])(location)
        except ValidationError:
            raise DomainError(
                gettext("Paste the address of the video call (https://…) or leave it empty."),
                code="location",
            ) from None
        return location
    if meeting_type == MeetingType.IN_PERSON:
        if not location:
            raise DomainError(gettext("Say where the meeting takes place."), code="location")
        return location
    if not PHONE.match(location) or sum(c.isdigit() for c in location) < 7:
        raise DomainError(
            gettext("Give the phone number to call, for example +1 416 555 0100."),
            code="location",
        )
    return location


def allowed_types(organisation: Organisation) -> set[str]:
    allowed = set()
    if organisation.allow_video:
        allowed.add(MeetingType.VIDEO.value)
    if organisation.allow_in_person:
        allowed.add(MeetingType.IN_PERSON.value)
    if organisation.allow_phone:
        allowed.add(MeetingType.PHONE.value)
    return allowed


def local_today(user: User) -> date:
    return timezone.now().astimezone(ZoneInfo(user.time_zone)).date()


def with_attendees(queryset):
    return queryset.select_related(
        "series__created_by",
        "series__organisation",
        "series__relationship__mentor",
        "series__relationship__mentee",
    ).prefetch_related(
        Prefetch(
            "attendees",
            queryset=Attendee.objects.select_related("user").order_by("-is_organiser", "pk"),
        )
    )


def lock(meeting: Meeting) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("relationship__mentor", "relationship__mentee", "series")
        .filter(pk=meeting.pk)
        .first()
    )
    if locked is None:
        raise DomainError(gettext("This meeting was not found."), code="not_found")
    return locked


def require_open(meeting: Meeting, *, now: datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(gettext("This meeting was cancelled."), code="cancelled")
    if meeting.status == MeetingStatus.COMPLETED or meeting.starts_at <= now:
        raise DomainError(
            gettext("This meeting has already taken place; it can no longer be changed."),
            code="past",
        )
