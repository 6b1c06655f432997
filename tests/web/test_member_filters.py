"""The members list's filters and «Recherches récentes», as an administrator uses them."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import translation

from programs import saved_filters
from programs.models import (
    FieldKind,
    ProfileField,
    ProfileFieldValue,
    Role,
    SavedMemberFilter,
    User,
)
from tests.conftest import make_member
from web.forms.members import member_filters_query, member_filters_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def sport(org, admin, mentor, mentee):
    """Anna likes baseball (completion 40 %), Charlotte hockey (90 %)."""
    field = ProfileField.objects.create(
        organisation=org,
        name_en="Favourite sport",
        name_fr="Sport préféré",
        kind=FieldKind.SINGLE,
        options=[{"id": "base", "en": "Baseball"}, {"id": "hock", "en": "Hockey"}],
    )
    ProfileFieldValue.objects.create(user=mentor, field=field, value="base")
    ProfileFieldValue.objects.create(user=mentee, field=field, value="hock")
    User.objects.filter(pk=mentor.pk).update(profile_completion=40, sector="Health")
    User.objects.filter(pk=mentee.pk).update(profile_completion=90, sector="Finance")
    return field


def shown(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-member="(\d+)"', response.content.decode())}


def test_the_custom_field_option_and_completion_filter_the_list(admin_client, sport, mentor):
    page = admin_client.get(
        "/manage/members/", {"field": sport.pk, "option": "base", "completion_below": "80"}
    )
    assert page.status_code == 200
    assert shown(page) == {mentor.pk}
    text = page.content.decode()
    assert f'data-field="{sport.pk}"' in text
    assert "Baseball" in text


def test_every_filter_of_the_advanced_part_is_read_from_the_query(
    admin_client, sport, admin, mentor, mentee
):
    query = "sector=Health&sector=Finance&relationship=never&activity=never&current="
    assert shown(admin_client.get(f"/manage/members/?{query}")) == {mentor.pk, mentee.pk}
    assert shown(admin_client.get("/manage/members/?sector=Finance&joined_after=2000-01-01")) == {
        mentee.pk
    }


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"completion_below": "140"}, "less than or equal to 100"),
        ({"completion_below": "-1"}, "greater than or equal to 0"),
        ({"completion_below": "abc"}, "Enter a whole number"),
        ({"joined_after": "31/02/2025"}, "Enter a valid date"),
        ({"joined_after": "2025-02-31"}, "Enter a valid date"),
        ({"joined_after": "hello"}, "Enter a valid date"),
        ({"field": "999999"}, "Select a valid choice"),
        ({"field": "x"}, "Select a valid choice"),
        ({"option": "base"}, "Choose the custom field this option belongs to."),
        ({"sector": "Mining"}, "Select a valid choice"),
        ({"activity": "12"}, "Select a valid choice"),
    ],
)
def test_a_bad_value_shows_an_error_and_never_filters_by_it(
    admin_client, sport, admin, mentor, mentee, query, error
):
    page = admin_client.get("/manage/members/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'role="alert"' in text
    assert error in text
    assert shown(page) == {admin.pk, mentor.pk, mentee.pk}


def test_another_organisations_field_is_refused_without_leaking_it(
    admin_client, sport, other_org, outsider_mentor, admin, mentor, mentee
):
    theirs = ProfileField.objects.create(
        organisation=other_org,
        name_en="Secret club",
        kind=FieldKind.SINGLE,
        options=[{"id": "base", "en": "Hidden option"}],
    )
    ProfileFieldValue.objects.create(user=outsider_mentor, field=theirs, value="base")
    page = admin_client.get("/manage/members/", {"field": theirs.pk, "option": "base"})
    text = page.content.decode()
    assert "Select a valid choice" in text
    assert "Secret club" not in text and "Hidden option" not in text
    assert shown(page) == {admin.pk, mentor.pk, mentee.pk}


def test_an_option_of_another_field_is_refused(admin_client, org, sport):
    car = ProfileField.objects.create(organisation=org, name_en="Has a car", kind=FieldKind.YES_NO)
    page = admin_client.get("/manage/members/", {"field": car.pk, "option": "base"})
    assert "This option is not one of the field «Has a car»." in page.content.decode()


def test_the_query_string_round_trip_gives_the_same_filters(org, sport):
    query = QueryDict(
        urlencode(
            {
                "q": "anna car",
                "role": Role.MENTOR,
                "field": sport.pk,
                "option": "base",
                "completion_below": 80,
                "joined_after": "2025-02-01",
                "current": "on",
                "active": "yes",
                "activity": "30",
                "relationship": "ended",
            }
        )
        + "&sector=Health&sector=Finance"
    )
    form, filters = member_filters_read(query, organisation_id=org.pk)
    assert form.is_valid(), form.errors
    assert filters.sectors == ("Health", "Finance")
    again_form, again = member_filters_read(
        QueryDict(member_filters_query(filters)), organisation_id=org.pk
    )
    assert again_form.is_valid()
    assert again == filters


def test_clear_filters_links_to_the_bare_list(admin_client, sport):
    text = admin_client.get("/manage/members/?completion_below=50").content.decode()
    assert '<a class="button" href="/manage/members/">Clear filters</a>' in text


# -- saved searches ------------------------------------------------------------------------


def test_save_a_filter_then_open_it_from_recent_searches(admin_client, admin, sport, mentor):
    query = f"field={sport.pk}&option=base&completion_below=80"
    page = admin_client.get(f"/manage/members/?{query}")
    found = re.search(r'name="query" value="([^"]*)"', page.content.decode())
    assert found is not None
    hidden = found.group(1)
    saved_page = admin_client.post(
        "/manage/members/saved/", {"name": "Baseball mentors", "query": hidden.replace("&amp;", "&")},
        follow=True,
    )  # fmt: skip
    saved = SavedMemberFilter.objects.get()
    assert (saved.owner, saved.name) == (admin, "Baseball mentors")
    text = saved_page.content.decode()
    assert "Recent searches" in text
    assert f'href="/manage/members/saved/{saved.pk}/"' in text
    assert shown(saved_page) == {mentor.pk}
    opened = admin_client.get(f"/manage/members/saved/{saved.pk}/")
    assert opened.status_code == 302
    assert shown(admin_client.get(opened["Location"])) == {mentor.pk}


def test_a_nameless_filter_is_refused_with_a_message(admin_client):
    page = admin_client.post("/manage/members/saved/", {"name": " ", "query": ""}, follow=True)
    assert "Give the filter a name." in page.content.decode()
    assert SavedMemberFilter.objects.count() == 0


def test_delete_a_saved_filter(admin_client, admin):
    saved = saved_filters.saved_filter_save(actor=admin, name="Old", query="active=no")
    response = admin_client.post(f"/manage/members/saved/{saved.pk}/delete/")
    assert response.status_code == 302
    assert SavedMemberFilter.objects.count() == 0


def test_a_saved_filter_that_no_longer_holds_shows_the_error(admin_client, admin, sport):
    saved = saved_filters.saved_filter_save(
        actor=admin, name="Sport", query=f"field={sport.pk}&option=base"
    )
    sport.delete()
    page = admin_client.get(f"/manage/members/saved/{saved.pk}/", follow=True)
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_another_administrator_never_sees_nor_reaches_a_saved_filter(
    client, org, admin, outsider_client
):
    saved = saved_filters.saved_filter_save(actor=admin, name="Michele's own", query="")
    colleague = make_member(org, "second@mentor.test", "Sam", "Second", Role.ADMINISTRATOR)
    assert outsider_client.get(f"/manage/members/saved/{saved.pk}/").status_code == 404
    assert outsider_client.post(f"/manage/members/saved/{saved.pk}/delete/").status_code == 404
    client.force_login(colleague)
    assert "Michele&#x27;s own" not in client.get("/manage/members/").content.decode()
    assert client.get(f"/manage/members/saved/{saved.pk}/").status_code == 404
    assert client.post(f"/manage/members/saved/{saved.pk}/delete/").status_code == 404
    assert SavedMemberFilter.objects.count() == 1


def test_a_member_cannot_reach_saved_filters(client, mentor, admin):
    saved = saved_filters.saved_filter_save(actor=admin, name="Mine", query="")
    client.force_login(mentor)
    assert client.get(f"/manage/members/saved/{saved.pk}/").status_code == 404
    assert client.post("/manage/members/saved/", {"name": "x"}).status_code == 404


# -- speed and pages -----------------------------------------------------------------------


ALL_FILTERS = (
    "q=a&role=mentor&option=base&completion_below=80&joined_after=2000-01-01&current=on"
    "&active=yes&activity=90&relationship=never&sector=Health&size=10"
)


def _people(org, sport, n: int) -> None:
    for i in range(n):
        member = make_member(org, f"p{i}@mentor.test", f"Pat{i}", f"Name{i:03d}", Role.MENTOR)
        ProfileFieldValue.objects.create(user=member, field=sport, value="base")
    User.objects.filter(organisation=org, first_name__startswith="Pat").update(
        sector="Health", job_title="Engineer"
    )


@pytest.mark.parametrize("n", [5, 40])
def test_the_filtered_list_costs_the_same_queries_for_5_or_40_members(
    admin_client, org, sport, n, django_assert_num_queries
):
    _people(org, sport, n)
    admin_client.get(f"/manage/members/?field={sport.pk}&{ALL_FILTERS}")  # sessions warm
    # +1: the groups offered by the selection bar's «Ajouter au groupe»; the custom
    # field's kind comes with the form's choice fields (no query of its own).
    with django_assert_num_queries(9):
        page = admin_client.get(f"/manage/members/?field={sport.pk}&{ALL_FILTERS}")
    assert page.status_code == 200


def test_the_filtered_pages_split_the_list_where_it_always_did(admin_client, org, sport):
    _people(org, sport, 23)
    base = f"field={sport.pk}&option=base&sector=Health&size=10"
    seen: list[int] = []
    for number in (1, 2, 3):
        page = admin_client.get(f"/manage/members/?{base}&page={number}")
        ids = [int(pk) for pk in re.findall(r'data-member="(\d+)"', page.content.decode())]
        seen += ids
        if number < 3:
            assert f"sector=Health&amp;size=10&amp;page={number + 1}" in page.content.decode()
    expected = list(
        User.objects.filter(
            organisation=org, sector="Health", field_values__field=sport, field_values__value="base"
        )
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)
    )
    assert seen == expected


def test_the_french_page_names_the_filters_in_french(admin_client, admin, sport):
    """Needs the lead's French catalogue (the msgids are in /work/briefs/fr_filters.json):
    skipped until it holds them."""
    with translation.override("fr"):
        if translation.gettext("Advanced filter") == "Advanced filter":
            pytest.skip("the French catalogue does not hold the filters' strings yet")
    User.objects.filter(pk=admin.pk).update(language="fr")
    text = admin_client.get("/manage/members/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for label in (
        "Filtre avancé",
        "Champ personnalisé",
        "Secteurs",
        "Fonctions exercées",
        "Complétude du profil inférieure à (%)",
        "Créé au-delà du",
        "Postes actuels uniquement",
        "Activité récente",
        "Sauvegarder le filtre de recherche",
        "Effacer les filtres",
        "Sport préféré",
    ):
        assert label in text, label
