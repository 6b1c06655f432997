from __future__ import annotations

import pytest
from django.urls import reverse

from programs import services
from programs.models import MemberGroup, Relationship, RelationshipStatus, Role
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_pages_need_a_signed_in_person(client, db):
    for path in ("/", "/profile/", "/manage/", "/manage/members/", "/manage/relationships/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_admin_dashboard_shows_the_tiles_and_counts(admin_client, relationship):
    text = admin_client.get("/manage/").content.decode()
    assert 'data-count="members">2<' in text
    assert 'data-count="relationships">1<' in text
    assert 'data-count="invitations">0<' in text
    assert "Mentor Canada" in text


def test_mentor_and_mentee_never_reach_admin_pages(client, mentor, admin, relationship):
    client.force_login(mentor)
    for path in (
        "/manage/",
        "/manage/members/",
        "/manage/relationships/",
        "/manage/groups/",
        f"/manage/members/{admin.pk}/",
        f"/manage/relationships/{relationship.pk}/end/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/manage/members/{admin.pk}/active/", {"active": "0"}).status_code == 404
    admin.refresh_from_db()
    assert admin.is_active


def test_members_list_shows_the_columns_and_searches(admin_client, mentor, mentee, relationship):
    response = admin_client.get("/manage/members/")
    text = response.content.decode()
    for heading in (
        "Full name",
        "Email",
        "Profile completion",
        "Last session",
        "Groups",
        "Matches",
        "Role",
        "Member since",
        "End date",
        "Active",
    ):
        assert heading in text
    assert "Anna Carter" in text and "Charlotte Test" in text
    assert f'data-presence-user="{mentor.pk}"' in text

    text = admin_client.get("/manage/members/?q=charl").content.decode()
    assert "Charlotte Test" in text and "Anna Carter" not in text
    text = admin_client.get("/manage/members/?role=mentor").content.decode()
    assert "Anna Carter" in text and "Charlotte Test" not in text


def test_members_list_paginates_with_a_constant_number_of_queries(
    admin_client, org, django_assert_max_num_queries
):
    for n in range(30):
        member = make_member(org, f"m{n}@mentor.test", f"First{n}", f"Last{n:02}", Role.MENTOR)
        group = MemberGroup.objects.create(organisation=org, name=f"G{n}")
        group.members.add(member)
    # 8 + the recalculation under way, if any + the filters' choices: the custom fields,
    # the sectors and functions (one query), the administrator's saved searches + the
    # groups of the selection bar's «Ajouter au groupe».
    with django_assert_max_num_queries(13):
        response = admin_client.get("/manage/members/?size=25")
    text = response.content.decode()
    assert "Showing 1 to 25 of 31" in text
    assert (
        "Showing 26 to 31 of 31"
        in admin_client.get("/manage/members/?size=25&page=2").content.decode()
    )


def test_active_checkbox_deactivates_at_once_and_reactivates(admin_client, mentor):
    url = f"/manage/members/{mentor.pk}/active/"
    response = admin_client.post(url, {"active": "0"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"id": mentor.pk, "active": False}
    mentor.refresh_from_db()
    assert not mentor.is_active
    response = admin_client.post(url, {"active": "1"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.is_active


def test_admin_cannot_untick_themselves(admin_client, admin):
    response = admin_client.post(
        f"/manage/members/{admin.pk}/active/", {"active": "0"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "cannot deactivate your own account" in response.json()["error"]
    admin.refresh_from_db()
    assert admin.is_active


def test_relationships_tabs(admin_client, admin, relationship, org):
    other_mentor = make_member(org, "mary@mentor.test", "Mary", "Smith", Role.MENTOR)
    ended = services.relationship_match(
        actor=admin, mentor=other_mentor, mentee=relationship.mentee
    )
    services.relationship_end(actor=admin, relationship=ended)
    text = admin_client.get("/manage/relationships/").content.decode()
    assert "All (2)" in text and "Matched (1)" in text and "Completed (1)" in text
    matched = admin_client.get("/manage/relationships/?tab=matched").content.decode()
    assert "Mary Smith" not in matched and "Anna Carter" in matched
    completed = admin_client.get("/manage/relationships/?tab=completed").content.decode()
    assert "Mary Smith" in completed and "Anna Carter" not in completed


def test_admin_matches_and_ends_from_the_pages(admin_client, admin, mentor, mentee):
    response = admin_client.post(
        "/manage/relationships/new/",
        {"mentor": mentor.pk, "mentee": mentee.pk, "relationship_administrator": admin.pk},
    )
    assert response.status_code == 302
    relationship = Relationship.objects.get()
    assert relationship.relationship_administrator == admin
    again = admin_client.post(
        "/manage/relationships/new/", {"mentor": mentor.pk, "mentee": mentee.pk}
    )
    assert "already matched" in again.content.decode()
    assert Relationship.objects.count() == 1
    admin_client.post(f"/manage/relationships/{relationship.pk}/end/")
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.COMPLETED


def test_match_form_refuses_another_organisations_people(admin_client, mentee, outsider_mentor):
    response = admin_client.post(
        "/manage/relationships/new/", {"mentor": outsider_mentor.pk, "mentee": mentee.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Relationship.objects.count() == 0


def test_groups_create_and_edit(admin_client, mentor, mentee):
    response = admin_client.post("/manage/groups/", {"name": "Luca's Group"})
    group = MemberGroup.objects.get()
    assert response.url == reverse("web:group", args=[group.pk])
    duplicate = admin_client.post("/manage/groups/", {"name": "luca's group"})
    assert "already exists" in duplicate.content.decode()
    admin_client.post(f"/manage/groups/{group.pk}/", {"members": [mentor.pk, mentee.pk]})
    assert set(group.members.all()) == {mentor, mentee}


def test_member_home_and_preferences(client, mentor, relationship):
    client.force_login(mentor)
    text = client.get("/").content.decode()
    assert "Welcome, Anna" in text and "Charlotte Test" in text
    response = client.post("/profile/", {"language": "fr", "time_zone": "America/Vancouver"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.language == "fr" and mentor.time_zone == "America/Vancouver"
    assert "Bienvenue, Anna" in client.get("/").content.decode()


def test_language_switch_is_stored_on_the_account(admin_client, admin):
    response = admin_client.post("/language/", {"language": "fr", "next": "/manage/members/"})
    assert response.url == "/manage/members/"
    admin.refresh_from_db()
    assert admin.language == "fr"
    text = admin_client.get("/manage/members/").content.decode()
    assert "Dernière session" in text and "Membres" in text and "Tableau de bord" in text
    # An unknown language changes nothing; an outside "next" is not followed.
    response = admin_client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response.url == "/"
    admin.refresh_from_db()
    assert admin.language == "fr"


def test_anonymous_language_switch_uses_a_cookie(client, db):
    client.post("/language/", {"language": "fr", "next": "/login/"})
    assert "Garder ma session ouverte" in client.get("/login/").content.decode()


def test_member_page_names_a_member_administrator(admin_client, admin, mentor, outsider):
    page = admin_client.get(f"/manage/members/{mentor.pk}/")
    assert page.status_code == 200 and "Anna Carter" in page.content.decode()
    admin_client.post(f"/manage/members/{mentor.pk}/", {"member_administrator": admin.pk})
    mentor.refresh_from_db()
    assert mentor.member_administrator == admin
    # Another organisation's administrator is not a valid choice; nothing changes.
    refused = admin_client.post(
        f"/manage/members/{mentor.pk}/", {"member_administrator": outsider.pk}
    )
    assert "Select a valid choice" in refused.content.decode()
    mentor.refresh_from_db()
    assert mentor.member_administrator == admin
    assert "Michele Mantero" in admin_client.get("/manage/members/").content.decode()


def test_match_page_offers_type_ahead_pickers(admin_client):
    from django.contrib.staticfiles import finders

    text = admin_client.get("/manage/relationships/new/").content.decode()
    assert "data-lookup=" in text and "tom-select.complete.min.js" in text
    # Installed by `make install` from npm and served as a static file.
    assert finders.find("vendor/tom-select/js/tom-select.complete.min.js")


def test_forms_never_redirect_off_site(admin_client, mentor, relationship):
    response = admin_client.post(
        f"/manage/members/{mentor.pk}/active/", {"active": "0", "next": "https://evil.example/"}
    )
    assert response.url == "/manage/members/"
    response = admin_client.post(
        f"/manage/relationships/{relationship.pk}/end/", {"next": "//evil.example/x"}
    )
    assert response.url == "/manage/relationships/"
    response = admin_client.post(
        f"/manage/members/{mentor.pk}/active/", {"active": "1", "next": "/manage/members/?q=a"}
    )
    assert response.url == "/manage/members/?q=a"
