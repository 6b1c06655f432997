"""People pickers that ask the server as the administrator types: the lookup answers
only with the caller's organisation's people, and the pages that use it (email log,
community message audience, matching) list only the people already chosen."""

from __future__ import annotations

import re

import pytest

from programs.models import Role
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

LOOKUP = "/manage/members/lookup/"


def found(client, **query) -> list[str]:
    response = client.get(LOOKUP, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [item["text"] for item in response.json()["results"]]


@pytest.fixture
def crowd(org):
    """Thirty more mentors, one of them deactivated."""
    people = [
        make_member(org, f"crowd{n}@mentor.test", f"Person{n:02}", "Crowd", Role.MENTOR)
        for n in range(30)
    ]
    people[7].is_active = False
    people[7].save(update_fields=["is_active"])
    return people


def test_lookup_matches_every_word_in_names_and_emails(admin_client, mentor, mentee, crowd):
    assert found(admin_client, q="anna") == ["Anna Carter (anna@mentor.test)"]
    assert found(admin_client, q="Charlotte test") == ["Charlotte Test (charlotte@mentor.test)"]
    assert found(admin_client, q="crowd7@") == ["Person07 Crowd (crowd7@mentor.test)"]
    assert found(admin_client, q="Anna Crowd") == []


def test_nothing_typed_lists_everyone_alphabetically_a_page_at_a_time(
    admin_client, admin, mentor, mentee, crowd
):
    everyone = sorted(
        [admin, mentor, mentee, *crowd], key=lambda user: (user.last_name, user.first_name)
    )
    first = admin_client.get(LOOKUP).json()
    assert [item["value"] for item in first["results"]] == [str(u.pk) for u in everyone]
    assert first["next"] is None
    assert admin_client.get(LOOKUP, {"q": "   "}).json()["results"] == first["results"]
    # Enough people for a second page: the first holds 50, the next the rest.
    more = [
        make_member(mentor.organisation, f"zz{n}@mentor.test", f"Zed{n:02}", "Zulu", Role.MENTEE)
        for n in range(30)
    ]
    page_1 = admin_client.get(LOOKUP, {"page": "1"}).json()
    page_2 = admin_client.get(LOOKUP, {"page": "2"}).json()
    assert len(page_1["results"]) == 50 and page_1["next"] == 2
    assert len(page_2["results"]) == len(everyone) + len(more) - 50 and page_2["next"] is None
    assert page_2["results"][-1]["text"] == "Zed29 Zulu (zz29@mentor.test)"
    # Pages beyond the end are empty; a malformed page is the first.
    assert admin_client.get(LOOKUP, {"page": "9"}).json() == {"results": [], "next": None}
    assert admin_client.get(LOOKUP, {"page": "x"}).json() == page_1
    assert admin_client.get(LOOKUP, {"page": "-4"}).json() == page_1


def test_lookup_filters_by_role_and_activity(admin_client, mentor, mentee, crowd):
    assert len(found(admin_client, q="crowd")) == 30
    assert found(admin_client, q="Person07") == ["Person07 Crowd (crowd7@mentor.test)"]
    assert found(admin_client, q="Person07", active="1") == []
    assert found(admin_client, q="test", role=Role.MENTEE) == [
        "Charlotte Test (charlotte@mentor.test)"
    ]
    assert found(admin_client, q="charlotte", role=Role.MENTOR) == []
    # An unknown role narrows nothing rather than failing.
    assert found(admin_client, q="anna", role="wizard") == ["Anna Carter (anna@mentor.test)"]


def test_lookup_never_answers_with_another_organisations_people(
    outsider_client, mentor, mentee, outsider_mentor
):
    assert found(outsider_client, q="anna") == []
    assert found(outsider_client, q="mentor.test") == []
    assert found(outsider_client, q="olive") == ["Olive Outsider (olive@elsewhere.test)"]


def test_lookup_is_for_administrators_only(client, mentor):
    assert client.get(LOOKUP, {"q": "anna"}).status_code == 302  # to sign in
    client.force_login(mentor)
    assert client.get(LOOKUP, {"q": "anna"}).status_code == 404


def options(text: str, name: str) -> list[tuple[str, bool]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', text, re.S)
    assert select, name
    return [
        (value, "selected" in attrs)
        for value, attrs in re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(1))
    ]


def test_email_log_lists_only_the_chosen_members(admin_client, mentor, mentee, crowd):
    text = admin_client.get("/manage/email-log/").content.decode()
    assert options(text, "members") == []
    assert 'data-lookup="/manage/members/lookup/"' in text
    assert "Person01 Crowd" not in text
    text = admin_client.get(
        "/manage/email-log/", {"members": [crowd[3].pk, mentee.pk]}
    ).content.decode()
    assert sorted(options(text, "members")) == sorted(
        [(str(crowd[3].pk), True), (str(mentee.pk), True)]
    )
    assert "Person01 Crowd" not in text


def test_email_log_refuses_another_organisations_member(admin_client, mentor, outsider_mentor):
    text = admin_client.get("/manage/email-log/", {"members": [outsider_mentor.pk]}).content
    text = text.decode()
    assert "is not one of the available choices" in text
    assert options(text, "members") == []
    assert "Olive" not in text


def test_community_audience_lists_only_the_chosen_people(admin_client, mentor, mentee, crowd):
    text = admin_client.get("/manage/messages/new/").content.decode()
    assert options(text, "chosen") == []
    assert 'data-lookup="/manage/members/lookup/?active=1"' in text
    assert "Person02 Crowd" not in text


def test_matching_lists_only_the_chosen_people(admin_client, mentor, mentee, crowd):
    text = admin_client.get("/manage/relationships/new/").content.decode()
    assert options(text, "mentor") == [("", False)]
    assert options(text, "mentee") == [("", False)]
    assert 'data-lookup="/manage/members/lookup/?role=mentor&amp;active=1"' in text
    assert "Person02 Crowd" not in text and "Anna Carter" not in text
    # A refused submission shows the person already picked, still picked.
    response = admin_client.post("/manage/relationships/new/", {"mentor": crowd[2].pk})
    text = response.content.decode()
    assert response.status_code == 200
    assert options(text, "mentor") == [("", False), (str(crowd[2].pk), True)]
    assert "Person02 Crowd (crowd2@mentor.test)" in text
    assert options(text, "mentee") == [("", False)]


def test_lookup_takes_several_roles(admin_client, admin, mentor, mentee):
    assert found(admin_client, q="michele") == [admin.full_name + f" ({admin.email})"]
    assert found(admin_client, q="michele", role="mentor,mentee") == []
    assert found(admin_client, q="mentor.test", role="mentor,mentee") == [
        "Anna Carter (anna@mentor.test)",
        "Charlotte Test (charlotte@mentor.test)",
    ]


def test_group_page_lists_its_members_and_looks_up_the_rest(admin_client, admin, mentor, crowd):
    from programs import services

    group = services.group_create(actor=admin, name="Cohorte")
    services.group_set_members(actor=admin, group=group, member_ids=[mentor.pk, crowd[4].pk])
    text = admin_client.get(f"/manage/groups/{group.pk}/").content.decode()
    assert sorted(options(text, "members")) == sorted(
        [(str(mentor.pk), True), (str(crowd[4].pk), True)]
    )
    assert 'data-lookup="/manage/members/lookup/?role=mentor%2Cmentee"' in text
    assert "Person05 Crowd" not in text
    # Saving what the picker submits replaces the members; an administrator is refused.
    admin_client.post(f"/manage/groups/{group.pk}/", {"members": [crowd[5].pk]})
    assert list(group.members.values_list("pk", flat=True)) == [crowd[5].pk]
    response = admin_client.post(f"/manage/groups/{group.pk}/", {"members": [admin.pk]})
    assert "is not one of the available choices" in response.content.decode()
    assert list(group.members.values_list("pk", flat=True)) == [crowd[5].pk]
