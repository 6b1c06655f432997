"""Which members each filter keeps (programs.member_filters), alone and combined, and the
saved searches' services (programs.saved_filters)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from programs import saved_filters, selectors, services
from programs.errors import DomainError
from programs.member_filters import MemberFilters, distinct_values, member_filters_blank
from programs.models import FieldKind, ProfileField, ProfileFieldValue, Role, SavedMemberFilter
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, other_org, admin, mentor, mentee, outsider_mentor):
    """Known members: who is kept by which filter is written beside each."""
    now = timezone.now()
    sport = ProfileField.objects.create(
        organisation=org,
        name_en="Favourite sport",
        name_fr="Sport préféré",
        kind=FieldKind.SINGLE,
        options=[
            {"id": "base", "en": "Baseball", "fr": "Baseball"},
            {"id": "hock", "en": "Hockey"},
        ],
    )
    languages = ProfileField.objects.create(
        organisation=org,
        name_en="Languages",
        kind=FieldKind.MULTIPLE,
        options=[{"id": "en", "en": "English"}, {"id": "fr", "en": "French"}],
        admin_only=True,
    )
    car = ProfileField.objects.create(organisation=org, name_en="Has a car", kind=FieldKind.YES_NO)
    elsewhere = ProfileField.objects.create(
        organisation=other_org,
        name_en="Elsewhere sport",
        kind=FieldKind.SINGLE,
        options=[{"id": "base", "en": "Baseball"}],
    )
    lina = make_member(
        org, "lina@mentor.test", "Lina", "Chan", Role.MENTOR,
        sector="Health", function="Nurse", job_title="Nurse", profile_completion=42,
    )  # fmt: skip
    bob = make_member(
        org, "bob@mentor.test", "Bob", "Baker", Role.MENTOR,
        sector="Finance", function="Analyst", company="Bank", profile_completion=90,
    )  # fmt: skip
    zoe = make_member(
        org, "zoe@mentor.test", "Zoé", "Roy", Role.MENTEE,
        sector="Health", function="Student", profile_completion=10, is_active=False,
    )  # fmt: skip
    for member, field, value in (
        (lina, sport, "base"),
        (bob, sport, "hock"),
        (zoe, sport, "base"),
        (lina, languages, ["en", "fr"]),
        (bob, languages, ["en"]),
        (lina, car, True),
        (bob, car, False),
        (outsider_mentor, elsewhere, "base"),
    ):
        ProfileFieldValue.objects.create(user=member, field=field, value=value)
    type(lina).objects.filter(pk=lina.pk).update(
        date_joined=now - datetime.timedelta(days=400), last_seen=now - datetime.timedelta(days=3)
    )
    type(bob).objects.filter(pk=bob.pk).update(
        date_joined=now - datetime.timedelta(days=40), last_login=now - datetime.timedelta(days=20)
    )
    type(zoe).objects.filter(pk=zoe.pk).update(
        date_joined=now - datetime.timedelta(days=5), last_seen=now - datetime.timedelta(days=60)
    )
    # Lina is matched now; Bob had a relationship that ended; Anna and Zoé never were.
    services.relationship_match(actor=admin, mentor=lina, mentee=mentee)
    ended = services.relationship_match(actor=admin, mentor=bob, mentee=mentee)
    services.relationship_end(actor=admin, relationship=ended)
    return {
        "org": org, "admin": admin, "anna": mentor, "charlotte": mentee, "lina": lina,
        "bob": bob, "zoe": zoe, "sport": sport, "languages": languages, "car": car,
        "elsewhere": elsewhere, "outsider": outsider_mentor,
    }  # fmt: skip


def kept(people, **filters) -> set[str]:
    """The first names of the members the filters keep."""
    qs = selectors.members_filtered(
        organisation_id=people["org"].pk, filters=MemberFilters(**filters)
    )
    return set(qs.values_list("first_name", flat=True))


EVERYONE = {"Michele", "Anna", "Charlotte", "Lina", "Bob", "Zoé"}


def test_no_filter_keeps_the_organisation_and_nobody_else(people):
    assert kept(people) == EVERYONE
    assert member_filters_blank(MemberFilters())


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"search": "chan"}, {"Lina"}),
        ({"role": Role.MENTEE}, {"Charlotte", "Zoé"}),
        ({"active": "no"}, {"Zoé"}),
        ({"active": "yes"}, EVERYONE - {"Zoé"}),
        ({"field_id": "sport", "option": "base"}, {"Lina", "Zoé"}),
        ({"field_id": "sport", "option": "hock"}, {"Bob"}),
        ({"field_id": "sport"}, {"Lina", "Bob", "Zoé"}),
        ({"field_id": "languages", "option": "fr"}, {"Lina"}),
        ({"field_id": "languages", "option": "en"}, {"Lina", "Bob"}),
        ({"field_id": "car", "option": "yes"}, {"Lina"}),
        ({"field_id": "car", "option": "no"}, {"Bob"}),
        ({"sectors": ("Health",)}, {"Lina", "Zoé"}),
        ({"sectors": ("Health", "Finance")}, {"Lina", "Bob", "Zoé"}),
        ({"functions": ("Analyst", "Student")}, {"Bob", "Zoé"}),
        ({"completion_below": 50}, {"Michele", "Anna", "Charlotte", "Lina", "Zoé"}),
        ({"completion_below": 0}, set()),
        ({"completion_below": 100}, EVERYONE),
        ({"current_positions": True}, {"Lina", "Bob"}),
        ({"activity": "7"}, {"Lina"}),
        ({"activity": "30"}, {"Lina", "Bob"}),
        ({"activity": "90"}, {"Lina", "Bob", "Zoé"}),
        ({"activity": "never"}, {"Michele", "Anna", "Charlotte"}),
        ({"relationship": "current"}, {"Lina", "Charlotte"}),
        ({"relationship": "ended"}, {"Bob"}),
        ({"relationship": "never"}, {"Michele", "Anna", "Zoé"}),
    ],
)
def test_each_filter_alone_keeps_the_members_it_names(people, filters, expected):
    if isinstance(filters.get("field_id"), str):
        filters = {**filters, "field_id": people[filters["field_id"]].pk}
    assert kept(people, **filters) == expected
    assert not member_filters_blank(MemberFilters(**filters))


def test_created_after_a_day_keeps_those_who_joined_after_it(people):
    today = timezone.localdate()
    assert kept(people, joined_after=today - datetime.timedelta(days=10)) == {
        "Zoé", "Michele", "Anna", "Charlotte",
    }  # fmt: skip
    # The day itself is not «after» it.
    assert "Zoé" not in kept(people, joined_after=today - datetime.timedelta(days=5))
    assert kept(people, joined_after=today) == set()


def test_the_filters_combine(people):
    sport = people["sport"].pk
    # The manual's example: mentors who like baseball with a profile below 80 %.
    assert kept(people, role=Role.MENTOR, field_id=sport, option="base", completion_below=80) == {
        "Lina"
    }
    assert kept(people, field_id=sport, option="base", active="no") == {"Zoé"}
    assert kept(people, sectors=("Health",), relationship="never") == {"Zoé"}
    assert kept(people, search="b", current_positions=True, activity="30") == {"Bob"}
    assert kept(people, functions=("Nurse",), relationship="ended") == set()


def test_another_organisations_field_keeps_nobody_and_leaks_nothing(people):
    assert kept(people, field_id=people["elsewhere"].pk, option="base") == set()
    assert kept(people, field_id=999_999) == set()


def test_a_value_not_offered_keeps_everybody_rather_than_failing(people):
    assert kept(people, activity="12", relationship="maybe", role="boss") == EVERYONE


def test_distinct_sectors_and_functions_are_the_organisations_own(people, outsider_mentor):
    type(outsider_mentor).objects.filter(pk=outsider_mentor.pk).update(sector="Mining")
    assert distinct_values(organisation_id=people["org"].pk) == {
        "sector": ["Finance", "Health"],
        "function": ["Analyst", "Nurse", "Student"],
    }


# -- saved searches ------------------------------------------------------------------------


def test_a_filter_is_saved_per_administrator_and_a_name_replaces(people):
    admin = people["admin"]
    first = saved_filters.saved_filter_save(actor=admin, name="  Mentors  baseball ", query="a=1")
    assert first.name == "Mentors baseball"
    again = saved_filters.saved_filter_save(actor=admin, name="Mentors baseball", query="b=2")
    assert again.pk == first.pk
    assert SavedMemberFilter.objects.get().query == "b=2"
    other = saved_filters.saved_filter_save(actor=admin, name="Inactive", query="active=no")
    assert [s.name for s in saved_filters.saved_filter_list(owner=admin)] == [
        "Inactive", "Mentors baseball",
    ]  # fmt: skip
    saved_filters.saved_filter_use(actor=admin, saved=first)
    assert saved_filters.saved_filter_list(owner=admin)[0].pk == first.pk
    saved_filters.saved_filter_delete(actor=admin, saved=other)
    assert SavedMemberFilter.objects.count() == 1


def test_recent_searches_compiled_once_read_what_the_orm_reads(people, org, other_org):
    """«Recherches récentes» on PostgreSQL (its query compiled once) and through the ORM
    (SQLite's way): the same names in the same order; nobody else's."""
    from programs.saved_filters import _recent

    admin = people["admin"]
    for n in range(25):  # more than the list shows
        saved_filters.saved_filter_save(actor=admin, name=f"Filter {n:02}", query=f"q={n}")
    colleague = make_member(org, "second@mentor.test", "Sam", "Second", Role.ADMINISTRATOR)
    saved_filters.saved_filter_save(actor=colleague, name="Theirs", query="q=x")
    for owner in (admin, colleague):
        listed = saved_filters.saved_filter_list(owner=owner)
        assert [tuple(s) for s in listed] == list(_recent(owner.pk, owner.organisation_id or 0))
    assert len(saved_filters.saved_filter_list(owner=admin)) == saved_filters.RECENT_SEARCHES
    assert [s.name for s in saved_filters.saved_filter_list(owner=colleague)] == ["Theirs"]
    assert _recent(admin.pk, other_org.pk).count() == 0


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_bad_name_is_refused_and_nothing_saved(people, name):
    with pytest.raises(DomainError):
        saved_filters.saved_filter_save(actor=people["admin"], name=name, query="")
    assert SavedMemberFilter.objects.count() == 0


def test_another_administrator_cannot_use_or_delete_a_saved_filter(people, org, outsider):
    saved = saved_filters.saved_filter_save(actor=people["admin"], name="Mine", query="")
    colleague = make_member(org, "second@mentor.test", "Sam", "Second", Role.ADMINISTRATOR)
    assert list(saved_filters.saved_filter_list(owner=colleague)) == []
    for actor in (colleague, outsider, people["anna"]):
        with pytest.raises(DomainError):
            saved_filters.saved_filter_delete(actor=actor, saved=saved)
        with pytest.raises(DomainError):
            saved_filters.saved_filter_use(actor=actor, saved=saved)
    with pytest.raises(DomainError):
        saved_filters.saved_filter_save(actor=people["anna"], name="Not mine", query="")
    assert SavedMemberFilter.objects.count() == 1
