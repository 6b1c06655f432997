"""The administrator's day on one page (/manage/): meetings today and in the next seven
days, invitations nobody answered, emails that bounced or were reported as spam, who is
online, quiet relationships — each a link to act on, in English and French, in a constant
number of queries, and never another organisation's."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation

from notifications.models import EmailLog, EmailStatus
from programs import services as program_services
from programs.models import Relationship, Role, User
from scheduling.services import availability_set
from tests.conftest import make_member
from tests.meetings import EDMONTON, NOW
from tests.web.test_row_tags import without_csrf_token

pytestmark = pytest.mark.django_db

EVERY_DAY = [(weekday, datetime.min.time(), datetime.min.time()) for weekday in range(7)]
# Monday 2 March 2026 11:00 in Edmonton: later today for the administrator (frozen at 08:00).
TODAY_11 = datetime(2026, 3, 2, 11, 0, tzinfo=EDMONTON)
# Thursday 5 March 11:00: in the next seven days.
THURSDAY_11 = datetime(2026, 3, 5, 11, 0, tzinfo=EDMONTON)


def email_problem(org, person: User, status: str, *, days_ago: float = 1) -> EmailLog:
    when = timezone.now() - timedelta(days=days_ago)
    return EmailLog.objects.create(
        organisation=org,
        recipient=person,
        to_name=person.full_name,
        to_email=person.email,
        language="en",
        subject="Welcome to the program",
        status=status,
        status_at=when,
        created_at=when,
    )


def quiet_pair(admin: User, org, mentor_email: str, mentee_email: str) -> Relationship:
    """A pair matched 60 days ago that never met."""
    mentor = make_member(org, mentor_email, "Quinn", mentor_email.split("@")[0], Role.MENTOR)
    mentee = make_member(org, mentee_email, "Ria", mentee_email.split("@")[0], Role.MENTEE)
    relationship = program_services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
    Relationship.objects.filter(pk=relationship.pk).update(
        started_at=timezone.now() - timedelta(days=60)
    )
    return relationship


@pytest.fixture
def busy_day(frozen, available, admin, mentor, mentee, relationship, book, org, monkeypatch):
    """Today: one meeting at 11:00 nobody answered; Thursday another; a quiet pair; one
    bounce and one spam report this week, one bounce from last month; Anna online."""
    book(start=TODAY_11)
    book(start=THURSDAY_11)
    quiet_pair(admin, org, "quinn@mentor.test", "ria@mentor.test")
    email_problem(org, mentor, EmailStatus.BOUNCED)
    email_problem(org, mentee, EmailStatus.SPAM, days_ago=2)
    email_problem(org, mentee, EmailStatus.BOUNCED, days_ago=30)
    email_problem(org, mentor, EmailStatus.DELIVERED)
    monkeypatch.setattr("web.views.manage.online_user_ids", lambda **_: {mentor.pk})


def section(text: str, name: str) -> str:
    start = text.index(f'data-section="{name}"')
    return text[start : text.index("</article>", start)]


def test_the_dashboard_shows_what_needs_attention_now(admin_client, busy_day, relationship):
    text = admin_client.get("/manage/").content.decode()

    today = section(text, "today")
    assert "Meetings today" in today and "Anna Carter and Charlotte Test" in today
    assert f'href="/manage/relationships/{relationship.pk}/"' in today
    assert "11:00" in today or "11 a.m." in today

    week = section(text, "week")
    assert "Next seven days" in week and "Anna Carter and Charlotte Test" in week

    unanswered = section(text, "unanswered")
    assert "2 invitations waiting for an answer" in unanswered
    assert ">4<" in unanswered  # Anna and Charlotte, for each of the two meetings
    assert "Anna Carter" in unanswered and "Charlotte Test" in unanswered

    problems = section(text, "email-problems")
    assert ">2<" in problems  # last month's bounce is not news any more
    assert "Bounced" in problems and "Spam report" in problems
    assert "anna@mentor.test" in problems
    assert "/manage/email-log/?statuses=bounced&amp;statuses=spam&amp;start=2026-02-2" in problems

    online = section(text, "online")
    assert "Anna Carter" in online and "Charlotte Test" not in online

    quiet = section(text, "quiet")
    assert "Quinn quinn" in quiet and "Anna Carter" not in quiet
    quiet_id = Relationship.objects.get(mentor__email="quinn@mentor.test").pk
    assert f'href="/manage/relationships/{quiet_id}/book/"' in quiet
    assert "No meeting yet" in quiet

    # The live totals stay, for live.js to update.
    assert 'data-count="members">' in text and 'data-count="relationships">' in text


def test_the_dashboard_in_french(admin_client, busy_day, admin):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    admin_client.cookies["django_language"] = "fr"
    text = admin_client.get("/manage/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    text = text.replace("’", "'").replace("&#x27;", "'").replace("\u202f", " ")
    for label in (
        "Rencontres aujourd'hui",
        "Sept prochains jours",
        "2 invitations en attente de réponse",
        "Courriels non reçus",
        "En ligne maintenant",
        "Relations sans activité",
        "Aucune rencontre pour l'instant",
    ):
        assert label in text, label
    assert "Anna Carter et Charlotte Test" in section(text, "today")


def test_an_empty_day_says_so(admin_client, frozen):
    text = admin_client.get("/manage/").content.decode()
    assert "No meetings today." in text
    assert "Everyone has answered." in text
    assert "None in the last 7 days." in text
    assert "Every matched pair has met recently." in text


def test_a_pair_that_met_recently_is_not_quiet(admin_client, frozen, available, relationship, book):
    Relationship.objects.filter(pk=relationship.pk).update(started_at=NOW - timedelta(days=90))
    book(start=THURSDAY_11)  # planned: not quiet
    assert "Anna Carter" not in section(admin_client.get("/manage/").content.decode(), "quiet")


def test_the_dashboard_costs_the_same_whatever_the_size_of_the_program(
    admin_client, busy_day, admin, org, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as small:
        admin_client.get("/manage/")
    for n in range(12):
        pair = quiet_pair(admin, org, f"m{n}@mentor.test", f"e{n}@mentor.test")
        email_problem(org, pair.mentor, EmailStatus.BOUNCED)
        for person in (pair.mentor, pair.mentee):
            availability_set(user=person, ranges=EVERY_DAY)
    with django_assert_max_num_queries(len(small.captured_queries)):
        text = admin_client.get("/manage/").content.decode()
    assert ">13<" in section(text, "quiet") and ">14<" in section(text, "email-problems")


def test_another_organisations_day_is_never_shown(
    client, busy_day, outsider, outsider_mentor, other_org, monkeypatch, admin, mentor
):
    olivia = make_member(other_org, "olivia@elsewhere.test", "Olivia", "Elsewhere", Role.MENTEE)
    pair = program_services.relationship_match(
        actor=outsider, mentor=outsider_mentor, mentee=olivia
    )
    Relationship.objects.filter(pk=pair.pk).update(started_at=timezone.now() - timedelta(days=60))
    email_problem(other_org, olivia, EmailStatus.BOUNCED)
    # Presence answers for the organisation asked about; a stray id is still filtered.
    monkeypatch.setattr(
        "web.views.manage.online_user_ids", lambda **_: {mentor.pk, outsider_mentor.pk}
    )

    client.force_login(admin)
    ours = client.get("/manage/").content.decode()
    for name in ("Olive Outsider", "Olivia Elsewhere", "olivia@elsewhere.test"):
        assert name not in ours

    client.force_login(outsider)
    theirs = client.get("/manage/").content.decode()
    assert "Olivia Elsewhere" in section(theirs, "email-problems")
    assert "Olive Outsider" in section(theirs, "quiet")
    for name in ("Anna Carter", "Charlotte Test", "Quinn", "anna@mentor.test"):
        assert name not in theirs, name


FORMER = Path(__file__).parent / "former" / "manage_dashboard.html"


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("busy", [True, False])
def test_the_dashboard_draws_the_former_template_text(
    admin_client, admin, frozen, request, language, busy
):
    """The dashboard with its fixed text kept per language ({% fixed %}) is, word for word,
    what the template drew before (tests/web/former/manage_dashboard.html, the oracle):
    a busy day and an empty one, an invitation link switched off, in both languages."""
    from django.template import engines

    from programs import invitations

    if busy:
        request.getfixturevalue("busy_day")
        link = invitations.invitation_links(actor=admin)[1]
        type(link).objects.filter(pk=link.pk).update(is_active=False)
    admin.language = language
    admin.save(update_fields=["language"])
    response = admin_client.get("/manage/")
    assert response.status_code == 200
    former = engines["django"].from_string(FORMER.read_text())
    with translation.override(language):
        expected = former.render(response.context[0].flatten(), request=response.wsgi_request)
    drawn = response.content.decode()
    assert without_csrf_token(drawn) == without_csrf_token(expected)
    assert ("Rencontres aujourd" in drawn) == (language == "fr")
    assert ('value="on"' in drawn) == busy  # the switched-off link offers «Switch on»
