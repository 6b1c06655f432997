from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from html import escape
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from notifications.release_notes import markup
from programs import dates
from web import routes

register = template.Library()


@register.filter
def release_markup(text: str) -> SafeString:
    """Render release-note markup (escaped; only http(s)/mailto links)."""
    return markup.render(text or "")


@register.filter
def hours_minutes(hours: float) -> str:
    """1.5 → "01:30", as the source platform shows «Number Of Hours»."""
    minutes = round((hours or 0) * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@register.filter(expects_localtime=True)
def date_label(value: Any, format_name: str = "DATE_FORMAT") -> str:
    """Like `date:"DATE_FORMAT"`, with French «1er» and «9 h» (programs.dates)."""
    return dates.date_label(value, format_name) if value else ""


@register.filter(expects_localtime=True)
def time_label(value: Any) -> str:
    """Like `time:"TIME_FORMAT"`, with French «9 h» / «9 h 30» (programs.dates)."""
    return dates.time_label(value) if value else ""


@register.simple_tag
def presence_dot(person: Any, online: bool, announce: bool = False) -> SafeString:
    """The presence dot before a person's name (live.js turns it green or grey).

    A tag, not an included template: the lists draw two per row, and an include with its
    four translations cost more than the rest of the row."""
    return presence_dot_html(person, online, presence_labels(), announce=announce)


def presence_labels() -> tuple[str, str]:
    """The dot's two labels in the active language, escaped («En ligne», «Hors ligne»)."""
    return escape(gettext("Connected")), escape(gettext("Not connected"))


def presence_dot_html(
    person: Any, online: bool, labels: tuple[str, str], *, announce: bool = False
) -> SafeString:
    """`presence_dot` with its `presence_labels()` given: the lists translate them once a
    page, not twice a row."""
    connected, not_connected = labels
    label = connected if online else not_connected
    announced = f' data-presence-announce="{escape(person.full_name)}"' if announce else ""
    return mark_safe(  # noqa: S308 - the name and the translations are escaped
        f'<span class="dot{" online" if online else ""}" data-presence-user="{escape(str(person.pk))}"'
        f'{announced} data-label-on="{connected}" data-label-off="{not_connected}"'
        f' role="img" aria-label="{label}" title="{label}"></span>'
    )


_RSVP_TICKS = {"accepted": "✓", "declined": "✗"}


@register.simple_tag
def rsvp_mark(meeting: Any, attendee: Any) -> SafeString:
    """One participant of «Rencontres» with their answer: a tick, the name, and the labels
    live.js swaps in when the answer changes. A tag: the list draws three a row, and as
    template text each cost four {% blocktranslate %} (what those render: the translation,
    the name escaped in it)."""
    return rsvp_mark_html(meeting, attendee, rsvp_labels())


def rsvp_labels() -> dict[str, str]:
    """`rsvp_mark`'s three labels in the active language, each with its %(name)s."""
    return {
        "accepted": gettext("%(name)s: accepted"),
        "declined": gettext("%(name)s: declined"),
        "pending": gettext("%(name)s: no answer"),
    }


def rsvp_mark_html(meeting: Any, attendee: Any, patterns: Mapping[str, str]) -> SafeString:
    """`rsvp_mark` with its `rsvp_labels()` given: «Rencontres» translates them once a
    page, not nine times a row."""
    # The name and the answer are plain text (`html.escape`, what Django's `escape`
    # calls, without its lazy-string check: this is drawn three times a line).
    name = escape(attendee.user.full_name)
    named = {"name": name}
    accepted = patterns["accepted"] % named
    declined = patterns["declined"] % named
    pending = patterns["pending"] % named
    response = attendee.response
    label = accepted if response == "accepted" else declined if response == "declined" else pending
    return mark_safe(  # noqa: S308 - every value above is escaped, the translations are ours
        f'<span class="rsvp" data-attendee="{meeting.pk}:{attendee.user_id}" '
        f'data-response="{escape(response)}" data-name="{name}"\n'
        f'        data-label-accepted="{accepted}"\n'
        f'        data-label-declined="{declined}"\n'
        f'        data-label-pending="{pending}"\n'
        f'        role="img" aria-label="{label}"><span class="tick" aria-hidden="true">'
        f"{_RSVP_TICKS.get(response, '?')}</span> {name}</span>"
    )


@register.simple_tag
def url_id(name: str, object_id: Any) -> str:
    """`{% url name object_id %}` for a route whose one argument is an `<int:...>`
    (web/routes.py: the lists draw several a row)."""
    return routes.url_id(name, object_id)


@register.simple_tag
def agreement_state(state: str, signed_on: Any) -> SafeString:
    """The mentoring agreement's state: «Signé par les deux le …», «En cours», «Non
    commencé» (a tag, as the relationships list draws one a row)."""
    if state == "signed":
        signed = signed_on
        if isinstance(signed, datetime.datetime) and settings.USE_TZ and timezone.is_aware(signed):
            signed = timezone.localtime(signed)  # what the date_label filter is given
        date = conditional_escape(dates.date_label(signed) if signed else "")
        text = gettext("Signed by both on %(date)s") % {"date": date}
    elif state == "in_progress":
        text = conditional_escape(pgettext("agreement state", "In progress"))
    else:
        text = conditional_escape(pgettext("agreement state", "Not started"))
    return mark_safe(  # noqa: S308 - the state and the date are escaped, the translations ours
        f'<span data-agreement-state="{conditional_escape(state)}">{text}</span>'
    )


@register.simple_tag
def nav_menu(items: Any, active: str) -> SafeString:
    """The left menu's entries (web.context_processors.navigation's `nav_items`, each
    (key, label, url), and `nav_active`): drawn once per menu, language and active entry
    and kept — a loop of twelve entries with their conditions cost a page ~1 ms."""
    return _nav_menu_html(tuple((key, str(label), url) for key, label, url in items or ()), active)


CURRENT_PAGE = ' aria-current="page"'


@functools.lru_cache(maxsize=256)
def _nav_menu_html(items: tuple[tuple[str, str, str], ...], active: str) -> SafeString:
    lines = []
    for key, label, url in items:
        current = key == active
        lines.append(
            f'\n    <li><a href="{escape(url)}" class="{"active" if current else ""}"'
            f' data-nav="{escape(key)}"{CURRENT_PAGE if current else ""}>{escape(label)}</a></li>'
        )
    return mark_safe("".join(lines) + "\n  ")  # noqa: S308 - every value is escaped
