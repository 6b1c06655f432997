"""The relationship workspace's pages: only the pair reaches /relationships/<id>/; the
forms; stale edits shown with the current value; private notes never on anyone else's
page; the administrator's tiles, «L'accord mentorat» and «Prochaine réunion» columns,
the «Appels téléphoniques» tab and the agreement template page."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from programs.audit import AuditAction, AuditEntry
from programs.models import Role
from tests.conftest import make_member
from workspace import services
from workspace.agreement import DEFAULT_SECTIONS, question_keys
from workspace.models import AgreementTemplate, Goal, PrivateNote

SECRET = "Anna is always late <b>really</b>"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def third(org):
    return make_member(org, "tom@mentor.test", "Tom", "Third", Role.MENTOR)


def _page(relationship) -> str:
    return reverse("web:workspace", args=[relationship.pk])


def test_the_member_home_leads_to_the_workspace(client, mentor, relationship):
    client.force_login(mentor)
    assert _page(relationship) in client.get("/").content.decode()
    response = client.get(_page(relationship))
    assert response.status_code == 200
    body = text_of(response)
    for heading in ("Goals", "Mentoring agreement", "My notes", "Calendar synchronisation"):
        assert heading in body
    assert f"/relationships/{relationship.pk}/conversation/" in response.content.decode()


def test_french_labels(client, mentee, relationship):
    client.force_login(mentee)
    body = text_of(client.get(_page(relationship)))
    for label in (
        "Objectifs",
        "L'accord mentorat",
        "Signer",
        "Mes notes",
        "Objectifs de la relation",
    ):
        assert label in body, label


def test_only_the_pair_reaches_the_workspace(client, relationship, admin, third, outsider):
    goal = services.goal_add(actor=relationship.mentor, relationship=relationship, title="Plan")
    urls = [
        _page(relationship),
        reverse("web:workspace_goal_add", args=[relationship.pk]),
        reverse("web:workspace_goal_status", args=[relationship.pk, goal.pk]),
        reverse("web:workspace_goal_delete", args=[relationship.pk, goal.pk]),
        reverse("web:workspace_agreement_answer", args=[relationship.pk]),
        reverse("web:workspace_agreement_sign", args=[relationship.pk]),
        reverse("web:workspace_notes", args=[relationship.pk]),
    ]
    for person in (admin, third, outsider):
        client.force_login(person)
        assert client.get(urls[0]).status_code == 404
        for url in urls[1:]:
            data = {"title": "x", "version": 1, "status": "done", "key": "goals", "text": "x"}
            assert client.post(url, data).status_code == 404, (person, url)
    assert Goal.objects.get().version == 1
    assert PrivateNote.objects.count() == 0


def test_adding_ticking_and_a_stale_edit_through_the_page(client, mentor, mentee, relationship):
    client.force_login(mentee)
    response = client.post(
        reverse("web:workspace_goal_add", args=[relationship.pk]),
        {"title": "Write a CV", "due_date": "2027-01-31"},
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    services.goal_edit(
        actor=mentor, goal=goal, version=1, title="Write a great CV", due_date=None, status="todo"
    )
    response = client.post(
        reverse("web:workspace_goal_status", args=[relationship.pk, goal.pk]),
        {"version": 1, "status": "done"},
        follow=True,
    )
    body = text_of(response)
    assert "a été modifié par Anna Carter entre-temps" in body
    assert "Write a great CV" in body
    goal.refresh_from_db()
    assert (goal.status, goal.version) == ("todo", 2)
    client.post(
        reverse("web:workspace_goal_status", args=[relationship.pk, goal.pk]),
        {"version": 2, "status": "done"},
    )
    goal.refresh_from_db()
    assert goal.status == "done"


def test_bad_goal_input_changes_nothing(client, mentor, relationship):
    client.force_login(mentor)
    for data in ({"title": ""}, {"title": "x" * 201}, {"title": "ok", "due_date": "31/31/2027"}):
        response = client.post(
            reverse("web:workspace_goal_add", args=[relationship.pk]), data, follow=True
        )
        assert response.status_code == 200
    assert Goal.objects.count() == 0


def test_agreement_through_the_page_and_the_cleared_signatures_notice(
    client, mentor, mentee, relationship
):
    client.force_login(mentor)
    for key in question_keys(DEFAULT_SECTIONS):
        client.post(
            reverse("web:workspace_agreement_answer", args=[relationship.pk]),
            {"key": key, "text": f"On {key}", "version": 0},
        )
    client.post(reverse("web:workspace_agreement_sign", args=[relationship.pk]))
    response = client.post(
        reverse("web:workspace_agreement_answer", args=[relationship.pk]),
        {"key": "goals", "text": "Changed", "version": 1},
        follow=True,
    )
    assert "both signatures are cleared" in text_of(response)


def test_notes_never_reach_the_partner_or_administrators(
    client, mentor, mentee, admin, relationship
):
    services.note_save(actor=mentor, relationship=relationship, text=SECRET)
    client.force_login(mentor)
    own = client.get(_page(relationship)).content.decode()
    assert "Anna is always late &lt;b&gt;really&lt;/b&gt;" in own  # escaped, shown to her
    client.force_login(mentee)
    assert "always late" not in client.get(_page(relationship)).content.decode()
    client.force_login(admin)
    for url in (
        reverse("web:relationship_dashboard", args=[relationship.pk]),
        reverse("web:relationships"),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert "always late" not in page.content.decode()
    assert "1 person keeps notes" in text_of(
        client.get(reverse("web:relationship_dashboard", args=[relationship.pk]))
    )


def test_the_admin_dashboard_shows_goals_and_agreement_read_only(
    client, mentor, admin, relationship, outsider
):
    services.goal_add(actor=mentor, relationship=relationship, title="Plan the year")
    services.agreement_answer(
        actor=mentor, relationship=relationship, key="goals", text="Grow", version=0
    )
    client.force_login(admin)
    response = client.get(reverse("web:relationship_dashboard", args=[relationship.pk]))
    body = text_of(response)
    assert "Plan the year" in body and "0 of 1 done" in body and "Grow" in body
    assert 'name="text"' not in response.content.decode()  # no answer form for admins
    client.force_login(outsider)
    assert (
        client.get(reverse("web:relationship_dashboard", args=[relationship.pk])).status_code == 404
    )


def test_relationships_list_columns(
    client,
    admin,
    mentor,
    mentee,
    relationship,
    always_available,
    book,
    frozen,
):
    book(start=datetime(2026, 3, 5, 11, 0, tzinfo=frozen_zone()))
    client.force_login(admin)
    response = client.get(reverse("web:relationships"))
    body = text_of(response)
    assert "Mentoring agreement" in body and "Next meeting" in body and "Not started" in body
    assert "March 5, 2026" in body or "Mar. 5, 2026" in body
    # «Prochaine réunion» on the viewer's clock: 11:00 in Edmonton is 19:00 in Paris.
    cell = response.content.decode().split("data-next-meeting>")[1].split("</td>")[0]
    assert "11" in cell.split(",")[-1], cell
    admin.time_zone = "Europe/Paris"
    admin.save(update_fields=["time_zone"])
    cell = client.get(reverse("web:relationships")).content.decode()
    cell = cell.split("data-next-meeting>")[1].split("</td>")[0]
    assert "7" in cell.split(",")[-1] or "19" in cell.split(",")[-1], cell
    for key in question_keys(DEFAULT_SECTIONS):
        services.agreement_answer(
            actor=mentor, relationship=relationship, key=key, text="ok", version=0
        )
    services.agreement_sign(actor=mentor, relationship=relationship)
    services.agreement_sign(actor=mentee, relationship=relationship)
    assert "Signed by both on" in text_of(client.get(reverse("web:relationships")))


def frozen_zone():
    from tests.meetings import EDMONTON

    return EDMONTON


def test_phone_calls_tab_lists_phone_meetings_only(
    client, admin, relationship, always_available, book, frozen, outsider
):
    book(meeting_type="video")
    book(
        meeting_type="phone",
        location="+1 416 555 0100",
        start=datetime(2026, 3, 6, 11, 0, tzinfo=frozen_zone()),
    )
    client.force_login(admin)
    response = client.get(reverse("web:phone_calls_admin"))
    assert response.status_code == 200
    assert response.content.decode().count("data-meeting=") == 1
    assert "Phone calls" in text_of(response)
    assert response.context["rows"][0]["row"].meeting.meeting_type == "phone"
    client.force_login(outsider)
    assert client.get(reverse("web:phone_calls_admin")).context["rows"] == []


def test_agreement_template_page(client, admin, mentor, outsider):
    url = reverse("web:agreement_template")
    client.force_login(mentor)
    assert client.get(url).status_code == 404
    client.force_login(admin)
    assert "[goals]" in client.get(url).content.decode()
    response = client.post(url, {"text": "no marker here"})
    assert response.status_code == 200 and "must start with" in text_of(response)
    assert AgreementTemplate.objects.count() == 0
    response = client.post(url, {"text": "# Money | Argent\n- [money] Who pays? | Qui paie ?"})
    assert response.status_code == 302
    assert AgreementTemplate.objects.get().organisation_id == admin.organisation_id
    assert AuditEntry.objects.filter(action=AuditAction.AGREEMENT_TEMPLATE_EDIT).count() == 1
    client.force_login(outsider)
    assert "[money]" not in client.get(url).content.decode()


def _ranges(rows):
    data = {
        "ranges-TOTAL_FORMS": str(len(rows)),
        "ranges-INITIAL_FORMS": "0",
        "ranges-MIN_NUM_FORMS": "0",
        "ranges-MAX_NUM_FORMS": "21",
    }
    for n, (day, start, end) in enumerate(rows):
        data.update(
            {f"ranges-{n}-weekday": day, f"ranges-{n}-start": start, f"ranges-{n}-end": end}
        )
    return data


def test_an_administrator_edits_a_members_availability(
    client, admin, mentor, mentee, relationship, third, outsider
):
    from scheduling.models import Availability

    dashboard = reverse("web:relationship_dashboard", args=[relationship.pk])
    url = reverse("web:relationship_availability", args=[relationship.pk, mentee.pk])
    client.force_login(admin)
    assert url in client.get(dashboard).content.decode()
    assert "Charlotte Test" in text_of(client.get(url))
    # Bad input: refused, nothing saved.
    response = client.post(url, _ranges([("0", "12:00", "09:00")]))
    assert response.status_code == 200
    assert Availability.objects.count() == 0
    response = client.post(url, _ranges([("1", "09:00", "12:00")]))
    assert response.status_code == 302
    assert list(Availability.objects.values_list("user_id", "weekday")) == [(mentee.pk, 1)]
    assert AuditEntry.objects.filter(action=AuditAction.AVAILABILITY_EDIT).count() == 1
    # Someone outside the pair, the pair themselves, another organisation: 404.
    assert (
        client.get(
            reverse("web:relationship_availability", args=[relationship.pk, third.pk])
        ).status_code
        == 404
    )
    for person in (mentor, outsider):
        client.force_login(person)
        assert client.post(url, _ranges([("2", "09:00", "12:00")])).status_code == 404
    assert Availability.objects.count() == 1


def test_a_stale_answer_shows_the_current_text_and_keeps_mine(client, mentor, mentee, relationship):
    services.agreement_answer(
        actor=mentor, relationship=relationship, key="goals", text="Anna's words", version=0
    )
    client.force_login(mentee)
    response = client.post(
        reverse("web:workspace_agreement_answer", args=[relationship.pk]),
        {"key": "goals", "text": "Charlotte's words", "version": 0},
        follow=True,
    )
    body = text_of(response)
    assert "modifiée par Anna Carter entre-temps" in body
    assert "Anna's words" in body and "Charlotte's words" in body


def test_the_new_columns_cost_the_same_queries_whatever_the_rows(client, admin, mentor, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs import services as program_services

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("web:relationships")).status_code == 200
        return len(queries)

    client.force_login(admin)
    first = make_member(org, "m1@mentor.test", "Mia", "One", Role.MENTEE)
    pair = program_services.relationship_match(actor=admin, mentor=mentor, mentee=first)
    services.agreement_answer(actor=mentor, relationship=pair, key="goals", text="x", version=0)
    one = count()
    for n in range(2, 5):
        other = make_member(org, f"m{n}@mentor.test", "Mo", f"N{n}", Role.MENTEE)
        pair = program_services.relationship_match(actor=admin, mentor=mentor, mentee=other)
        services.agreement_answer(actor=other, relationship=pair, key="goals", text="y", version=0)
    assert count() == one


# -- the administrators' conversation and notes tiles (issue 11 §5, §6) ------------------


def _dashboard(relationship) -> str:
    return reverse("web:relationship_dashboard", args=[relationship.pk])


def _admin_notes(relationship) -> str:
    return reverse("web:relationship_notes", args=[relationship.pk])


def test_the_dashboards_conversation_tile(client, admin, mentor, mentee, relationship, org):
    from workspace import conversation

    client.force_login(admin)
    body = text_of(client.get(_dashboard(relationship)))
    assert "Conversation Posts 0 Last activity —" in body
    conversation.post_create(author=mentor, relationship=relationship, text="Hello <i>you</i>")
    second = conversation.post_create(author=mentor, relationship=relationship, text="Again")
    response = client.get(_dashboard(relationship))
    html, body = response.content.decode(), text_of(response)
    assert "Posts 2" in body
    assert "Charlotte: 2 unread" in body and "Anna: all read" in body
    assert "Hello" not in body and "Again" not in body  # counts, never text
    conversation_page = reverse("web:conversation_admin", args=[relationship.pk])
    assert conversation_page not in html  # the setting is off
    conversation.mark_read(user=mentee, relationship=relationship, up_to_post_id=second.pk)
    assert "Charlotte: all read" in text_of(client.get(_dashboard(relationship)))

    org.messages_in_reports = True
    org.save(update_fields=["messages_in_reports"])
    response = client.get(_dashboard(relationship))
    assert conversation_page in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.CONVERSATION_READ).count() == 0
    assert "Hello" not in text_of(response)  # the text only on the audited page
    client.get(conversation_page)
    assert AuditEntry.objects.filter(action=AuditAction.CONVERSATION_READ).count() == 1


def test_the_pairs_conversation_tile_shows_unread_and_last_post(
    client, mentor, mentee, relationship
):
    from workspace import conversation

    client.force_login(mentor)
    assert "No messages yet." in text_of(client.get(_page(relationship)))
    conversation.post_create(author=mentor, relationship=relationship, text="Mine")
    conversation.post_create(author=mentee, relationship=relationship, text="Un")
    last = conversation.post_create(author=mentee, relationship=relationship, text="Deux")
    response = client.get(_page(relationship))
    body = text_of(response)
    assert "2 unread messages" in body and "Last message:" in body
    assert "Deux" not in body  # the tile has no text
    assert 'data-unread="2"' in response.content.decode()
    conversation.mark_read(user=mentor, relationship=relationship, up_to_post_id=last.pk)
    assert "No unread messages." in text_of(client.get(_page(relationship)))
    client.force_login(mentee)  # posting counts as having read what came before; French
    assert "Aucun message non lu." in text_of(client.get(_page(relationship)))
    conversation.post_create(author=mentor, relationship=relationship, text="Reply")
    assert "1 message non lu" in text_of(client.get(_page(relationship)))


def test_administrators_read_notes_only_when_the_setting_is_on(
    client, admin, mentor, mentee, relationship, org, outsider
):
    services.note_save(actor=mentor, relationship=relationship, text=SECRET)
    services.note_save(actor=mentee, relationship=relationship, text="Charlotte's own")
    client.force_login(admin)
    # Off: the dashboard has no link, the page refuses (403) and says only that notes exist.
    dashboard = client.get(_dashboard(relationship)).content.decode()
    assert _admin_notes(relationship) not in dashboard
    refused = client.get(_admin_notes(relationship))
    assert refused.status_code == 403
    body = text_of(refused)
    assert "does not let administrators read private notes" in body
    assert "2 people keep notes" in body
    assert "always late" not in refused.content.decode() and "Charlotte's own" not in body
    assert not AuditEntry.objects.filter(action=AuditAction.NOTES_READ).exists()

    org.notes_in_reports = True
    org.save(update_fields=["notes_in_reports"])
    dashboard = client.get(_dashboard(relationship)).content.decode()
    assert _admin_notes(relationship) in dashboard
    assert "always late" not in dashboard  # the dashboard itself never shows the text
    assert not AuditEntry.objects.filter(action=AuditAction.NOTES_READ).exists()
    page = client.get(_admin_notes(relationship))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Anna is always late &lt;b&gt;really&lt;/b&gt;" in html  # escaped
    assert "Charlotte&#x27;s own" in html or "Charlotte's own" in text_of(page)
    client.get(_admin_notes(relationship))
    entries = AuditEntry.objects.filter(action=AuditAction.NOTES_READ)
    assert entries.count() == 2
    assert all(e.target_id == relationship.pk and e.count == 2 for e in entries)

    # Another organisation's administrator: 404, nothing audited.
    client.force_login(outsider)
    assert client.get(_admin_notes(relationship)).status_code == 404
    assert entries.count() == 2


def test_with_notes_readable_the_partner_still_never_sees_them(
    client, admin, mentor, mentee, relationship, org, django_capture_on_commit_callbacks
):
    from django.core import mail

    from realtime.testing import capture_events
    from workspace import conversation

    org.notes_in_reports = True
    org.messages_in_reports = True
    org.save(update_fields=["notes_in_reports", "messages_in_reports"])
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        services.note_save(actor=mentor, relationship=relationship, text=SECRET)
        conversation.post_create(author=mentor, relationship=relationship, text="hi")
    assert not any("always late" in str(event) for event in sent)
    assert not any("always late" in f"{m.subject} {m.body}" for m in mail.outbox)
    from notifications.models import EmailLog, Notification

    stored = [*EmailLog.objects.values(), *Notification.objects.values()]
    assert stored and not any("always late" in str(row) for row in stored)
    client.force_login(mentee)
    for url in (
        "/",
        _page(relationship),
        reverse("web:conversation", args=[relationship.pk]),
        reverse("web:conversation_since", args=[relationship.pk]) + "?after=0",
        "/notifications/",
        "/meetings/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "always late" not in response.content.decode(), url
    # The administrators' pages are not hers.
    for url in (_admin_notes(relationship), _dashboard(relationship)):
        assert client.get(url).status_code in (403, 404)
    assert not AuditEntry.objects.filter(action=AuditAction.NOTES_READ).exists()


def test_the_conversations_tab_costs_the_same_queries_whatever_the_rows(client, admin, mentor, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs import services as program_services
    from workspace import conversation

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("web:conversations_admin"))
            assert response.status_code == 200
        return len(queries), text_of(response)

    client.force_login(admin)
    first = make_member(org, "m1@mentor.test", "Mia", "One", Role.MENTEE)
    pair = program_services.relationship_match(actor=admin, mentor=mentor, mentee=first)
    conversation.post_create(author=mentor, relationship=pair, text="x")
    one, _body = count()
    for n in range(2, 6):
        other = make_member(org, f"m{n}@mentor.test", "Mo", f"N{n}", Role.MENTEE)
        pair = program_services.relationship_match(actor=admin, mentor=mentor, mentee=other)
        for _ in range(n):
            conversation.post_create(author=other, relationship=pair, text="y")
    many, body = count()
    assert many == one
    # Newest relationship first, each with its own count.
    assert "Mo N5 5" in body and "Mia One 1" in body
    assert body.index("Mo N5") < body.index("Mia One")


def test_the_conversations_tab_pages(client, admin, mentor, org):
    from programs import services as program_services

    client.force_login(admin)
    for n in range(12):
        other = make_member(org, f"p{n}@mentor.test", "Pa", f"Ge{n}", Role.MENTEE)
        program_services.relationship_match(actor=admin, mentor=mentor, mentee=other)
    url = reverse("web:conversations_admin")
    first = client.get(url, {"size": 10}).content.decode()
    second = client.get(url, {"size": 10, "page": 2}).content.decode()
    assert first.count("data-conversation=") == 10
    assert second.count("data-conversation=") == 2
    assert "Pa Ge11" in first and "Pa Ge0" in second  # newest first, none twice


def test_the_member_home_has_one_workspace_link_and_the_conversation(client, mentor, relationship):
    client.force_login(mentor)
    html = client.get("/").content.decode()
    assert html.count(f'href="{_page(relationship)}"') == 1
    assert html.count(f'href="{reverse("web:conversation", args=[relationship.pk])}"') == 1
    workspace = client.get(_page(relationship)).content.decode()
    assert reverse("web:conversation", args=[relationship.pk]) in workspace
    talk = client.get(reverse("web:conversation", args=[relationship.pk])).content.decode()
    assert f'href="{_page(relationship)}"' in talk  # and back to the workspace


def test_the_columns_are_read_for_the_pages_rows_only(
    client, admin, mentor, mentee, relationship, org, always_available, book, frozen
):
    """«Prochaine réunion» and «L'accord mentorat» with the list's paging (IdPaged): the
    newest relationship (the fixture's: the others are made on the frozen clock, earlier)
    shows its own meeting and agreement state on page 1 and nowhere else, and a page
    costs the same queries whatever the number of relationships."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs import services as program_services

    book(start=datetime(2026, 3, 5, 11, 0, tzinfo=frozen_zone()))
    services.agreement_answer(
        actor=mentor, relationship=relationship, key="goals", text="x", version=0
    )

    def more(count: int, start: int) -> None:
        for n in range(start, start + count):
            other = make_member(org, f"q{n}@mentor.test", "Qu", f"R{n}", Role.MENTEE)
            program_services.relationship_match(actor=admin, mentor=mentor, mentee=other)

    def page(number: int) -> tuple[int, str, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("web:relationships"), {"size": 10, "page": number})
            assert response.status_code == 200
        return len(queries), response.content.decode(), text_of(response)

    client.force_login(admin)
    more(11, 0)  # 12 relationships: 10 on page 1, 2 on page 2
    queries_first, html, body = page(1)
    assert html.count("data-next-meeting>") == 10
    assert "Charlotte Test" in body and body.count("In progress") == 1
    assert "March 5, 2026" in body or "Mar. 5, 2026" in body
    queries_last, html, body = page(2)
    assert html.count("data-next-meeting>") == 2
    assert "Charlotte Test" not in body and "In progress" not in body
    assert "March 5" not in body and "Mar. 5" not in body
    more(20, 11)  # 32 relationships
    assert page(1)[0] == queries_first
    assert page(2)[0] == queries_last  # a middle page now
    assert page(4)[0] == queries_last
