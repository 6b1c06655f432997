"""The list rows' tags (web/templatetags/tandem.py) render what the template text they
replaced rendered: that text is kept here as the oracle, for every branch, in both
languages, with a name that needs escaping."""

from __future__ import annotations

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
