"""The administrator's meeting pages: «Book Meeting» (F3), the «Rencontres» tab (F4) and
the relationship dashboard with «Annuler» / «Reporter» (F5)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from feedback.selectors import evaluation_state_label, evaluation_states
from notifications.system_messages.selectors import system_message_detail
from presence.selectors import online_among, online_user_ids
from programs import dates
from programs import selectors as program_selectors
from programs.errors import DomainError
from programs.models import Relationship, RelationshipStatus, User
from scheduling import selectors, services
from scheduling.messages import Told
from scheduling.models import DURATIONS, Meeting, MeetingStatus, MeetingType
from web.access import admin_required
from web.forms.meetings import (
    DEFAULT_DURATION,
    AvailabilityFormSet,
    MeetingBookForm,
    MeetingRescheduleForm,
)
from web.paging import PAGE_SIZES, page_of
from web.typing import MemberRequest
from workspace import conversation as workspace_conversation
from workspace import selectors as workspace_selectors
from workspace import services as workspace_services

# -- helpers -----------------------------------------------------------------------------


def _relationship(request: MemberRequest, relationship_id: int) -> Relationship:
    """The organisation's relationship with its pair, or 404."""
    relationship = program_selectors.relationship_get(
        organisation_id=request.user.organisation_id, relationship_id=relationship_id
    )
    # One query for both people instead of two lazy ones later.
    return Relationship.objects.select_related("mentor", "mentee", "organisation").get(
        pk=relationship.pk
    )


def _meeting(request: MemberRequest, meeting_id: int) -> Meeting:
    meeting = selectors.meeting_get(
        organisation_id=request.user.organisation_id, meeting_id=meeting_id
    )
    if meeting is None:
        raise Http404
    return meeting


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _duration(value: str | None, default: int = DEFAULT_DURATION) -> int:
    try:
        minutes = int(value or default)
    except ValueError:
        return default
    return minutes if minutes in DURATIONS else default


def _slot_choices(
    *,
    relationship: Relationship,
    day: date,
    viewer: User,
    duration: int,
    exclude_meeting_ids: tuple[int, ...] = (),
) -> list[tuple[str, str]]:
    """(ISO value, label on the admin's clock) for each free slot."""
    if relationship.status != RelationshipStatus.MATCHED:
        return []
    return selectors.slot_choices(
        relationship=relationship,
        day=day,
        viewer=viewer,
        duration_minutes=duration,
        exclude_meeting_ids=exclude_meeting_ids,
    )


def _told(request: MemberRequest, told: Told) -> str:
    """What the participants were actually sent, as the email log has it: the bell always,
    the email unless the organisation turned that message off."""
    emailed = get_text_list([u.full_name for u in told.emailed], _("and"))
    if not told.not_emailed:
        return _("%(names)s were told by email and in their notifications.") % {"names": emailed}
    detail = system_message_detail(organisation_id=request.user.organisation_id, key=told.key)
    values = {
        "names": get_text_list([u.full_name for u in told.not_emailed], _("and")),
        "email": detail.name,
    }
    if not told.emailed:
        return (
            _(
                "%(names)s were told in their notifications; no email was sent: "
                "the “%(email)s” email is turned off."
            )
            % values
        )
    return _(
        "%(emailed)s were told by email and in their notifications; %(names)s only in "
        "their notifications: the “%(email)s” email is turned off for them."
    ) % {**values, "emailed": emailed}


# -- F3 booking --------------------------------------------------------------------------


@admin_required
def meeting_book(request: MemberRequest, relationship_id: int) -> HttpResponse:
    """«Book Meeting»: the form, with slots for the chosen date on the admin's clock."""
    relationship = _relationship(request, relationship_id)
    bookable = relationship.status == RelationshipStatus.MATCHED
    source = request.POST if request.method == "POST" else request.GET
    day = _day(source.get("day") or source.get("date"))
    duration = _duration(source.get("duration"))
    form = MeetingBookForm(
        request.POST or None,
        organisation=relationship.organisation,
        initial={"day": day, "duration": duration},
    )
    if request.method == "POST" and bookable and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.meeting_book(
                actor=request.user,
                relationship=relationship,
                duration_minutes=data["duration"],
                meeting_type=data["meeting_type"],
                start=data["start"],
                location=data["location"],
                frequency=data["frequency"],
                occurrences=data["occurrences"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            values = {
                "count": series.occurrences,
                "mentor": relationship.mentor.full_name,
                "mentee": relationship.mentee.full_name,
            }
            notice = (
                ngettext(
                    "The meeting request was sent to %(mentor)s and %(mentee)s.",
                    "The requests for %(count)s meetings were sent to %(mentor)s and %(mentee)s.",
                    series.occurrences,
                )
                % values
            )
            messages.success(request, notice)
            return redirect("web:meetings_admin")
    return render(
        request,
        "web/meetings_admin_book.html",
        {
            "relationship": relationship,
            "bookable": bookable,
            "form": form,
            "day": day,
            "duration": duration,
            "chosen": source.get("start", ""),
            "series_zone": selectors.series_zone(relationship=relationship),
            "slots": _slot_choices(
                relationship=relationship, day=day, viewer=request.user, duration=duration
            )
            if bookable
            else [],
        },
    )


@admin_required
@require_GET
def meeting_slots(request: MemberRequest, relationship_id: int) -> JsonResponse:
    """The free slots for ?date=&duration= (and ?meeting= when moving that meeting), for
    the select of the booking and reschedule forms."""
    relationship = _relationship(request, relationship_id)
    exclude: tuple[int, ...] = ()
    if request.GET.get("meeting"):
        try:
            meeting = _meeting(request, int(request.GET["meeting"]))
        except ValueError:
            raise Http404 from None
        if meeting.relationship_id != relationship.pk:
            raise Http404
        exclude = (meeting.pk,)
    day = _day(request.GET.get("date"))
    slots = _slot_choices(
        relationship=relationship,
        day=day,
        viewer=request.user,
        duration=_duration(request.GET.get("duration")),
        exclude_meeting_ids=exclude,
    )
    return JsonResponse(
        {"date": day.isoformat(), "slots": [{"value": v, "label": label} for v, label in slots]}
    )


# -- F4 «Rencontres» ---------------------------------------------------------------------


@admin_required
def meetings_list(request: MemberRequest, phone: bool = False) -> HttpResponse:
    """«Rencontres», or with `phone` the «Appels téléphoniques» tab: phone meetings only."""
    organisation_id = request.user.organisation_id
    search = request.GET.get("q", "").strip()
    order = "asc" if request.GET.get("order") == "asc" else "desc"
    page, size = page_of(
        request,
        selectors.meetings_for_admin_list(
            organisation_id=organisation_id,
            search=search,
            order=order,
            meeting_type=MeetingType.PHONE if phone else None,
        ),
    )
    filtered = page.paginator.count
    total = (
        selectors.meeting_count(
            organisation_id=organisation_id, meeting_type=MeetingType.PHONE if phone else None
        )
        if search
        else filtered
    )
    shown: list[selectors.MeetingRow] = list(page.object_list)
    online = online_among(
        organisation_id=organisation_id,
        user_ids=[person.pk for row in shown for person in (row.mentor, row.mentee)],
    )
    rows = [
        {
            "row": row,
            "mentor_online": row.mentor.pk in online,
            "mentee_online": row.mentee.pk in online,
        }
        for row in shown
    ]
    return render(
        request,
        "web/meetings_admin_list.html",
        {
            "tab": "phone" if phone else "meetings",
            "q": search,
            "order": order,
            "next_order": "asc" if order == "desc" else "desc",
            "page": page,
            "size": size,
            "page_sizes": PAGE_SIZES,
            "rows": rows,
            "filtered": filtered,
            "total": total,
            "tab_counts": program_selectors.relationship_tab_counts(
                organisation_id=organisation_id
            ),
        },
    )


# -- F5 dashboard, cancel, reschedule ----------------------------------------------------


@admin_required
def relationship_dashboard(request: MemberRequest, relationship_id: int) -> HttpResponse:
    """«Programmer des réunions» → «Consulter»: the pair, their availability, their
    meetings (upcoming ones can be cancelled or moved) and what they have held."""
    relationship = _relationship(request, relationship_id)
    online = online_user_ids(organisation_id=request.user.organisation_id)
    split = selectors.meetings_for_relationship(relationship=relationship)
    talk = workspace_conversation.summary(relationship)
    return render(
        request,
        "web/meetings_admin_dashboard.html",
        {
            "relationship": relationship,
            "mentor_online": relationship.mentor_id in online,
            "mentee_online": relationship.mentee_id in online,
            "people": [
                (relationship.mentor, selectors.availability_week(user=relationship.mentor)),
                (relationship.mentee, selectors.availability_week(user=relationship.mentee)),
            ],
            "tally": selectors.meeting_counts_for_relationship(relationship=relationship),
            "evaluation": evaluation_state_label(
                evaluation_states(relationship_ids=[relationship.pk])[relationship.pk]
            ),
            "planned": split.planned,
            "upcoming": split.upcoming,
            "past": split.past,
            "scheduled": MeetingStatus.SCHEDULED,
            # The workspace tiles: goals and agreement are read-only here (administrators
            # may read agreement answers); of private notes, only whether and when.
            "goals": workspace_selectors.goals_for(relationship=relationship),
            "goal_counts": workspace_selectors.goal_counts(relationship=relationship),
            "agreement": workspace_selectors.agreement_view(
                relationship=relationship, language=get_language() or "en"
            ),
            "notes_activity": workspace_selectors.notes_activity(relationship=relationship),
            "notes_readable": workspace_services.notes_visible_to_admins(relationship),
            # The conversation: counts, last activity and read state; its text only on
            # the audited page, and only when the organisation allows it.
            "conversation": talk,
            "conversation_read": [
                (person, talk.unread[person.pk])
                for person in (relationship.mentor, relationship.mentee)
            ],
            "conversation_readable": workspace_conversation.texts_visible_to_admins(relationship),
        },
    )


@admin_required
def relationship_notes(request: MemberRequest, relationship_id: int) -> HttpResponse:
    """The pair's private notes, for administrators, only when the organisation's notes
    setting is on (platform staff change it); each read is audited. Otherwise (403) the
    page says so and shows only whether notes exist and when they were last edited."""
    relationship = _relationship(request, relationship_id)
    context = {
        "relationship": relationship,
        "notes_activity": workspace_selectors.notes_activity(relationship=relationship),
    }
    try:
        context["notes"] = workspace_services.notes_admin_read(
            actor=request.user, relationship=relationship
        )
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from None
        context["refused"] = error.message
        return render(request, "web/manage_relationship_notes.html", context, status=403)
    return render(request, "web/manage_relationship_notes.html", context)


@admin_required
@require_POST
def meeting_cancel(request: MemberRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    rest = request.POST.get("scope") == "following"
    try:
        result = services.meeting_cancel(actor=request.user, meeting=meeting, rest_of_series=rest)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        count = len(result.meetings)
        done = ngettext("The meeting is cancelled.", "%(count)s meetings are cancelled.", count) % {
            "count": count
        }
        messages.success(request, f"{done} {_told(request, result.told)}")
    return redirect("web:relationship_dashboard", relationship_id=meeting.relationship_id)


@admin_required
def meeting_reschedule(request: MemberRequest, meeting_id: int) -> HttpResponse:
    """«Reporter»: a new date and slot; the version the form was shown guards against a
    change made meanwhile by someone else."""
    meeting = _meeting(request, meeting_id)
    relationship = meeting.relationship
    source = request.POST if request.method == "POST" else request.GET
    day = _day(
        source.get("day")
        or source.get("date")
        or timezone.localtime(meeting.starts_at).date().isoformat()
    )
    form = MeetingRescheduleForm(
        request.POST or None, initial={"day": day, "version": meeting.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.meeting_reschedule(
                actor=request.user,
                meeting=meeting,
                start=form.cleaned_data["start"],
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            starts = timezone.localtime(result.meeting.starts_at)
            done = _("The meeting is moved to %(date)s at %(time)s.") % {
                "date": dates.date_label(starts),
                "time": dates.time_label(starts),
            }
            messages.success(request, f"{done} {_told(request, result.told)}")
            return redirect("web:relationship_dashboard", relationship_id=relationship.pk)
    return render(
        request,
        "web/meetings_admin_reschedule.html",
        {
            "meeting": meeting,
            "relationship": relationship,
            "form": form,
            "day": day,
            "chosen": source.get("start", ""),
            "slots": _slot_choices(
                relationship=relationship,
                day=day,
                viewer=request.user,
                duration=meeting.duration_minutes,
                exclude_meeting_ids=(meeting.pk,),
            ),
        },
    )


@admin_required
def availability_edit(request: MemberRequest, relationship_id: int, user_id: int) -> HttpResponse:
    """The relationship dashboard's ✎: an administrator edits the mentor's or mentee's
    weekly availability, on that person's clock."""
    relationship = _relationship(request, relationship_id)
    if user_id == relationship.mentor_id:
        person = relationship.mentor
    elif user_id == relationship.mentee_id:
        person = relationship.mentee
    else:
        raise Http404
    initial = [
        {"weekday": a.weekday, "start": a.start, "end": a.end}
        for a in selectors.availability_for(user=person)
    ]
    formset = AvailabilityFormSet(request.POST or None, initial=initial, prefix="ranges")
    formset_error = ""
    if request.method == "POST" and formset.is_valid():
        ranges = [
            (f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.availability_set_by_admin(actor=request.user, user=person, ranges=ranges)
        except DomainError as error:
            formset_error = str(error.message)
        else:
            messages.success(
                request, _("%(name)s's availability is saved.") % {"name": person.full_name}
            )
            return redirect("web:relationship_dashboard", relationship_id=relationship.pk)
    return render(
        request,
        "web/meetings_member_availability.html",
        {
            "formset": formset,
            "formset_error": formset_error,
            "person": person,
            "cancel_url": reverse("web:relationship_dashboard", args=[relationship.pk]),
        },
    )
