"""List rows drawn in Python: the members list's, the relationships list's and
«Rencontres»' rows, up to 100 a page.

As template text a members row cost about 0.6 ms (thirty variable lookups, two
{% blocktranslate %}, three {% url %}, a {% csrf_token %}, four date and choice labels),
half of the page's own time over its SQL at 100,000 members (bench/members_list.py). Here
the labels that are the same on every row are translated once a page, every value a row
shows is escaped once (`html.escape`, what Django's `escape` calls, without its
lazy-string wrapper), and the URLs come from `id_urls`' cached routes: the same HTML,
in a tenth of the time. `web/templates/web/manage_members.html` calls it through the
`{% member_rows %}` tag (and manage_relationships.html, meetings_admin_list.html theirs);
tests/web/test_row_tags.py keeps the template text each replaced as its oracle.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext

from programs import dates
from programs.models import Relationship, RelationshipStatus, User
from scheduling.models import Meeting

from .routes import id_urls
from .templatetags.tandem import (
    agreement_state,
    hours_minutes,
    presence_dot_html,
    presence_labels,
    rsvp_labels,
    rsvp_mark_html,
)


class _Page:
    """What every row of one page shares, looked up once: the viewer's clock and
    language (each a context-local read) and the presence dot's labels."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.language = get_language() or ""
        self.presence = presence_labels()

    def localtime(self, value: datetime.datetime) -> datetime.datetime:
        """An aware datetime on the viewer's clock (what a template's filters show)."""
        return value.astimezone(self.zone) if timezone.is_aware(value) else value

    def local_label(
        self, value: datetime.date | datetime.datetime | None, format_name: str = "DATE_FORMAT"
    ) -> str:
        """`{{ value|date_label:format_name }}`: an aware datetime on the viewer's clock,
        empty when None."""
        if value is None:
            return ""
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = value.astimezone(self.zone)
        return dates.date_label_in(self.language, value, format_name)

    def dot(self, person: Any, online: bool) -> str:
        return presence_dot_html(person, online, self.presence)


def _choices(model: Any, field: str) -> dict[str, str]:
    """A choice field's labels in the active language, escaped."""
    return {value: escape(str(label)) for value, label in model._meta.get_field(field).flatchoices}


def _lines(text: str) -> str:
    """`{{ text|linebreaksbr }}` of plain text: escaped, each line break a <br> (Django's
    filter normalises \\r\\n and \\r first, as here)."""
    if not text:
        return ""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _name(person: Any) -> str:
    return escape(person.full_name) if person is not None else ""


def member_rows(rows: Iterable[Mapping[str, Any]], *, request: Any, csrf_token: str) -> SafeString:
    """The members list's <tr>s for the view's rows (web/views/manage.py `members`): each
    a dict with the member (annotated by `programs.selectors.member_list`), whether they
    are online, their current relationships, matches and meeting tally. `csrf_token` is
    the page's (its other forms carry the same)."""
    viewer_id = request.user.pk
    token = escape(csrf_token)
    next_path = escape(request.get_full_path())
    select_label = gettext("Select %(name)s")
    active_label = gettext("Active: %(name)s")
    change = escape(gettext("Change"))
    assign = escape(gettext("Assign"))
    roles = _choices(User, "role")
    problems = _choices(User, "email_problem")
    page = _Page()
    member_url_of, active_url_of = id_urls("web:member"), id_urls("web:member_active")
    html: list[str] = []
    for row in rows:
        member: Any = row["member"]  # a User with member_list's annotations
        pk = member.pk
        name = member.full_name
        member_url = member_url_of(pk)
        email_problem = ""
        if member.email_problem:
            email_problem = (
                f' <span class="badge danger email-problem" data-email-problem='
                f'"{escape(member.email_problem)}">'
                f"{problems.get(member.email_problem, escape(member.email_problem))}</span>"
            )
        administrator = member.member_administrator
        seen = member.last_seen or member.last_login
        html.append(
            f'\n  <tr data-member="{pk}">\n'
            f'    <td class="name-cell"><input type="checkbox" name="member" value="{pk}"'
            f' form="member-selection" aria-label="{escape(select_label % {"name": name})}"'
            f" data-select-member> {page.dot(member, row['online'])}"
            f' <a class="name" href="{member_url}">{escape(name)}</a></td>\n'
            "    <td>\n"
            f'      <form method="post" action="{active_url_of(pk)}"'
            ' class="active-toggle">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">\n'
            f'        <input type="hidden" name="next" value="{next_path}">\n'
            '        <input type="hidden" name="active" value="'
            f'{"0" if member.is_active else "1"}">\n'
            '        <input type="checkbox" name="active_box"'
            f' aria-label="{escape(active_label % {"name": name})}"'
            f" {'checked' if member.is_active else ''}"
            f"{' disabled' if pk == viewer_id else ''} data-active-toggle>\n"
            '        <noscript><button type="submit" class="small">'
            f"{change}</button></noscript>\n"
            "      </form>\n"
            "    </td>\n"
            f'    <td data-priority="2" class="wrap">{escape(member.email)}{email_problem}</td>\n'
            f'    <td data-priority="2">{roles.get(member.role, escape(member.role))}</td>\n'
            f'    <td data-priority="3" data-completion="{pk}">{member.profile_completion}%</td>\n'
            f'    <td data-priority="3">{escape(page.local_label(seen, "DATETIME_FORMAT"))}</td>\n'
            f'    <td data-priority="3">{row["current"]}</td>\n'
            '    <td data-priority="3" class="wrap">'
            f"{escape(', '.join(member.group_names))}</td>\n"
            f'    <td data-priority="3">{row["matches"]}</td>\n'
            f'    <td data-priority="3">{hours_minutes(row["tally"].hours)}</td>\n'
            f'    <td data-priority="3">{escape(page.local_label(member.date_joined))}</td>\n'
            '    <td data-priority="3" data-ended-on="'
            f'{member.ended_at.isoformat() if member.ended_at else ""}">'
            f"{escape(page.local_label(member.ended_at))}</td>\n"
            f'    <td data-priority="3"><a href="{member_url}#member-administrator">'
            f"{escape(administrator.full_name) if administrator else assign}</a></td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def relationship_rows(
    rows: Iterable[Mapping[str, Any]], *, request: Any, csrf_token: str
) -> SafeString:
    """The relationships list's <tr>s (web/views/manage.py `relationships`): each a dict
    with the relationship (its people selected), whether each person is online, its
    meeting tally, next meeting, agreement state and final evaluation."""
    token = escape(csrf_token)
    next_path = escape(request.get_full_path())
    view = escape(pgettext("relationship dashboard link", "View"))
    book = escape(gettext("Book Meeting"))
    end = escape(gettext("End this relationship? Its meetings still to come will be cancelled."))
    end_button = escape(gettext("End relationship"))
    statuses = _choices(Relationship, "status")
    page = _Page()
    dashboard_url, book_url = id_urls("web:relationship_dashboard"), id_urls("web:meeting_book")
    end_url = id_urls("web:relationship_end")
    html: list[str] = []
    for row in rows:
        r = row["relationship"]
        pk = r.pk
        actions = [
            f'<td><div class="actions-cell"><a href="{dashboard_url(pk)}"'
            f" data-consult>{view}</a>\n      "
        ]
        if r.status == RelationshipStatus.MATCHED:
            actions.append(
                f'<a class="button primary small" href="{book_url(pk)}"'
                f" data-book-meeting>{book}</a>"
            )
        actions.append("\n      ")
        if r.status != RelationshipStatus.COMPLETED:
            actions.append(
                f'\n      <form method="post" action="{end_url(pk)}"'
                f' class="inline" data-confirm="{end}">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">\n'
                f'        <input type="hidden" name="next" value="{next_path}">\n'
                f'        <button type="submit" class="danger small">{end_button}</button>\n'
                "      </form>"
            )
        actions.append("</div></td>")
        state, signed_on = row["agreement"]
        upcoming = row["next_meeting"]
        next_meeting = (
            f'<time datetime="{escape(upcoming.isoformat())}">'
            f"{escape(page.local_label(upcoming, 'DATETIME_FORMAT'))}</time>"
            if upcoming
            else ""
        )
        html.append(
            f'\n  <tr data-relationship="{pk}">\n'
            f'    <td class="name-cell">{page.dot(r.mentor, row["mentor_online"])}'
            f" {_name(r.mentor)}</td>\n"
            f'    <td class="name-cell">{page.dot(r.mentee, row["mentee_online"])}'
            f" {_name(r.mentee)}</td>\n"
            f"    {''.join(actions)}\n"
            f'    <td data-priority="2">{statuses.get(r.status, escape(r.status))}</td>\n'
            f'    <td data-priority="2" data-agreement="{pk}">'
            f"{agreement_state(state, signed_on)}</td>\n"
            f'    <td data-priority="2" data-next-meeting>{next_meeting}</td>\n'
            f'    <td data-priority="2" data-evaluation="{pk}" data-state="'
            f'{escape(str(row["evaluation"]))}">{escape(str(row["evaluation_label"]))}</td>\n'
            f'    <td data-priority="3">{hours_minutes(row["tally"].hours)}</td>'
            f'<td data-priority="3">{row["tally"].meetings}</td>\n'
            f'    <td data-priority="3">{escape(page.local_label(r.created_at))}</td>\n'
            f'    <td data-priority="3">{escape(page.local_label(r.started_at))}</td>\n'
            f'    <td data-priority="3">{escape(page.local_label(r.ended_at))}</td>\n'
            f'    <td data-priority="3">{_name(r.relationship_administrator)}</td>\n'
            "  </tr>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def meeting_rows(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    """«Rencontres»' <tr>s (web/views/meetings_admin.py `meetings_list`): each a dict with
    the meeting's `MeetingRow` and whether its mentor and mentee are online."""
    minutes = gettext("%(minutes)s min")
    statuses = _choices(Meeting, "status")
    page = _Page()
    answers = rsvp_labels()
    dashboard_url = id_urls("web:relationship_dashboard")
    html: list[str] = []
    for item in rows:
        row = item["row"]
        m = row.meeting
        marks = [rsvp_mark_html(m, attendee, answers) for attendee in row.attendees]
        participants = "".join(
            f"\n      {mark}{'<br>' if n < len(marks) - 1 else ''}\n    "
            for n, mark in enumerate(marks)
        )
        html.append(
            f'\n  <tr data-meeting="{m.pk}" data-relationship="{m.relationship_id}">\n'
            f'    <td class="name-cell">{page.dot(row.mentor, item["mentor_online"])}'
            f' <a href="{dashboard_url(m.relationship_id)}">'
            f"{_name(row.mentor)}</a></td>\n"
            f'    <td class="name-cell">{page.dot(row.mentee, item["mentee_online"])}'
            f" {_name(row.mentee)}</td>\n"
            f'    <td data-priority="3">{_name(row.sent_by)}</td>\n'
            f'    <td><time datetime="{escape(m.starts_at.isoformat())}">'
            f"{escape(page.local_label(m.starts_at, 'DATETIME_FORMAT'))}</time></td>\n"
            f'    <td data-priority="3">'
            f"{escape(minutes % {'minutes': row.duration_minutes})}</td>\n"
            f'    <td data-priority="2" data-status="{escape(m.status)}">'
            f"{statuses.get(m.status, escape(m.status))}</td>\n"
            f'    <td class="participants">{participants}</td>\n'
            f'    <td data-priority="3" class="wrap">'
            f"{_lines(row.mentor_comment)}</td>\n"
            f'    <td data-priority="3" class="wrap">'
            f"{_lines(row.mentee_comment)}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def day_meeting_lines(meetings: Iterable[Meeting], *, with_date: bool) -> SafeString:
    """The dashboard's «Réunions aujourd'hui» (the time) and «Sept prochains jours» (date
    and time) lines: each pair's names linking to their relationship's page."""
    page = _Page()
    pair = gettext("%(mentor)s and %(mentee)s")
    dashboard_url = id_urls("web:relationship_dashboard")
    html: list[str] = []
    for m in meetings:
        relationship = m.relationship
        local = page.localtime(m.starts_at)
        when = page.local_label(local, "DATETIME_FORMAT") if with_date else dates.time_label(local)
        names = {"mentor": _name(relationship.mentor), "mentee": _name(relationship.mentee)}
        html.append(
            f'\n      <li><a href="{dashboard_url(m.relationship_id)}">{pair % names}</a>\n'
            f'        <span class="when"><time datetime="{escape(local.isoformat())}">'
            f"{escape(when)}</time></span></li>\n    "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def day_unanswered_lines(attendees: Iterable[Any]) -> SafeString:
    """The dashboard's «En attente d'une réponse» lines: who, and the meeting's start
    linking to their relationship's page."""
    page = _Page()
    member_url, dashboard_url = id_urls("web:member"), id_urls("web:relationship_dashboard")
    html: list[str] = []
    for a in attendees:
        local = page.localtime(a.meeting.starts_at)
        html.append(
            f'\n      <li><a href="{member_url(a.user_id)}">{_name(a.user)}</a>\n'
            '        <span class="when">'
            f'<a href="{dashboard_url(a.meeting.relationship_id)}">'
            f'<time datetime="{escape(local.isoformat())}">'
            f"{escape(page.local_label(local, 'DATETIME_FORMAT'))}</time></a></span></li>\n    "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def day_quiet_lines(relationships: Iterable[Any]) -> SafeString:
    """The dashboard's «Relations silencieuses» lines: «Réserver une rencontre» for the
    pair, and when they last met."""
    page = _Page()
    book = gettext("Book a meeting for %(mentor)s and %(mentee)s")
    last = gettext("Last meeting: %(date)s")
    never = gettext("No meeting yet")  # as {% translate %} gives a literal: unescaped
    book_url = id_urls("web:meeting_book")
    html: list[str] = []
    for r in relationships:
        names = {"mentor": _name(r.mentor), "mentee": _name(r.mentee)}
        met = last % {"date": escape(page.local_label(r.last_meeting))} if r.last_meeting else never
        html.append(
            f'\n      <li><a href="{book_url(r.pk)}">{book % names}</a>\n'
            f'        <span class="when">{met}</span></li>\n    '
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
