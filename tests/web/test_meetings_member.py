"""The mentor's and mentee's meeting pages and the links the emails carry.

Michele (admin, Edmonton) books Anna (mentor, Toronto) with Charlotte (mentee, Paris,
French) for Thursday 5 March 2026, 11:00 Edmonton = 13:00 Toronto = 19:00 Paris."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from scheduling import services
from scheduling.links import rsvp_token
from scheduling.models import Attendee, Availability, CalendarFeed, Response
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

EDMONTON = ZoneInfo("America/Edmonton")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=EDMONTON)
START = datetime(2026, 3, 5, 11, 0, tzinfo=EDMONTON)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booked(frozen, admin, mentor, mentee, relationship):
    """A one-off meeting and a weekly series of three, both pending for the pair."""
    for person, zone in ((admin, "America/Edmonton"), (mentor, "America/Toronto")):
        person.time_zone = zone
        person.save(update_fields=["time_zone"])
    mentee.time_zone = "Europe/Paris"
    mentee.save(update_fields=["time_zone"])
    for person in (mentor, mentee):
        services.availability_set(user=person, ranges=[(d, time(0), time(0)) for d in range(7)])
    one_off = services.meeting_book(
        actor=admin,
        relationship=relationship,
        duration_minutes=60,
        meeting_type="video",
        start=START,
    )
    series = services.meeting_book(
        actor=admin,
        relationship=relationship,
        duration_minutes=30,
        meeting_type="video",
        start=datetime(2026, 3, 6, 9, 0, tzinfo=EDMONTON),
        frequency="weekly",
        occurrences=3,
    )
    return one_off.meetings.get(), list(series.meetings.order_by("starts_at"))


def _attendee(meeting, user) -> Attendee:
    return Attendee.objects.get(meeting=meeting, user=user)


# -- availability ------------------------------------------------------------------------


def _ranges_post(rows: list[tuple[str, str, str]], initial: int = 0, extra: int = 0) -> dict:
    data = {
        "ranges-TOTAL_FORMS": str(len(rows) + extra),
        "ranges-INITIAL_FORMS": str(initial),
        "ranges-MIN_NUM_FORMS": "0",
        "ranges-MAX_NUM_FORMS": "21",
    }
    for n, (day, start, end) in enumerate(rows):
        data.update(
            {f"ranges-{n}-weekday": day, f"ranges-{n}-start": start, f"ranges-{n}-end": end}
        )
    for n in range(len(rows), len(rows) + extra):
        data.update({f"ranges-{n}-weekday": "", f"ranges-{n}-start": "", f"ranges-{n}-end": ""})
    return data


def test_availability_is_saved_merged_and_shown(client, mentor):
    client.force_login(mentor)
    response = client.post(
        "/availability/",
        _ranges_post(
            [("0", "09:00", "12:00"), ("0", "11:00", "14:00"), ("2", "18:00", "00:00")], extra=2
        ),
    )
    assert response.status_code == 302
    assert [(a.weekday, a.start, a.end) for a in Availability.objects.filter(user=mentor)] == [
        (0, time(9), time(14)),
        (2, time(18), time(0)),
    ]
    text = client.get("/availability/").content.decode()
    assert "Availability for meetings" in text
    assert "Your availability is saved." in text
    assert 'value="09:00"' in text and 'value="14:00"' in text
    assert mentor.time_zone in text and 'href="/profile/"' in text


def test_availability_rows_can_be_removed(client, mentor):
    services.availability_set(user=mentor, ranges=[(0, time(9), time(12)), (1, time(9), time(12))])
    client.force_login(mentor)
    data = _ranges_post([("0", "09:00", "12:00"), ("1", "09:00", "12:00")], initial=2)
    data["ranges-1-DELETE"] = "on"
    assert client.post("/availability/", data).status_code == 302
    assert list(Availability.objects.filter(user=mentor).values_list("weekday", flat=True)) == [0]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("1", "17:00", "09:00"), "the end (09:00) must be after the start (17:00)"),
        (("1", "25:00", "26:00"), "Enter a valid time."),
        (("1", "09:00:30", "10:00"), "Give times in hours and minutes."),
    ],
)
def test_bad_ranges_are_refused_and_nothing_changes(client, mentor, row, message):
    services.availability_set(user=mentor, ranges=[(0, time(9), time(12))])
    client.force_login(mentor)
    response = client.post(
        "/availability/", _ranges_post([("0", "09:00", "12:00"), row], initial=1)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert [(a.weekday, a.start, a.end) for a in Availability.objects.filter(user=mentor)] == [
        (0, time(9), time(12))
    ]


# -- «Rencontres» ------------------------------------------------------------------------


def test_meetings_page_lists_upcoming_meetings_on_my_clock(client, mentor, booked):
    client.force_login(mentor)
    text = client.get("/meetings/").content.decode()
    assert "Upcoming meetings" in text
    assert "March 5, 2026" in text and "1 p.m." in text  # 11:00 Edmonton on Anna's clock
    assert "Charlotte Test" in text
    assert "Video call" in text and "Join the video call" in text
    assert text.count('name="answer" value="accept"') == 4
    assert "For all the following meetings of this series too" in text
    assert 'data-nav="meetings"' in text and 'class="active" data-nav="meetings"' in text


def test_accept_and_decline_from_the_page(client, mentor, mentee, booked):
    one_off, series = booked
    client.force_login(mentor)
    response = client.post(f"/meetings/{one_off.pk}/respond/", {"answer": "accept"})
    assert response.status_code == 302
    assert _attendee(one_off, mentor).response == Response.ACCEPTED
    assert _attendee(one_off, mentee).response == Response.PENDING
    client.post(f"/meetings/{one_off.pk}/respond/", {"answer": "decline", "comment": "Sick"})
    attendee = _attendee(one_off, mentor)
    assert attendee.response == Response.DECLINED and attendee.comment == "Sick"
    assert "You declined the meeting." in client.get("/meetings/").content.decode()


def test_decline_the_rest_of_a_series(client, mentor, booked):
    _one_off, series = booked
    client.force_login(mentor)
    client.post(f"/meetings/{series[1].pk}/respond/", {"answer": "decline", "rest_of_series": "1"})
    assert [_attendee(m, mentor).response for m in series] == [
        Response.PENDING,
        Response.DECLINED,
        Response.DECLINED,
    ]


def test_comment_from_the_page(client, mentor, booked):
    one_off, _series = booked
    client.force_login(mentor)
    client.post(f"/meetings/{one_off.pk}/comment/", {"comment": "Bring the CV"})
    assert _attendee(one_off, mentor).comment == "Bring the CV"
    client.post(f"/meetings/{one_off.pk}/comment/", {"comment": "x" * 2001})
    assert _attendee(one_off, mentor).comment == "Bring the CV"


def test_someone_elses_meeting_is_not_found(client, org, booked, mentor):
    one_off, _series = booked
    stranger = make_member(org, "sam@mentor.test", "Sam", "Stranger", "mentor")
    client.force_login(stranger)
    assert client.get(f"/meetings/{one_off.pk}/").status_code == 404
    assert client.post(f"/meetings/{one_off.pk}/respond/", {"answer": "decline"}).status_code == 404
    assert client.post(f"/meetings/{one_off.pk}/comment/", {"comment": "hi"}).status_code == 404
    assert "Anna" not in client.get("/meetings/").content.decode()
    assert _attendee(one_off, mentor).response == Response.PENDING


def test_another_organisations_member_gets_404(client, outsider_mentor, booked):
    one_off, _series = booked
    client.force_login(outsider_mentor)
    assert client.get(f"/meetings/{one_off.pk}/").status_code == 404


def test_meeting_detail_for_its_participant(client, mentee, booked):
    one_off, _series = booked
    client.force_login(mentee)
    response = client.get(f"/meetings/{one_off.pk}/")
    assert response.status_code == 200
    assert "Anna Carter" in response.content.decode()


def test_member_pages_need_sign_in(client, booked):
    one_off, _series = booked
    for path in ("/availability/", "/meetings/", f"/meetings/{one_off.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/login/")


def test_home_tile_shows_pending_invitations(client, mentor, booked):
    client.force_login(mentor)
    text = client.get("/").content.decode()
    assert "4 invitations wait for your answer." in text
    assert "March 5, 2026" in text


# -- links from the emails ---------------------------------------------------------------


def test_rsvp_link_shows_one_meeting_and_answers_without_sign_in(client, mentor, booked):
    one_off, series = booked
    token = rsvp_token(_attendee(one_off, mentor))
    response = client.get(f"/meetings/rsvp/{token}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "March 5, 2026" in text and "Charlotte Test" in text
    assert f"/meetings/{series[0].pk}/" not in text
    response = client.post(f"/meetings/rsvp/{token}/", {"answer": "accept"})
    assert response.status_code == 302
    assert _attendee(one_off, mentor).response == Response.ACCEPTED
    assert "You accepted the meeting." in client.get(response.url).content.decode()


def test_forged_or_stale_token_is_404_and_changes_nothing(client, mentor, booked):
    one_off, _series = booked
    token = rsvp_token(_attendee(one_off, mentor))
    forged = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    for bad in (forged, "nonsense"):
        response = client.get(f"/meetings/rsvp/{bad}/")
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
        assert client.post(f"/meetings/rsvp/{bad}/", {"answer": "decline"}).status_code == 404
        assert client.post(f"/meetings/feedback/{bad}/", {"comment": "x"}).status_code == 404
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])
    assert client.post(f"/meetings/rsvp/{token}/", {"answer": "decline"}).status_code == 404
    attendee = _attendee(one_off, mentor)
    assert attendee.response == Response.PENDING and attendee.comment == ""


def test_feedback_link_stores_the_comment(client, mentee, booked, frozen):
    one_off, _series = booked
    frozen.move_to(datetime(2026, 3, 6, 8, 0, tzinfo=EDMONTON))
    token = rsvp_token(_attendee(one_off, mentee))
    response = client.get(f"/meetings/feedback/{token}/")
    assert response.status_code == 200
    # Charlotte reads it in French, on her clock (19:00 Paris).
    text = response.content.decode()
    assert "Comment s'est passée votre réunion\xa0?" in text
    assert "5 mars 2026" in text and "19:00" in text
    client.post(f"/meetings/feedback/{token}/", {"comment": "Très utile"})
    assert _attendee(one_off, mentee).comment == "Très utile"


def test_a_french_member_sees_french_dates_and_labels(client, mentee, booked):
    client.force_login(mentee)
    text = client.get("/meetings/").content.decode()
    assert '<html lang="fr">' in text
    assert "5 mars 2026" in text and "19:00" in text
    assert "Statut" in text and "Date" in text
    assert "Anna Carter" in text


# -- calendar feed -----------------------------------------------------------------------


def test_calendar_feed_and_revoke(client, mentor, booked):
    client.force_login(mentor)
    text = client.get("/meetings/").content.decode()
    token = CalendarFeed.objects.get(user=mentor).token
    url = f"{settings.SITE_URL}/meetings/feed/{token}.ics"
    assert url in text
    client.logout()
    response = client.get(f"/meetings/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"BEGIN:VCALENDAR" in response.content and b"Charlotte Test" in response.content

    client.force_login(mentor)
    assert client.post("/meetings/calendar/revoke/").status_code == 302
    new_token = CalendarFeed.objects.get(user=mentor).token
    assert new_token != token
    assert client.get(f"/meetings/feed/{token}.ics").status_code == 404
    assert client.get(f"/meetings/feed/{new_token}.ics").status_code == 200
    assert client.get("/meetings/feed/unknown.ics").status_code == 404


def test_meetings_page_queries_do_not_grow_with_meetings(
    client, mentor, booked, django_assert_max_num_queries
):
    client.force_login(mentor)
    with django_assert_max_num_queries(12):
        response = client.get("/meetings/")
    assert response.status_code == 200


def test_an_admin_of_the_organisation_is_sent_to_the_relationship_dashboard(
    admin_client, booked, relationship
):
    one_off, _series = booked
    response = admin_client.get(f"/meetings/{one_off.pk}/")
    assert response.status_code == 302
    assert response.url == f"/manage/relationships/{relationship.pk}/"


def test_an_admin_of_another_organisation_gets_404(outsider_client, booked):
    one_off, _series = booked
    assert outsider_client.get(f"/meetings/{one_off.pk}/").status_code == 404
