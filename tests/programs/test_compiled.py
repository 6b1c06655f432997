"""programs.compiled: a queryset compiled once, its values put in place per call; model
instances built from its rows as the ORM builds them."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.db.models import F, Value

from programs.compiled import CompiledObjects, compile_once, id_array
from programs.models import FieldKind, ProfileField, User
from programs.pagination import IdArray, among
from tests.conftest import make_member


def _people(organisation_id, ids):
    return (
        User.objects.filter(among("pk", ids), organisation_id=organisation_id)
        .order_by("pk")
        .values_list("pk", "email")
    )


def test_the_same_rows_as_the_orm_for_each_call(org, other_org, admin, mentor, mentee):
    outsider = make_member(other_org, "out@elsewhere.test", "Out", "Sider", "mentee")
    query = compile_once(
        lambda organisation_id, ids: _people(organisation_id, IdArray(text=ids, count=1)),
        organisation_id=-1,
        ids=id_array([-1]),
    )
    for ids in ([admin.pk, mentor.pk], [mentee.pk, outsider.pk], [10**12], []):
        expected = list(_people(org.pk, ids))
        assert query.rows(organisation_id=org.pk, ids=id_array(ids)) == expected
    assert query.rows(organisation_id=other_org.pk, ids=id_array([outsider.pk, admin.pk])) == [
        (outsider.pk, outsider.email)
    ]


def test_a_stand_in_must_be_a_parameter_and_no_other_stand_in(db):
    with pytest.raises(ValueError, match="organisation_id's stand-in is none"):
        compile_once(lambda organisation_id: User.objects.filter(pk=1), organisation_id=-1)
    with pytest.raises(ValueError, match="two stand-ins are the same value"):
        compile_once(lambda a, b: User.objects.filter(pk=a, organisation_id=b), a=-1, b=-1)


def test_a_stand_in_used_twice_takes_the_value_in_both_places(org, other_org, admin):
    outsider = make_member(other_org, "out@elsewhere.test", "Out", "Sider", "mentee")

    def colleagues(organisation_id):
        # The organisation twice: in the query and in its subquery.
        same = User.objects.filter(organisation_id=organisation_id).values("pk")
        return User.objects.filter(organisation_id=organisation_id, pk__in=same).values_list("pk")

    query = compile_once(colleagues, organisation_id=-1)
    assert len(query.places["organisation_id"]) == 2
    for organisation in (org, other_org):
        assert sorted(query.rows(organisation_id=organisation.pk)) == sorted(
            colleagues(organisation.pk)
        )
    assert (outsider.pk,) in query.rows(organisation_id=other_org.pk)
    assert (admin.pk,) not in query.rows(organisation_id=other_org.pk)


def test_ids_are_written_as_an_array_of_integers():
    assert id_array([3, 1, 2]) == "{3,1,2}"
    assert id_array([]) == "{}"
    with pytest.raises(ValueError):
        id_array(["1); DROP TABLE programs_user; --"])  # type: ignore[list-item]


def _field_values(obj):
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _with_organisation(pk):
    return User.objects.select_related("organisation").filter(pk=pk)


def test_objects_are_the_orms_with_their_related_row(
    org, other_org, admin, mentor, django_assert_num_queries
):
    staff = User.objects.create_user("sam@tandem.test", "pw", first_name="Sam", is_staff=True)
    query = CompiledObjects(_with_organisation, pk=-1)
    for person in (admin, mentor, staff):
        expected = _with_organisation(person.pk).get()
        with django_assert_num_queries(1):
            (found,) = cast(list[User], query.objects(pk=person.pk))
            # The organisation came in the same row (None for staff, who have none).
            organisation = found.organisation
        assert type(found) is User and found._state.db == "default" and not found._state.adding
        assert _field_values(found) == _field_values(expected)
        if expected.organisation is None:
            assert organisation is None
        else:
            assert _field_values(organisation) == _field_values(expected.organisation)
    assert query.objects(pk=10**12) == []


def test_objects_keep_deferred_fields_and_decode_their_columns(org, other_org):
    options = [{"id": "a", "en": "Health", "fr": "Santé"}, {"id": "b", "en": "Arts", "fr": "Arts"}]
    ProfileField.objects.create(
        organisation=org, name_en="Sector", kind=FieldKind.SINGLE, options=options
    )
    ProfileField.objects.create(organisation=org, name_en="Newcomer", kind=FieldKind.YES_NO)
    ProfileField.objects.create(organisation=other_org, name_en="Theirs", kind=FieldKind.SINGLE)

    def choices(organisation_id):
        return (
            ProfileField.objects.filter(
                organisation_id=organisation_id, kind__in=["single", "yes_no"]
            )
            .only("id", "name_en", "options")
            .order_by("pk")
        )

    query = CompiledObjects(choices, organisation_id=-1)
    found = cast(list[ProfileField], query.objects(organisation_id=org.pk))
    expected = list(choices(org.pk))
    assert [f.pk for f in found] == [f.pk for f in expected] and len(found) == 2
    for mine, theirs in zip(found, expected, strict=True):
        assert mine.get_deferred_fields() == theirs.get_deferred_fields() != set()
        assert (mine.name_en, mine.options) == (theirs.name_en, theirs.options)
    assert found[0].options == options  # the JSON column decoded, as the ORM does


def test_objects_carry_their_annotations(org, admin, mentor):
    def annotated(organisation_id):
        return User.objects.filter(organisation_id=organisation_id).annotate(
            one=Value(1), twice=F("pk") * 2
        )

    query = CompiledObjects(annotated, organisation_id=-1)
    found: list[Any] = sorted(query.objects(organisation_id=org.pk), key=lambda u: u.pk)
    assert [(u.pk, u.one, u.twice) for u in found] == [
        (u.pk, 1, 2 * u.pk) for u in annotated(org.pk).order_by("pk")
    ]
