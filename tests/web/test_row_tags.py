"""The list rows' tags (web/templatetags/tandem.py) render what the template text they
replaced rendered: that text is kept here as the oracle, for every branch, in both
languages, with a name that needs escaping."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from web.templatetags.tandem import url_id

# web/templates/web/_dot.html before it became {% presence_dot %} (it ended with a newline,
# which the pages rendered as white space before the name).
FORMER_DOT = (
    '{% load i18n %}<span class="dot{% if online %} online{% endif %}" '
    'data-presence-user="{{ person.pk }}"{% if announce %} '
    'data-presence-announce="{{ person.full_name }}"{% endif %} '
    "data-label-on=\"{% translate 'Connected' %}\" data-label-off=\"{% translate 'Not connected' %}\" "
    'role="img" aria-label="{% if online %}{% translate \'Connected\' %}{% else %}'
    "{% translate 'Not connected' %}{% endif %}\" title=\"{% if online %}"
    "{% translate 'Connected' %}{% else %}{% translate 'Not connected' %}{% endif %}\"></span>"
)

# The participant of meetings_admin_list.html before it became {% rsvp_mark %}.
FORMER_RSVP = """{% load i18n %}{% with name=a.user.full_name %}<span class="rsvp" data-attendee="{{ m.pk }}:{{ a.user_id }}" data-response="{{ a.response }}" data-name="{{ name }}"
        data-label-accepted="{% blocktranslate %}{{ name }}: accepted{% endblocktranslate %}"
        data-label-declined="{% blocktranslate %}{{ name }}: declined{% endblocktranslate %}"
        data-label-pending="{% blocktranslate %}{{ name }}: no answer{% endblocktranslate %}"
        role="img" aria-label="{% if a.response == 'accepted' %}{% blocktranslate %}{{ name }}: accepted{% endblocktranslate %}{% elif a.response == 'declined' %}{% blocktranslate %}{{ name }}: declined{% endblocktranslate %}{% else %}{% blocktranslate %}{{ name }}: no answer{% endblocktranslate %}{% endif %}"><span class="tick" aria-hidden="true">{% if a.response == 'accepted' %}✓{% elif a.response == 'declined' %}✗{% else %}?{% endif %}</span> {{ name }}</span>{% endwith %}"""  # noqa: E501

NAMES = ["Anna Martin", 'Zoé "<b>O\'Brien</b>" & Cie', "{name} %(name)s"]


def render(text: str, context: dict) -> str:
    return engines["django"].from_string(text).render(context)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("name", NAMES)
def test_presence_dot_renders_the_former_include(language, name):
    person = SimpleNamespace(pk=42, full_name=name)
    with translation.override(language):
        for online in (True, False, None, 1, ""):
            for announce in (True, False):
                context = {"person": person, "online": online, "announce": announce}
                expected = render(FORMER_DOT, context)
                tag = "{% load tandem %}{% presence_dot person online announce=announce %}"
                assert render(tag, context) == expected
                if not announce:
                    assert render("{% load tandem %}{% presence_dot person online %}", context) == (
                        expected
                    )


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("response", ["accepted", "declined", "pending", "tentative", ""])
def test_rsvp_mark_renders_the_former_template_text(language, name, response):
    attendee = SimpleNamespace(user=SimpleNamespace(full_name=name), user_id=7, response=response)
    context = {"m": SimpleNamespace(pk=31), "a": attendee}
    with translation.override(language):
        expected = render(FORMER_RSVP, context)
        assert render("{% load tandem %}{% rsvp_mark m a %}", context) == expected
    if language == "fr":
        assert "a accepté" in expected or response != "accepted"


@pytest.mark.parametrize(
    "name", ["web:member", "web:member_active", "web:relationship_dashboard", "web:meeting_book"]
)
def test_url_id_is_the_url_tag(name):
    for object_id in (0, 1, 42, 918273645, 10**12):
        expected = render(f"{{% url '{name}' object_id %}}", {"object_id": object_id})
        assert render(
            f"{{% load tandem %}}{{% url_id '{name}' object_id %}}", {"object_id": object_id}
        ) == (expected)
        assert url_id(name, object_id) == reverse(name, args=[object_id])
    # A string id goes through reverse, as {% url %} would.
    assert url_id(name, "42") == reverse(name, args=["42"])


def test_url_id_follows_the_script_prefix():
    try:
        set_script_prefix("/tandem/")
        assert (
            url_id("web:member", 5)
            == "/tandem/manage/members/5/"
            == reverse("web:member", args=[5])
        )
    finally:
        set_script_prefix("/")
    assert url_id("web:member", 5) == "/manage/members/5/"


def test_url_id_refuses_a_route_without_one_integer():
    with pytest.raises(NoReverseMatch):
        url_id("web:members", 5)


# web/templates/web/_agreement_state.html before it became {% agreement_state %}.
FORMER_AGREEMENT = (
    '{% load i18n tandem %}<span data-agreement-state="{{ state }}">{% if state == "signed" %}'
    "{% blocktranslate with date=signed_on|date_label %}Signed by both on {{ date }}"
    '{% endblocktranslate %}{% elif state == "in_progress" %}'
    '{% translate "In progress" context "agreement state" %}{% else %}'
    '{% translate "Not started" context "agreement state" %}{% endif %}</span>'
)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("state", ["signed", "in_progress", "not_started", "<odd>", ""])
def test_agreement_state_renders_the_former_include(language, state):
    from datetime import UTC, date, datetime

    from django.utils import timezone

    moments = [
        None,
        date(2026, 3, 1),
        datetime(2026, 3, 1, 3, 30, tzinfo=UTC),  # the evening before in Toronto
        datetime(2026, 11, 15, 14, 0, tzinfo=UTC),
    ]
    with translation.override(language), timezone.override("America/Toronto"):
        for signed_on in moments:
            context = {"state": state, "signed_on": signed_on}
            expected = render(FORMER_AGREEMENT, context)
            assert render("{% load tandem %}{% agreement_state state signed_on %}", context) == (
                expected
            )


# The members list's rows (manage_members.html) before they became {% member_rows %}; the
# one change: the groups come from the list's `group_names` (programs.selectors), no
# longer from a prefetch of `member_groups`.
FORMER_MEMBER_ROWS = """{% load i18n tandem %}  {% for row in rows %}{% with m=row.member %}
  <tr data-member="{{ m.pk }}">
    <td class="name-cell"><input type="checkbox" name="member" value="{{ m.pk }}" form="member-selection" aria-label="{% blocktranslate with name=m.full_name %}Select {{ name }}{% endblocktranslate %}" data-select-member> {% presence_dot m row.online %} <a class="name" href="{% url_id 'web:member' m.pk %}">{{ m.full_name }}</a></td>
    <td>
      <form method="post" action="{% url_id 'web:member_active' m.pk %}" class="active-toggle">{% csrf_token %}
        <input type="hidden" name="next" value="{{ request.get_full_path }}">
        <input type="hidden" name="active" value="{% if m.is_active %}0{% else %}1{% endif %}">
        <input type="checkbox" name="active_box" aria-label="{% blocktranslate with name=m.full_name %}Active: {{ name }}{% endblocktranslate %}" {% if m.is_active %}checked{% endif %}{% if m.pk == user.pk %} disabled{% endif %} data-active-toggle>
        <noscript><button type="submit" class="small">{% translate "Change" %}</button></noscript>
      </form>
    </td>
    <td data-priority="2" class="wrap">{{ m.email }}{% if m.email_problem %} <span class="badge danger email-problem" data-email-problem="{{ m.email_problem }}">{{ m.get_email_problem_display }}</span>{% endif %}</td>
    <td data-priority="2">{{ m.get_role_display }}</td>
    <td data-priority="3" data-completion="{{ m.pk }}">{{ m.profile_completion }}%</td>
    <td data-priority="3">{% if m.last_seen %}{{ m.last_seen|date_label:"DATETIME_FORMAT" }}{% elif m.last_login %}{{ m.last_login|date_label:"DATETIME_FORMAT" }}{% endif %}</td>
    <td data-priority="3">{{ row.current }}</td>
    <td data-priority="3" class="wrap">{% for g in m.group_names %}{{ g }}{% if not forloop.last %}, {% endif %}{% endfor %}</td>
    <td data-priority="3">{{ row.matches }}</td>
    <td data-priority="3">{{ row.tally.hours|hours_minutes }}</td>
    <td data-priority="3">{{ m.date_joined|date_label }}</td>
    <td data-priority="3" data-ended-on="{{ m.ended_at|date:'Y-m-d' }}">{% if m.ended_at %}{{ m.ended_at|date_label }}{% endif %}</td>
    <td data-priority="3"><a href="{% url_id 'web:member' m.pk %}#member-administrator">{% if m.member_administrator %}{{ m.member_administrator.full_name }}{% else %}{% translate "Assign" %}{% endif %}</a></td>
  </tr>
  {% endwith %}{% empty %}
  <tr><td colspan="13" class="empty">{% translate "No member matches these filters." %}</td></tr>
  {% endfor %}
"""  # noqa: E501


def member_rows_context(name: str) -> list[dict]:
    """Rows for every branch of the former template: active or not, an email problem or
    none, a member administrator or none, last seen / last login / never, an end date on
    the first of a month, groups needing escaping, the viewer's own row."""
    from datetime import UTC, date, datetime

    from programs.models import Role, User

    administrator = User(pk=5, first_name="Ada", last_name=name)
    people = []
    for n, (active, problem, seen, login, ended) in enumerate(
        [
            (True, "", datetime(2026, 3, 1, 14, 0, tzinfo=UTC), None, None),
            (False, "bounced", None, datetime(2025, 12, 31, 23, 30, tzinfo=UTC), date(2026, 4, 1)),
            (True, "spam", None, None, date(2026, 4, 17)),
        ]
    ):
        member = User(
            pk=100 + n, first_name=name, last_name=f"N{n}", email=f"p{n}@example.org",
            role=[Role.MENTOR, Role.MENTEE, Role.ADMINISTRATOR][n], is_active=active,
            email_problem=problem, last_seen=seen, last_login=login, ended_at=ended,
            profile_completion=40 * n, date_joined=datetime(2025, 9, 1, 3, 5, tzinfo=UTC),
            member_administrator=administrator if n != 1 else None,
        )  # fmt: skip
        member.group_names = [] if n == 2 else [name, "Cohorte 2026 & co"][: n + 1]  # type: ignore[attr-defined]
        people.append(member)
    return [
        {"member": m, "online": n == 0, "current": n, "matches": 2 * n,
         "tally": SimpleNamespace(hours=1.5 * n)}
        for n, m in enumerate(people)
    ]  # fmt: skip


def without_csrf_token(html: str) -> list[str]:
    """The HTML's words, each form's CSRF token (a new mask every render) left out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", html).split()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("name", NAMES)
def test_member_rows_render_the_former_template_text(rf, language, name):
    from django.utils import timezone

    from programs.models import User

    request = rf.get("/manage/members/", {"q": 'a"b', "page": "2"})
    request.user = User(pk=101, first_name="Viewer")
    rows = member_rows_context(name)
    with translation.override(language), timezone.override("America/Toronto"):
        for shown in (rows, rows[1:2]):
            context = {"rows": shown, "user": request.user}
            expected = (
                engines["django"].from_string(FORMER_MEMBER_ROWS).render(context, request=request)
            )
            ours = (
                engines["django"]
                .from_string("{% load rows %}{% member_rows rows %}")
                .render(context, request=request)
            )
            assert "csrfmiddlewaretoken" in ours
            assert without_csrf_token(ours) == without_csrf_token(expected)
        french = "1er avril 2026" in expected
    assert french == (language == "fr")


@pytest.mark.parametrize("name", ["web:manage", "web:members", "web:home", "web:profile"])
def test_url_named_is_reverse_under_any_script_prefix(name):
    from web.routes import url_named

    try:
        assert url_named(name) == reverse(name)
        set_script_prefix("/tandem/")
        assert url_named(name) == reverse(name)
        assert url_named(name).startswith("/tandem/")
    finally:
        set_script_prefix("/")


# The relationships list's and «Rencontres»' rows before they became {% relationship_rows %}
# and {% meeting_rows %} (their {% empty %} rows stay template text).
FORMER_RELATIONSHIP_ROWS = """{% load i18n tandem %}  {% for row in rows %}{% with r=row.relationship %}
  <tr data-relationship="{{ r.pk }}">
    <td class="name-cell">{% presence_dot r.mentor row.mentor_online %} {{ r.mentor.full_name }}</td>
    <td class="name-cell">{% presence_dot r.mentee row.mentee_online %} {{ r.mentee.full_name }}</td>
    <td><div class="actions-cell"><a href="{% url_id 'web:relationship_dashboard' r.pk %}" data-consult>{% translate "View" context "relationship dashboard link" %}</a>
      {% if r.status == "matched" %}<a class="button primary small" href="{% url_id 'web:meeting_book' r.pk %}" data-book-meeting>{% translate "Book Meeting" %}</a>{% endif %}
      {% if r.status != "completed" %}
      <form method="post" action="{% url_id 'web:relationship_end' r.pk %}" class="inline" data-confirm="{% translate 'End this relationship? Its meetings still to come will be cancelled.' %}">{% csrf_token %}
        <input type="hidden" name="next" value="{{ request.get_full_path }}">
        <button type="submit" class="danger small">{% translate "End relationship" %}</button>
      </form>{% endif %}</div></td>
    <td data-priority="2">{{ r.get_status_display }}</td>
    <td data-priority="2" data-agreement="{{ r.pk }}">{% agreement_state row.agreement.0 row.agreement.1 %}</td>
    <td data-priority="2" data-next-meeting>{% if row.next_meeting %}<time datetime="{{ row.next_meeting.isoformat }}">{{ row.next_meeting|date_label:"DATETIME_FORMAT" }}</time>{% endif %}</td>
    <td data-priority="2" data-evaluation="{{ r.pk }}" data-state="{{ row.evaluation }}">{{ row.evaluation_label }}</td>
    <td data-priority="3">{{ row.tally.hours|hours_minutes }}</td><td data-priority="3">{{ row.tally.meetings }}</td>
    <td data-priority="3">{{ r.created_at|date_label }}</td>
    <td data-priority="3">{% if r.started_at %}{{ r.started_at|date_label }}{% endif %}</td>
    <td data-priority="3">{% if r.ended_at %}{{ r.ended_at|date_label }}{% endif %}</td>
    <td data-priority="3">{% if r.relationship_administrator %}{{ r.relationship_administrator.full_name }}{% endif %}</td>
  </tr>
  {% endwith %}{% endfor %}
"""  # noqa: E501
FORMER_MEETING_ROWS = """{% load i18n tandem %}  {% for item in rows %}{% with row=item.row m=item.row.meeting %}
  <tr data-meeting="{{ m.pk }}" data-relationship="{{ m.relationship_id }}">
    <td class="name-cell">{% presence_dot row.mentor item.mentor_online %} <a href="{% url_id 'web:relationship_dashboard' m.relationship_id %}">{{ row.mentor.full_name }}</a></td>
    <td class="name-cell">{% presence_dot row.mentee item.mentee_online %} {{ row.mentee.full_name }}</td>
    <td data-priority="3">{% if row.sent_by %}{{ row.sent_by.full_name }}{% endif %}</td>
    <td><time datetime="{{ m.starts_at.isoformat }}">{{ m.starts_at|date_label:"DATETIME_FORMAT" }}</time></td>
    <td data-priority="3">{% blocktranslate with minutes=row.duration_minutes %}{{ minutes }} min{% endblocktranslate %}</td>
    <td data-priority="2" data-status="{{ m.status }}">{{ m.get_status_display }}</td>
    <td class="participants">{% for a in row.attendees %}
      {% rsvp_mark m a %}{% if not forloop.last %}<br>{% endif %}
    {% endfor %}</td>
    <td data-priority="3" class="wrap">{{ row.mentor_comment|linebreaksbr }}</td>
    <td data-priority="3" class="wrap">{{ row.mentee_comment|linebreaksbr }}</td>
  </tr>
  {% endwith %}{% endfor %}
"""  # noqa: E501


def relationship_rows_context(name: str) -> list[dict]:
    """A requested, a matched and a completed relationship: each action branch, an
    agreement signed or not, a next meeting or none, dates on the first of a month and on
    the hour, an administrator or none, names that need escaping."""
    from datetime import UTC, datetime

    from programs.models import Relationship, RelationshipStatus, User

    mentor = User(pk=7, first_name=name, last_name="Mentor")
    mentee = User(pk=8, first_name="Léa", last_name=name)
    administrator = User(pk=9, first_name="Ada", last_name=name)
    rows = []
    for n, status in enumerate(RelationshipStatus):
        relationship = Relationship(
            pk=300 + n, mentor=mentor, mentee=mentee, status=status,
            created_at=datetime(2026, 2, 1, 5, 0, tzinfo=UTC),
            started_at=datetime(2026, 3, 1, 4, 30, tzinfo=UTC) if n else None,
            ended_at=datetime(2026, 6, 15, 12, 0, tzinfo=UTC) if n == 2 else None,
            relationship_administrator=administrator if n != 1 else None,
        )  # fmt: skip
        rows.append(
            {"relationship": relationship, "mentor_online": n == 1, "mentee_online": n == 2,
             "tally": SimpleNamespace(hours=0.75 * n, meetings=n),
             "next_meeting": datetime(2026, 12, 1, 14, 0, tzinfo=UTC) if n == 1 else None,
             "agreement": [("signed", datetime(2026, 4, 1, 3, 0, tzinfo=UTC)),
                           ("in_progress", None), ("not_started", None)][n],
             "evaluation": ["none", "waiting", "answered"][n],
             "evaluation_label": [name, "En attente", "Répondu"][n]}
        )  # fmt: skip
    return rows


def meeting_rows_context(name: str) -> list[dict]:
    """Meetings with two attendees, one, none; sent by someone or nobody; each status;
    comments with line breaks and markup."""
    from datetime import UTC, datetime, timedelta

    from programs.models import User
    from scheduling.models import Attendee, Meeting, MeetingStatus
    from scheduling.selectors.lists import MeetingRow

    mentor = User(pk=7, first_name=name, last_name="Mentor")
    mentee = User(pk=8, first_name="Léa", last_name=name)
    items = []
    for n, status in enumerate(MeetingStatus):
        starts = datetime(2026, 11, 1 + n, 13, 30 * (n % 2), tzinfo=UTC)
        meeting = Meeting(
            pk=500 + n, relationship_id=40 + n, status=status, starts_at=starts,
            ends_at=starts + timedelta(minutes=45 + 15 * n),
        )  # fmt: skip
        attendees = [
            Attendee(meeting=meeting, user=person, response=response)
            for person, response in [(mentor, "accepted"), (mentee, "pending")][: 2 - n]
        ]
        row = MeetingRow(
            meeting=meeting, mentor=mentor, mentee=mentee,
            sent_by=[mentor, None, mentee][n], attendees=attendees,
            mentor_comment=f"Bien.\n<b>{name}</b>" if n == 0 else "",
            mentee_comment="Line one\r\nline two" if n == 1 else "",
        )  # fmt: skip
        items.append({"row": row, "mentor_online": n == 0, "mentee_online": n == 1})
    return items


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("name", NAMES)
def test_relationship_and_meeting_rows_render_the_former_template_text(rf, language, name):
    from django.utils import timezone

    from programs.models import User

    request = rf.get("/manage/relationships/", {"tab": "matched", "q": '"x'})
    request.user = User(pk=1, first_name="Viewer")
    cases = [
        (FORMER_RELATIONSHIP_ROWS, "relationship_rows", relationship_rows_context(name)),
        (FORMER_MEETING_ROWS, "meeting_rows", meeting_rows_context(name)),
    ]
    with translation.override(language), timezone.override("America/Toronto"):
        for former, tag, rows in cases:
            for shown in (rows, rows[1:2], rows[2:]):
                context = {"rows": shown, "user": request.user}
                expected = engines["django"].from_string(former).render(context, request=request)
                ours = (
                    engines["django"]
                    .from_string(f"{{% load rows %}}{{% {tag} rows %}}")
                    .render(context, request=request)
                )
                assert without_csrf_token(ours) == without_csrf_token(expected), tag
                assert ours.count("<tr") == len(shown)


# base.html's menu before it became {% nav_menu %}.
FORMER_MENU = """{% for key, label, url in nav_items %}
    <li><a href="{{ url }}" class="{% if key == nav_active %}active{% endif %}" data-nav="{{ key }}"{% if key == nav_active %} aria-current="page"{% endif %}>{{ label }}</a></li>
    {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("active", ["members", "release_notes", ""])
def test_nav_menu_draws_what_the_loop_drew(language, active):
    from django.utils.translation import gettext_lazy

    items = [
        ("members", gettext_lazy("Members"), "/manage/members/"),
        ("release_notes", gettext_lazy("Release notes"), '/notes/?a=1&b="2"'),
        ("odd", '<b>O\'Brien</b> & "Cie"', "/x/"),
    ]
    with translation.override(language):
        mine = render(
            "{% load tandem %}{% nav_menu nav_items nav_active %}",
            {"nav_items": items, "nav_active": active},
        )
        former = render(FORMER_MENU, {"nav_items": items, "nav_active": active})
    assert _squeezed(mine) == _squeezed(former)
    assert ("Membres" in mine) == (language == "fr")
    assert mine.count('aria-current="page"') == (1 if active else 0)


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


# manage_dashboard.html's lines before they became {% day_… %} tags.
FORMER_DAY = {
    "today": """{% load i18n tandem %}{% for m in day.today %}
      <li><a href="{% url_id 'web:relationship_dashboard' m.relationship_id %}">{% blocktranslate with mentor=m.relationship.mentor.full_name mentee=m.relationship.mentee.full_name %}{{ mentor }} and {{ mentee }}{% endblocktranslate %}</a>
        <span class="when"><time datetime="{{ m.starts_at|date:'c' }}">{{ m.starts_at|time_label }}</time></span></li>
    {% endfor %}""",
    "week": """{% load i18n tandem %}{% for m in day.week %}
      <li><a href="{% url_id 'web:relationship_dashboard' m.relationship_id %}">{% blocktranslate with mentor=m.relationship.mentor.full_name mentee=m.relationship.mentee.full_name %}{{ mentor }} and {{ mentee }}{% endblocktranslate %}</a>
        <span class="when"><time datetime="{{ m.starts_at|date:'c' }}">{{ m.starts_at|date_label:"DATETIME_FORMAT" }}</time></span></li>
    {% endfor %}""",
    "unanswered": """{% load i18n tandem %}{% for a in day.unanswered %}
      <li><a href="{% url_id 'web:member' a.user_id %}">{{ a.user.full_name }}</a>
        <span class="when"><a href="{% url_id 'web:relationship_dashboard' a.meeting.relationship_id %}"><time datetime="{{ a.meeting.starts_at|date:'c' }}">{{ a.meeting.starts_at|date_label:"DATETIME_FORMAT" }}</time></a></span></li>
    {% endfor %}""",
    "quiet": """{% load i18n tandem %}{% for r in day.quiet %}
      <li><a href="{% url_id 'web:meeting_book' r.pk %}">{% blocktranslate with mentor=r.mentor.full_name mentee=r.mentee.full_name %}Book a meeting for {{ mentor }} and {{ mentee }}{% endblocktranslate %}</a>
        <span class="when">{% if r.last_meeting %}{% blocktranslate with date=r.last_meeting|date_label %}Last meeting: {{ date }}{% endblocktranslate %}{% else %}{% translate "No meeting yet" %}{% endif %}</span></li>
    {% endfor %}""",
}  # noqa: E501
NOW_TAGS = {
    "today": "{% load rows %}{% day_meeting_lines day.today %}",
    "week": "{% load rows %}{% day_meeting_lines day.week True %}",
    "unanswered": "{% load rows %}{% day_unanswered_lines day.unanswered %}",
    "quiet": "{% load rows %}{% day_quiet_lines day.quiet %}",
}


def _dashboard_day():
    from datetime import UTC, datetime

    people = [SimpleNamespace(pk=n, full_name=name) for n, name in enumerate(NAMES, start=7)]
    starts = [datetime(2026, 3, 8, 6, 30, tzinfo=UTC), datetime(2026, 12, 1, 14, 0, tzinfo=UTC)]
    meetings = [
        SimpleNamespace(
            pk=10 + n,
            relationship_id=20 + n,
            starts_at=start,
            relationship=SimpleNamespace(mentor=people[n], mentee=people[n + 1]),
        )
        for n, start in enumerate(starts)
    ]
    return SimpleNamespace(
        today=meetings,
        week=meetings[::-1],
        unanswered=[
            SimpleNamespace(user_id=p.pk, user=p, meeting=m)
            for p, m in zip(people, meetings * 2, strict=False)
        ],
        quiet=[
            SimpleNamespace(pk=30 + n, mentor=people[n], mentee=people[-1], last_meeting=last)
            for n, last in enumerate([None, starts[0], starts[1]])
        ],
    )


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("zone", ["America/Toronto", "Asia/Kolkata"])
@pytest.mark.parametrize("lines", list(FORMER_DAY))
def test_dashboard_lines_draw_what_the_template_drew(language, zone, lines):
    from django.utils import timezone

    context = {"day": _dashboard_day()}
    with translation.override(language), timezone.override(zone):
        mine = render(NOW_TAGS[lines], context)
        former = render(FORMER_DAY[lines], context)
    assert mine == former
    assert mine.count("<li>") == len(getattr(context["day"], lines)) > 0
    assert "&lt;b&gt;" in mine and "<b>" not in mine
