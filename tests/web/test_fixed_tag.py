"""{% fixed %}: drawn once per language, the same text as without it, and nothing that
could be one person's is accepted inside."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

BODY = (
    "<th>{% translate 'Members' %}</th><a href=\"{% url 'web:members' %}\">x</a>"
    "<p data-n=\"{% blocktranslate count count=2 with n='{count}' %}{{ n }} new member"
    '{% plural %}{{ n }} new members{% endblocktranslate %}"></p>'
    "<link href=\"{% static 'tandem/tandem.css' %}\">"
)


def _render(source: str, language: str) -> str:
    with translation.override(language):
        return Template(source).render(Context({}))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_same_text_as_without_it_in_each_language(language):
    plain = _render("{% load i18n static %}" + BODY, language)
    kept = Template("{% load i18n static fixed %}{% fixed %}" + BODY + "{% endfixed %}")
    with translation.override(language):
        first = kept.render(Context({}))
        again = kept.render(Context({"anything": "else"}))
    assert first == again == plain
    assert ("Membres" in plain) == (language == "fr")


def test_each_language_keeps_its_own_text():
    kept = Template("{% load i18n fixed %}{% fixed %}{% translate 'Members' %}{% endfixed %}")
    with translation.override("fr"):
        assert kept.render(Context({})) == "Membres"
    with translation.override("en"):
        assert kept.render(Context({})) == "Members"
    with translation.override("fr"):
        assert kept.render(Context({})) == "Membres"


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user.email }}",
        "{% translate title %}",
        "{% translate 'Members'|upper %}",
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}",
        "{% blocktranslate with n=user.pk %}{{ n }}{% endblocktranslate %}",
        "{% url 'web:member' member.pk %}",
        "{% csrf_token %}",
        "{% if user %}x{% endif %}",
        "{% translate 'Members' as label %}",
    ],
)
def test_nothing_of_one_request_is_accepted(inside):
    with pytest.raises(TemplateSyntaxError, match="fixed"):
        Template("{% load i18n static fixed %}{% fixed %}" + inside + "{% endfixed %}")


def test_kept_per_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    kept = Template("{% load fixed %}{% fixed %}{% url 'web:members' %}{% endfixed %}")
    before = get_script_prefix()
    try:
        set_script_prefix("/")
        at_root = kept.render(Context({}))
        set_script_prefix("/tandem/")
        below = kept.render(Context({}))
    finally:
        set_script_prefix(before)
    assert below == "/tandem" + at_root


# The relationship tabs as they were before their fixed parts were kept (the oracle).
FORMER_TABS = """{% load i18n %}<nav class="tabs" aria-label="{% translate 'Relationship tabs' %}">
  <a href="{% url 'web:relationships' %}?tab=all">{% translate "All" %} ({{ tab_counts.all }})</a>
  <a href="{% url 'web:relationships' %}?tab=matched">{% translate "Matched" %} ({{ tab_counts.matched }})</a>
  <a href="{% url 'web:relationships' %}?tab=completed">{% translate "Completed" %} ({{ tab_counts.completed }})</a>
  <a href="{% url 'web:conversations_admin' %}" class="{% if tab == 'conversations' %}active{% endif %}"{% if tab == 'conversations' %} aria-current="page"{% endif %} data-tab="conversations">{% translate "Conversations" %}</a>
  <a href="{% url 'web:meetings_admin' %}" class="{% if tab == 'meetings' %}active{% endif %}"{% if tab == 'meetings' %} aria-current="page"{% endif %} data-tab="meetings">{% translate "Meetings" context "relationship tab" %}{% if total is not None and tab == 'meetings' %} ({{ total }}){% endif %}</a>
  <a href="{% url 'web:phone_calls_admin' %}" class="{% if tab == 'phone' %}active{% endif %}"{% if tab == 'phone' %} aria-current="page"{% endif %} data-tab="phone">{% translate "Phone calls" %}{% if total is not None and tab == 'phone' %} ({{ total }}){% endif %}</a>
</nav>
"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_relationship_tabs_draw_the_former_text(language):
    from django.template import engines

    django_engine = engines["django"]
    former = django_engine.from_string(FORMER_TABS)
    tabs = django_engine.get_template("web/meetings_admin_tabs.html")
    with translation.override(language):
        for tab in ("meetings", "phone", "conversations", "all"):
            for total in (None, 0, 12):
                context = {"tab": tab, "total": total,
                           "tab_counts": {"all": 3, "matched": 0, "completed": "<b>"}}  # fmt: skip
                assert tabs.render(context) == former.render(context)
        drawn = tabs.render({"tab": "phone"})
    assert ("Conversations" in drawn) and (("Jumelé" in drawn) == (language == "fr"))
