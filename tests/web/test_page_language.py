"""No English on French pages, no French on English ones.

Every page an administrator, a mentor, a mentee or a visitor opens is crawled in each
language; its visible text and the words it gives assistive technology and scripts
(aria-label, title, placeholder, alt, data-… labels) are compared with the catalogue.
A French page fails on any English msgid whose French differs; an English page on any
French msgstr. Only catalogue strings are looked for, so people's names, organisation
names and message bodies (user data) never count."""

from __future__ import annotations

import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from programs import invitations, services
from programs.models import ProfileField, User
from scheduling.models import Meeting
from workspace import conversation
from workspace import services as workspace_services

CATALOGUE = Path(__file__).resolve().parents[2] / "web/locale/fr/LC_MESSAGES/django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
SPACES = re.compile(r"\s+")
# Ends of a text segment that are not part of a UI string: «← Messages», «Tandem · …».
TRIM = "←→·—–|• \n"
# Attributes whose words a person hears or reads, or a script shows (data-…-label etc.).
ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "aria-description"}
DATA_WORDS = re.compile(r"^data-.*(label|empty|hint|prompt|confirm|remove|text)")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


def normal(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def load_catalogue() -> tuple[set[str], set[str], list[re.Pattern], list[re.Pattern]]:
    """(English UI strings, French UI strings, and their patterns when they have
    placeholders): only the entries whose two languages differ, minus words both
    languages share («Notifications», «Message»)."""
    with CATALOGUE.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    pairs = []
    for key, french in catalog.items():
        english = key[0] if isinstance(key, tuple) else key
        english = english.split("\x04")[-1]
        if english and french and normal(english) != normal(french):
            pairs.append((normal(english), normal(french)))
    english_all = {e for e, _f in pairs} | {normal(k) for k in catalog if isinstance(k, str)}
    french_all = {f for _e, f in pairs}
    english_ui = {e for e, _f in pairs if e not in french_all}
    french_ui = {f for _e, f in pairs if f not in english_all}

    def patterns(strings: set[str]) -> list[re.Pattern]:
        found = []
        for text in strings:
            if PLACEHOLDER.search(text) and len(PLACEHOLDER.sub("", text).strip()) >= 12:
                parts = [re.escape(part) for part in PLACEHOLDER.split(text)]
                found.append(re.compile(".+?".join(parts)))
        return found

    return english_ui, french_ui, patterns(english_ui), patterns(french_ui)


ENGLISH, FRENCH, ENGLISH_PATTERNS, FRENCH_PATTERNS = load_catalogue()


class Words(HTMLParser):
    """Text nodes and the words of attributes, each as one segment. What is marked as
    another language (`lang="en"` on «English» of the language switch, an email's subject
    in its recipient's language) is that language on purpose, and skipped."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.segments: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped)

    @property
    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        other = bool(values.get("lang")) and values["lang"] != self.language and tag != "html"
        skipped = tag in ("script", "style") or other
        if tag not in VOID:
            self._open.append((tag, skipped))
        if self._skipping or skipped:
            return
        for name, value in attrs:
            if not value:
                continue
            if name == "data-editor-labels":
                self.segments.extend(json.loads(value).values())
            elif (
                name in ATTRIBUTES
                or DATA_WORDS.match(name)
                or name == "value"
                and tag == "input"
                and values.get("type") in ("submit", "button")
            ):
                self.segments.append(value)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.segments.append(data)


def foreign_strings(html: str, *, language: str) -> set[str]:
    """The other language's UI strings found in `html`."""
    strings, patterns = (
        (ENGLISH, ENGLISH_PATTERNS) if language == "fr" else (FRENCH, FRENCH_PATTERNS)
    )
    parser = Words(language)
    parser.feed(html)
    found = set()
    for segment in parser.segments:
        text = normal(segment)
        for candidate in {text, text.strip(TRIM), *text.split(" · ")}:
            candidate = normal(candidate)
            if (
                candidate in strings
                or len(candidate) >= 12
                and any(p.fullmatch(candidate) for p in patterns)
            ):
                found.add(candidate)
    return found


def test_the_check_sees_english_and_french_strings():
    assert "Book Meeting" in ENGLISH  # its French differs now
    assert foreign_strings("<h1>Upcoming meetings</h1>", language="fr") == {"Upcoming meetings"}
    assert foreign_strings('<a title="Réunions à venir">x</a>', language="en") == {
        "Réunions à venir"
    }
    assert foreign_strings("<p>Anna Carter</p>", language="fr") == set()


@pytest.fixture
def pages(admin, mentor, mentee, relationship, frozen, available, book):
    """(who, url) for every page of the three personas, and the visitor's."""
    series = book()
    meeting = Meeting.objects.filter(series=series).first()
    assert meeting is not None
    field = ProfileField.objects.create(
        organisation_id=admin.organisation_id,
        name_en="Meeting hours",
        name_fr="Heures de réunion",
        kind="single",
        options=[{"id": "a", "en": "Mornings", "fr": "Matins"}],
    )
    admin_pages = [
        "/",
        "/manage/",
        "/manage/members/",
        f"/manage/members/{mentor.pk}/",
        "/manage/relationships/",
        "/manage/relationships/?tab=matched",
        "/manage/relationships/new/",
        "/manage/groups/",
        "/manage/messages/",
        "/manage/messages/new/",
        "/manage/email-log/",
        "/manage/statistics/",
        "/manage/statistics/?period=all",
        "/manage/statistics/?period=nope",
        "/manage/members/new/",
        "/manage/audit/",
        "/manage/audit/?start=2026-02-01&end=2026-01-01",
        "/manage/system-messages/",
        "/manage/system-messages/matched/",
        "/manage/settings/",
        "/manage/administrators/",
        reverse("web:meetings_admin"),
        reverse("web:relationship_dashboard", args=[relationship.pk]),
        reverse("web:meeting_book", args=[relationship.pk]) + "?day=2026-03-05&duration=60",
        reverse("web:meeting_reschedule", args=[meeting.pk]),
        reverse("web:phone_calls_admin"),
        reverse("web:agreement_template"),
        reverse("web:conversations_admin"),
        reverse("web:conversation_admin", args=[relationship.pk]),
        reverse("web:relationship_notes", args=[relationship.pk]),
        reverse("web:relationship_availability", args=[relationship.pk, mentee.pk]),
        "/notifications/",
        "/release-notes/",
        "/profile/",
        "/no/such/page/",
        f"/manage/members/{mentor.pk}/edit/",
        "/manage/members/reminder/?below=100",
        "/manage/fields/",
        "/manage/fields/new/",
        f"/manage/fields/{field.pk}/",
        f"/manage/fields/{field.pk}/delete/",
    ]
    member_pages = ["/", "/profile/", "/availability/", "/meetings/", f"/meetings/{meeting.pk}/",
                    "/notifications/", f"/relationships/{relationship.pk}/",
                    reverse("web:conversation", args=[relationship.pk])]  # fmt: skip
    # The workspace with something in each tile (a goal done, an answer, a signature).
    goal = workspace_services.goal_add(actor=mentor, relationship=relationship, title="Plan")
    workspace_services.goal_set_status(actor=mentee, goal=goal, version=1, status="done")
    workspace_services.agreement_answer(
        actor=mentor, relationship=relationship, key="goals", text="Grow", version=0
    )
    workspace_services.note_save(actor=mentor, relationship=relationship, text="Mine")
    # A conversation with a post each, one unread; administrators may read conversations
    # and notes here (the refusals are crawled by the test below).
    conversation.post_create(author=mentor, relationship=relationship, text="Hello")
    conversation.post_create(author=mentee, relationship=relationship, text="Bonjour")
    conversation.post_create(author=mentee, relationship=relationship, text="Encore")
    organisation = relationship.organisation
    organisation.messages_in_reports = organisation.notes_in_reports = True
    organisation.save(update_fields=["messages_in_reports", "notes_in_reports"])
    visitor_pages = ["/login/", "/password-reset/", "/unlock/"]
    staff = User.objects.create_user(
        "sam@tandem.test", "pw", first_name="Sam", last_name="Staff", is_staff=True
    )
    staff_pages = ["/staff/organisations/", "/staff/organisations/new/",
                   f"/staff/organisations/{admin.organisation_id}/", "/staff/release-notes/"]  # fmt: skip
    services.member_set_active(actor=admin, member=mentee, active=False)  # an audit entry
    join = next(link for link in invitations.invitation_links(actor=admin))
    visitor_pages = ["/login/", "/password-reset/", "/unlock/", f"/join/{join.token}/",
                     "/join/no-such-link/", "/join/sent/", "/join/verify/again/",
                     "/join/verify/forged/"]  # fmt: skip
    return (
        [(staff, url) for url in staff_pages]
        + [(admin, url) for url in admin_pages]
        + [(person, url) for person in (mentor, mentee) for url in member_pages]
        + [(None, url) for url in visitor_pages]
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_page_shows_the_other_languages_ui_strings(pages, language):
    found: dict[str, set[str]] = {}
    for person, url in pages:
        client = Client()
        if person is not None:
            person.language = language
            person.save(update_fields=["language"])
            client.force_login(person)
        client.cookies["django_language"] = language
        response = client.get(url, follow=True)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        foreign = foreign_strings(response.content.decode(), language=language)
        if foreign:
            found[f"{person or 'visitor'} {url}"] = foreign
    assert found == {}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_csrf_failure_page_is_in_the_visitors_language(mentor, language):
    mentor.language = language
    mentor.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    response = client.post("/profile/", {"language": language, "time_zone": "UTC"})
    assert response.status_code == 403
    assert foreign_strings(response.content.decode(), language=language) == set()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pages_that_refuse_administrators_the_text(admin, mentor, relationship, language):
    """The organisation lets administrators read neither conversations nor notes: the
    dashboard's tiles, the conversations tab and the two refusals (403)."""
    workspace_services.note_save(actor=mentor, relationship=relationship, text="Mine")
    conversation.post_create(author=mentor, relationship=relationship, text="Hello")
    admin.language = language
    admin.save(update_fields=["language"])
    client = Client()
    client.force_login(admin)
    client.cookies["django_language"] = language
    found = {}
    for url, status in (
        (reverse("web:relationship_dashboard", args=[relationship.pk]), 200),
        (reverse("web:conversations_admin"), 200),
        (reverse("web:conversation_admin", args=[relationship.pk]), 403),
        (reverse("web:relationship_notes", args=[relationship.pk]), 403),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        foreign = foreign_strings(response.content.decode(), language=language)
        if foreign:
            found[url] = foreign
    assert found == {}
