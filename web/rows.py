"""List rows drawn in Python: the members list's 50 or 100 rows a page.

As template text a members row cost about 0.6 ms (thirty variable lookups, two
{% blocktranslate %}, three {% url %}, a {% csrf_token %}, four date and choice labels),
half of the page's own time over its SQL at 100,000 members (bench/members_list.py). Here
the labels that are the same on every row are translated once a page, every value a row
shows is escaped once (`html.escape`, what Django's `escape` calls, without its
lazy-string wrapper), and the URLs come from `url_id`'s cached routes: the same HTML,
in a tenth of the time. `web/templates/web/manage_members.html` calls it through the
`{% member_rows %}` tag; tests/web/test_members_rows.py compares it with the template it
replaced, cell by cell.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from programs import dates
from programs.models import User

from .routes import url_id
from .templatetags.tandem import hours_minutes, presence_dot


def _local_label(value: datetime.datetime | None, format_name: str = "DATE_FORMAT") -> str:
    """`{{ value|date_label:format_name }}`: on the viewer's clock, empty when None."""
    if value is None:
        return ""
    return dates.date_label(timezone.localtime(value), format_name)


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
    roles = {value: escape(label) for value, label in User._meta.get_field("role").flatchoices}
    problems = {
        value: escape(label) for value, label in User._meta.get_field("email_problem").flatchoices
    }
    html: list[str] = []
    for row in rows:
        member: Any = row["member"]  # a User with member_list's annotations
        pk = member.pk
        name = member.full_name
        member_url = url_id("web:member", pk)
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
            f" data-select-member> {presence_dot(member, row['online'])}"
            f' <a class="name" href="{member_url}">{escape(name)}</a></td>\n'
            "    <td>\n"
            f'      <form method="post" action="{url_id("web:member_active", pk)}"'
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
            f'    <td data-priority="3">{escape(_local_label(seen, "DATETIME_FORMAT"))}</td>\n'
            f'    <td data-priority="3">{row["current"]}</td>\n'
            '    <td data-priority="3" class="wrap">'
            f"{escape(', '.join(member.group_names))}</td>\n"
            f'    <td data-priority="3">{row["matches"]}</td>\n'
            f'    <td data-priority="3">{hours_minutes(row["tally"].hours)}</td>\n'
            f'    <td data-priority="3">{escape(_local_label(member.date_joined))}</td>\n'
            '    <td data-priority="3" data-ended-on="'
            f'{member.ended_at.isoformat() if member.ended_at else ""}">'
            f"{escape(dates.date_label(member.ended_at) if member.ended_at else '')}</td>\n"
            f'    <td data-priority="3"><a href="{member_url}#member-administrator">'
            f"{escape(administrator.full_name) if administrator else assign}</a></td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
