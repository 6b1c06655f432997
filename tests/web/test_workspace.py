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
