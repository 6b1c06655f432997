"""The administrator's meeting pages: «Book Meeting», the «Rencontres» tab and the
relationship dashboard (cancel, reschedule), seen through the browser's requests.

Michele (admin, Edmonton) books Anna (mentor, Toronto) with Charlotte (mentee, Paris).
Anna is free weekdays 09:00–17:00 Toronto time, Charlotte 17:00–21:00 Paris time: on
Thursday 5 March 2026, 11:00 in Edmonton suits both."""

from __future__ import annotations

import html
from datetime import datetime

import pytest
from django.urls import reverse

from notifications.models import EmailLog, EmailStatus
from programs import services as program_services
from scheduling import services
from scheduling.models import Attendee, Meeting, MeetingSeries, MeetingStatus
from tests.conftest import make_switched_off_message
from tests.meetings import EDMONTON, START

LATER = datetime(2026, 3, 6, 11, 0, tzinfo=EDMONTON)  # Friday

# Every page here is seen on Monday 2 March 2026, 08:00 in Edmonton (tests/meetings.py).
pytestmark = pytest.mark.usefixtures("frozen")


def book_data(**overrides) -> dict:
    data = {
        "duration": "60",
        "meeting_type": "video",
        "location": "",
        "frequency": "none",
        "occurrences": "1",
        "day": "2026-03-05",
        "start": START.isoformat(),
    }
    data.update(overrides)
    return data


# -- «Book Meeting» ----------------------------------------------------------------------


def test_relationships_list_offers_book_meeting_and_meetings_tab(admin_client, relationship):
    page = admin_client.get(reverse("web:relationships") + "?tab=matched").content.decode()
    assert reverse("web:meeting_book", args=[relationship.pk]) in page
    assert reverse("web:relationship_dashboard", args=[relationship.pk]) in page
    assert reverse("web:meetings_admin") in page


def test_book_page_offers_the_pairs_common_slots_on_the_admins_clock(
    admin_client, relationship, available
):
    url = reverse("web:meeting_book", args=[relationship.pk])
    page = admin_client.get(url + "?day=2026-03-05&duration=60").content.decode()
    assert "Anna Carter" in page and "Charlotte Test" in page
    assert f'value="{START.isoformat()}"' in page
    # 08:00 in Edmonton is 16:00 in Paris: Charlotte is not free yet.
    assert 'value="2026-03-05T08:00:00-07:00"' not in page
    # A series keeps the mentee's time (docs/scheduling.md), and the form says so.
    assert (
        "A recurring meeting stays at the same time on Charlotte Test's clock "
        "(Europe/Paris), even when the clocks change."
    ) in page

    slots = admin_client.get(
        reverse("web:meeting_slots", args=[relationship.pk]) + "?date=2026-03-05&duration=60"
    ).json()
    assert START.isoformat() in [slot["value"] for slot in slots["slots"]]


def test_a_fall_back_nights_repeated_slots_differ_on_the_page_in_both_languages(
    admin_client, admin, relationship, always_available
):
    query = "?day=2026-11-01&duration=30"
    page = admin_client.get(
        reverse("web:meeting_book", args=[relationship.pk]) + query
    ).content.decode()
    assert '<option value="2026-11-01T01:30:00-06:00">1:30 a.m. (MDT, UTC-6)</option>' in page
    assert '<option value="2026-11-01T01:30:00-07:00">1:30 a.m. (MST, UTC-7)</option>' in page
    assert '<option value="2026-11-01T02:00:00-07:00">2 a.m.</option>' in page

    admin.language = "fr"
    admin.save(update_fields=["language"])
    page = admin_client.get(
        reverse("web:meeting_book", args=[relationship.pk]) + query
    ).content.decode()
    assert (
        '<option value="2026-11-01T01:30:00-07:00">1\xa0h\xa030 (heure MST, UTC-7)</option>' in page
    )
    assert "reste à la même heure pour Charlotte Test (Europe/Paris)" in page
    slots = admin_client.get(
        reverse("web:meeting_slots", args=[relationship.pk]) + "?date=2026-11-01&duration=30"
    ).json()["slots"]
    labels = [slot["label"] for slot in slots]
    assert labels[2:7] == [
        "1\xa0h (heure MDT, UTC-6)",
        "1\xa0h\xa030 (heure MDT, UTC-6)",
        "1\xa0h (heure MST, UTC-7)",
        "1\xa0h\xa030 (heure MST, UTC-7)",
        "2\xa0h",
    ]
    assert len(set(labels)) == len(labels) == 50

    # The second 01:30 is the one booked.
    response = admin_client.post(
        reverse("web:meeting_book", args=[relationship.pk]),
        book_data(duration="30", day="2026-11-01", start="2026-11-01T01:30:00-07:00"),
    )
    assert response.status_code == 302
    assert Meeting.objects.get().starts_at.isoformat() == "2026-11-01T08:30:00+00:00"


def test_booking_through_the_page_sends_the_request(admin_client, relationship, available):
    response = admin_client.post(
        reverse("web:meeting_book", args=[relationship.pk]), book_data(), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("web:meetings_admin")
    meeting = Meeting.objects.get()
    assert meeting.starts_at == START
    assert meeting.relationship == relationship
    page = response.content.decode()
    assert "The meeting request was sent to Anna Carter and Charlotte Test." in page
    assert f'data-attendee="{meeting.pk}:{relationship.mentee_id}"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"day": "2026-03-02", "start": "2026-03-02T07:00:00-07:00"},
            "is in the past",
        ),
        ({"meeting_type": "phone"}, "Select a valid choice"),
        ({"occurrences": "0"}, "Give between 1 and 52 occurrences."),
        ({"occurrences": "53"}, "Give between 1 and 52 occurrences."),
        ({"start": "2026-03-05T11:00:00"}, "Choose a date and a time slot."),
        ({"start": "2026-03-05T04:00:00-07:00"}, "is not available"),
    ],
)
def test_bad_booking_is_explained_and_creates_nothing(
    admin_client, org, relationship, available, overrides, message
):
    org.allow_phone = False
    org.save(update_fields=["allow_phone"])
    response = admin_client.post(
        reverse("web:meeting_book", args=[relationship.pk]), book_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MeetingSeries.objects.exists()
    assert not Meeting.objects.exists()


def test_only_allowed_meeting_types_are_offered(admin_client, org, relationship, available):
    org.allow_phone = False
    org.save(update_fields=["allow_phone"])
    page = admin_client.get(reverse("web:meeting_book", args=[relationship.pk])).content.decode()
    assert 'value="video"' in page and 'value="in_person"' in page
    assert 'value="phone"' not in page


def test_an_ended_relationship_cannot_be_booked(admin, admin_client, relationship, available):
    program_services.relationship_end(actor=admin, relationship=relationship)
    url = reverse("web:meeting_book", args=[relationship.pk])
    page = admin_client.get(url).content.decode()
    assert "data-not-bookable" in page
    response = admin_client.post(url, book_data())
    assert response.status_code == 200
    assert not Meeting.objects.exists()


# -- «Rencontres» ------------------------------------------------------------------------


def test_meetings_tab_shows_columns_and_ticks(admin_client, relationship, available, book):
    meeting = book().meetings.get()
    mentee_invite = Attendee.objects.get(meeting=meeting, user=relationship.mentee)
    services.meeting_respond(attendee=mentee_invite, accepted=True, comment="Looking forward")
    mentor_invite = Attendee.objects.get(meeting=meeting, user=relationship.mentor)
    services.meeting_comment(attendee=mentor_invite, comment="Bring the plan")

    page = admin_client.get(reverse("web:meetings_admin")).content.decode()
    assert 'data-live-table="meetings"' in page
    assert f'data-attendee="{meeting.pk}:{relationship.mentee_id}" data-response="accepted"' in page
    assert f'data-attendee="{meeting.pk}:{relationship.mentor_id}" data-response="pending"' in page
    assert "Charlotte Test: accepted" in page
    assert "Anna Carter: no answer" in page
    assert "Looking forward" in page and "Bring the plan" in page
    assert "Michele Mantero" in page  # sent by
    assert "60 min" in page
    assert "Scheduled" in page
    assert f'data-presence-user="{relationship.mentor_id}"' in page
    assert "Showing 1 to 1 of 1" in page
    assert "filtered from" not in page


def test_meetings_tab_search_sort_and_page_size(admin_client, relationship, always_available, book):
    book(frequency="daily", occurrences=12)
    url = reverse("web:meetings_admin")

    page = admin_client.get(url + "?size=10").content.decode()
    assert "Showing 1 to 10 of 12" in page
    assert page.count('<tr data-meeting="') == 10

    newest_first = admin_client.get(url).content.decode()
    oldest_first = admin_client.get(url + "?order=asc").content.decode()
    ids = list(Meeting.objects.order_by("starts_at").values_list("pk", flat=True))
    assert newest_first.index(f'data-meeting="{ids[-1]}"') < newest_first.index(
        f'data-meeting="{ids[0]}"'
    )
    assert oldest_first.index(f'data-meeting="{ids[0]}"') < oldest_first.index(
        f'data-meeting="{ids[-1]}"'
    )

    found = admin_client.get(url + "?q=charlotte").content.decode()
    assert "Showing 1 to 12 of 12" in found
    none = admin_client.get(url + "?q=Zebedee").content.decode()
    assert "No meeting matches this search." in none
    assert "(filtered from 12)" in none


def test_meetings_tab_query_count_does_not_grow_with_rows(
    admin_client, relationship, always_available, book, django_assert_max_num_queries
):
    book(frequency="daily", occurrences=3)
    url = reverse("web:meetings_admin") + "?q=anna"
    # A searched word costs three small reads before the list (the people named, from the
    # trigram indexes; their relationships; the series they sent): none grows with rows.
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    book(start=datetime(2026, 4, 1, 11, 0, tzinfo=EDMONTON), frequency="daily", occurrences=20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(url)


# -- dashboard: cancel and reschedule ----------------------------------------------------


def test_dashboard_shows_pair_availability_and_meetings(
    admin_client, relationship, available, book
):
    book()
    page = admin_client.get(
        reverse("web:relationship_dashboard", args=[relationship.pk])
    ).content.decode()
    assert "Europe/Paris" in page and "America/Toronto" in page
    assert "9 a.m.–5 p.m." in page and "5 p.m.–9 p.m." in page
    assert reverse("web:meeting_reschedule", args=[Meeting.objects.get().pk]) in page


def test_dashboard_cancel(admin_client, relationship, available, book):
    meeting = book().meetings.get()
    response = admin_client.post(reverse("web:meeting_cancel", args=[meeting.pk]), follow=True)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert "The meeting is cancelled" in response.content.decode()


def notice(response) -> str:
    """The success message the page shows after a redirect."""
    return str(next(iter(response.context["messages"])))


def test_cancelling_says_who_was_emailed(admin_client, relationship, available, book):
    meeting = book().meetings.get()
    response = admin_client.post(reverse("web:meeting_cancel", args=[meeting.pk]), follow=True)
    told = notice(response)
    assert told.startswith("The meeting is cancelled. ")
    assert "were told by email and in their notifications." in told
    assert "Anna Carter" in told and "Charlotte Test" in told and "no email" not in told


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "The meeting is cancelled. Anna Carter and Charlotte Test were told in their "
            "notifications; no email was sent: the “Meeting cancelled” email is turned off.",
        ),
        (
            "fr",
            "La réunion est annulée. Une notification a été envoyée à Anna Carter et Charlotte "
            "Test\xa0; aucun courriel n’est parti\xa0: le courriel «\xa0Réunion annulée\xa0» "
            "est désactivé.",
        ),
    ],
)
def test_cancelling_with_the_email_turned_off_says_no_email_was_sent(
    admin, admin_client, org, relationship, available, book, language, expected
):
    make_switched_off_message(org, "meeting_cancelled")
    admin.language = language
    admin.save(update_fields=["language"])
    meeting = book().meetings.get()
    response = admin_client.post(reverse("web:meeting_cancel", args=[meeting.pk]), follow=True)
    assert notice(response) == expected
    assert expected in html.unescape(response.content.decode())
    statuses = EmailLog.objects.filter(message_key="meeting_cancelled").values_list(
        "status", flat=True
    )
    assert list(statuses) == [EmailStatus.SUPPRESSED] * 2


def test_rescheduling_with_the_email_turned_off_says_no_email_was_sent(
    admin_client, org, relationship, available, book
):
    make_switched_off_message(org, "meeting_rescheduled")
    meeting = book().meetings.get()
    response = admin_client.post(
        reverse("web:meeting_reschedule", args=[meeting.pk]),
        {"day": "2026-03-06", "start": LATER.isoformat(), "version": meeting.version},
        follow=True,
    )
    told = notice(response)
    assert told.startswith("The meeting is moved to ")
    assert told.endswith(
        "Anna Carter and Charlotte Test were told in their notifications; no email was sent: "
        "the “Meeting rescheduled” email is turned off."
    )


@pytest.mark.parametrize(
    ("language", "held", "planned"),
    [
        ("en", "Meetings held", "Meetings planned"),
        ("fr", "Rencontres tenues", "Rencontres prévues"),
    ],
)
def test_dashboard_counts_meetings_held_and_planned(
    admin, admin_client, relationship, always_available, book, language, held, planned
):
    admin.language = language
    admin.save(update_fields=["language"])
    series = book(frequency="daily", occurrences=5)
    page = admin_client.get(reverse("web:relationship_dashboard", args=[relationship.pk]))
    text = page.content.decode()
    assert f"<dt>{held}</dt><dd data-tally-meetings>0</dd>" in text
    assert f"<dt>{planned}</dt><dd data-tally-planned>5</dd>" in text
    # A cancelled meeting is no longer planned.
    admin_client.post(reverse("web:meeting_cancel", args=[series.meetings.first().pk]))
    text = admin_client.get(
        reverse("web:relationship_dashboard", args=[relationship.pk])
    ).content.decode()
    assert f"<dt>{planned}</dt><dd data-tally-planned>4</dd>" in text


def test_dashboard_cancel_this_and_following(admin_client, relationship, always_available, book):
    series = book(frequency="daily", occurrences=3)
    first, second, third = series.meetings.order_by("starts_at")
    admin_client.post(reverse("web:meeting_cancel", args=[second.pk]), {"scope": "following"})
    statuses = list(series.meetings.order_by("starts_at").values_list("status", flat=True))
    assert statuses == [MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED, MeetingStatus.CANCELLED]


def test_reschedule(admin_client, relationship, available, book):
    meeting = book().meetings.get()
    url = reverse("web:meeting_reschedule", args=[meeting.pk])
    page = admin_client.get(url + "?day=2026-03-06").content.decode()
    assert f'value="{LATER.isoformat()}"' in page
    response = admin_client.post(
        url, {"day": "2026-03-06", "start": LATER.isoformat(), "version": meeting.version}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == LATER
    assert meeting.version == 2


def test_reschedule_with_a_stale_version_changes_nothing(
    admin_client, relationship, available, book
):
    meeting = book().meetings.get()
    response = admin_client.post(
        reverse("web:meeting_reschedule", args=[meeting.pk]),
        {"day": "2026-03-06", "start": LATER.isoformat(), "version": meeting.version + 1},
    )
    assert response.status_code == 200
    assert "Someone else changed this meeting" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.starts_at == START
    assert meeting.version == 1


# -- access ------------------------------------------------------------------------------


def _urls(relationship_id: int, meeting_id: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("web:meetings_admin")),
        ("get", reverse("web:relationship_dashboard", args=[relationship_id])),
        ("get", reverse("web:meeting_book", args=[relationship_id])),
        ("post", reverse("web:meeting_book", args=[relationship_id])),
        ("get", reverse("web:meeting_slots", args=[relationship_id]) + "?date=2026-03-05"),
        ("post", reverse("web:meeting_cancel", args=[meeting_id])),
        ("get", reverse("web:meeting_reschedule", args=[meeting_id])),
        ("post", reverse("web:meeting_reschedule", args=[meeting_id])),
    ]


def test_outsider_gets_404_and_changes_nothing(client, outsider, relationship, available, book):
    meeting = book().meetings.get()
    client.force_login(outsider)
    for method, url in _urls(relationship.pk, meeting.pk):
        if url == reverse("web:meetings_admin"):
            # Their own (empty) tab: none of our meetings in it.
            page = client.get(url).content.decode()
            assert "Anna Carter" not in page
            continue
        data = {**book_data(), "version": meeting.version, "scope": "following"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, url
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.version == 1
    assert Meeting.objects.count() == 1


def test_members_get_404(client, mentor, relationship, available, book):
    meeting = book().meetings.get()
    client.force_login(mentor)
    for method, url in _urls(relationship.pk, meeting.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
