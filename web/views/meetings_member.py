"""The mentor's and mentee's side of meetings: weekly availability, «Rencontres» (their
invitations, answers and comments, the calendar feed) and the public links the emails
carry (RSVP, «How was your meeting?», the .ics feed).

The RSVP and feedback links need no sign-in: the signed token names one invitation and is
the credential, so those pages show that one meeting and nothing else, in the invited
person's language and time zone. A bad token is a plain 404 page."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs.errors import DomainError
from programs.models import User
from scheduling import links, selectors, services
from scheduling.models import Attendee, Meeting
from scheduling.services.rsvp import COMMENT_MAX
from web.access import member_required, next_or
from web.forms.meetings import AvailabilityFormSet, CommentForm, RespondForm
from web.typing import MemberRequest


def _my_attendee(request: MemberRequest, meeting_id: int) -> tuple[Meeting, Attendee]:
    """The signed-in member's meeting and invitation; anyone else's is a 404."""
    meeting = selectors.meeting_get(
        organisation_id=request.user.organisation_id, meeting_id=meeting_id
    )
    attendee = selectors.attendee_for(meeting=meeting, user=request.user) if meeting else None
    if meeting is None or attendee is None:
        raise Http404
    return meeting, attendee


def _zone(user: User) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


# -- availability ------------------------------------------------------------------------


@member_required
def availability(request: MemberRequest) -> HttpResponse:
    user = request.user
    initial = [
        {"weekday": a.weekday, "start": a.start, "end": a.end}
        for a in selectors.availability_for(user=user)
    ]
    formset = AvailabilityFormSet(request.POST or None, initial=initial, prefix="ranges")
    if request.method == "POST" and formset.is_valid():
        ranges = [
            (f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
            for f in formset.forms
            # Blank extra rows have no cleaned_data; saved rows always do.
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.availability_set(user=user, ranges=ranges)
        except DomainError as error:
            formset_error = error.message
        else:
            messages.success(request, _("Your availability is saved."))
            return redirect("web:member_availability")
    else:
        formset_error = ""
    return render(
        request,
        "web/meetings_member_availability.html",
        {"formset": formset, "formset_error": formset_error},
    )


# -- «Rencontres» ------------------------------------------------------------------------


@member_required
def meetings(request: MemberRequest) -> HttpResponse:
    user = request.user
    split = selectors.my_meetings(user=user)
    token = services.calendar_feed_token(user=user)
    return render(
        request,
        "web/meetings_member_list.html",
        {"upcoming": split.upcoming, "past": split.past, "feed_url": links.feed_url(token)},
    )


@member_required
def meeting_detail(request: MemberRequest, meeting_id: int) -> HttpResponse:
    user = request.user
    meeting = selectors.meeting_get(organisation_id=user.organisation_id, meeting_id=meeting_id)
    if meeting is None:
        raise Http404
    if user.is_org_admin:
        # The organisation's admins (the organiser included) follow meetings on the
        # relationship dashboard, not on the participants' page.
        return redirect("web:relationship_dashboard", relationship_id=meeting.relationship_id)
    attendee = selectors.attendee_for(meeting=meeting, user=user)
    if attendee is None:
        raise Http404
    return render(
        request,
        "web/meetings_member_detail.html",
        {
            "row": selectors.my_meeting(meeting=meeting, user=user, attendee=attendee),
            "comment_form": CommentForm(),
        },
    )


def _respond(request: HttpRequest, attendee: Attendee) -> bool:
    """Validate the answer form and make the one service call; flash the outcome."""
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose Accept or Decline."))
        return False
    accepted = form.cleaned_data["answer"] == "accept"
    try:
        services.meeting_respond(
            attendee=attendee,
            accepted=accepted,
            comment=form.cleaned_data["comment"],
            rest_of_series=form.cleaned_data["rest_of_series"],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return False
    if accepted:
        messages.success(request, _("You accepted the meeting."))
    else:
        messages.success(request, _("You declined the meeting."))
    return True


def _comment(request: HttpRequest, attendee: Attendee) -> bool:
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The comment is too long (%(max)d characters at most).") % {"max": COMMENT_MAX},
        )
        return False
    try:
        services.meeting_comment(attendee=attendee, comment=form.cleaned_data["comment"])
    except DomainError as error:
        messages.error(request, str(error.message))
        return False
    messages.success(request, _("Your comment is saved."))
    return True


@require_POST
@member_required
def meeting_respond(request: MemberRequest, meeting_id: int) -> HttpResponse:
    _meeting, attendee = _my_attendee(request, meeting_id)
    _respond(request, attendee)
    return redirect(next_or(request, reverse("web:member_meetings")))


@require_POST
@member_required
def meeting_comment(request: MemberRequest, meeting_id: int) -> HttpResponse:
    _meeting, attendee = _my_attendee(request, meeting_id)
    _comment(request, attendee)
    return redirect(next_or(request, reverse("web:member_meetings")))


@require_POST
@member_required
def calendar_feed_revoke(request: MemberRequest) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, _("Your calendar has a new address. The old one no longer works."))
    return redirect("web:member_meetings")


# -- links from the emails (no sign-in) --------------------------------------------------


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "web/meetings_member_invalid_link.html", status=404)


def _as_invited(view):
    """Run a token page in the invited person's language and time zone."""

    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        attendee = services.attendee_from_token(token)
        if attendee is None:
            return _invalid_link(request)
        person = attendee.user
        zone = _zone(person)
        with translation.override(person.language), timezone.override(zone):
            request.LANGUAGE_CODE = person.language
            return view(request, token, attendee)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _invited_meeting(attendee: Attendee) -> selectors.MyMeeting:
    row = selectors.my_invited_meeting(attendee=attendee)
    if row is None:
        raise Http404
    return row


@_as_invited
def rsvp(request: HttpRequest, token: str, attendee: Attendee) -> HttpResponse:
    """The invitation email's «Accept / Decline» link."""
    if request.method == "POST":
        _respond(request, attendee)
        return redirect("web:member_rsvp", token=token)
    return render(
        request,
        "web/meetings_member_rsvp.html",
        {"row": _invited_meeting(attendee), "token": token},
    )


@_as_invited
def feedback(request: HttpRequest, token: str, attendee: Attendee) -> HttpResponse:
    """The «How was your meeting?» email's link: a comment on the meeting."""
    if request.method == "POST":
        _comment(request, attendee)
        return redirect("web:member_feedback", token=token)
    return render(
        request,
        "web/meetings_member_feedback.html",
        {
            "row": _invited_meeting(attendee),
            "token": token,
            "form": CommentForm(initial={"comment": attendee.comment}),
        },
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's calendar subscription (.ics); the secret address is the credential."""
    body = selectors.feed_events(token=token)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
