"""programs.compiled: a queryset compiled once, its values put in place per call."""

from __future__ import annotations

import pytest

from programs.compiled import compile_once, id_array
from programs.models import User
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


def test_a_stand_in_must_be_one_parameter(db):
    with pytest.raises(ValueError, match="organisation_id's stand-in is 0"):
        compile_once(lambda organisation_id: User.objects.filter(pk=1), organisation_id=-1)
    with pytest.raises(ValueError, match="pk's stand-in is 2"):
        compile_once(lambda pk: User.objects.filter(pk=pk).exclude(organisation_id=pk), pk=-1)


def test_ids_are_written_as_an_array_of_integers():
    assert id_array([3, 1, 2]) == "{3,1,2}"
    assert id_array([]) == "{}"
    with pytest.raises(ValueError):
        id_array(["1); DROP TABLE programs_user; --"])  # type: ignore[list-item]
