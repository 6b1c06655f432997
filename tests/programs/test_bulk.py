"""programs.bulk.copy_create: what bulk_create writes, streamed with COPY."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from programs.bulk import copy_create
from programs.models import FieldKind, ProfileField, ProfileFieldValue, Role, User


def member(org, n: int, **more) -> User:
    return User(
        email=f"copy{n}@example.com",
        password="!unusable",
        organisation=org,
        role=Role.MENTEE,
        first_name=f"Zoë «{n}»",
        last_name="O'Brien \\ \t tab\nline",
        language="fr",
        time_zone="America/Toronto",
        **more,
    )


@pytest.mark.django_db
def test_rows_are_those_bulk_create_writes_with_their_ids(org):
    copied = copy_create(User, [member(org, 1), member(org, 2, city="Montréal")])
    made = User.objects.bulk_create([member(org, 3), member(org, 4, city="Montréal")])
    assert all(user.pk for user in copied) and not copied[0]._state.adding
    for ours, theirs in zip(copied, made, strict=True):
        ours_row = model_to_dict(
            User.objects.get(pk=ours.pk), exclude=["id", "email", "first_name"]
        )
        theirs_row = model_to_dict(
            User.objects.get(pk=theirs.pk), exclude=["id", "email", "first_name"]
        )
        ours_row.pop("date_joined"), theirs_row.pop("date_joined")
        assert ours_row == theirs_row
    assert User.objects.get(pk=copied[1].pk).last_name == "O'Brien \\ \t tab\nline"


@pytest.mark.django_db
def test_json_values_and_an_empty_list(org):
    user = copy_create(User, [member(org, 5)])[0]
    fields = [
        ProfileField.objects.create(organisation=org, name_en=f"F{n}", kind=FieldKind.TEXT)
        for n in range(3)
    ]
    values = ['a "quoted" \\ value', ["x", "y"], True]
    copy_create(
        ProfileFieldValue,
        [
            ProfileFieldValue(field=f, user=user, value=v)
            for f, v in zip(fields, values, strict=True)
        ],
    )
    stored = dict(ProfileFieldValue.objects.filter(user=user).values_list("field_id", "value"))
    assert stored == {f.pk: v for f, v in zip(fields, values, strict=True)}
    assert copy_create(ProfileFieldValue, []) == []


@pytest.mark.django_db
def test_a_taken_address_raises_integrity_error_and_writes_nothing(org):
    copy_create(User, [member(org, 6)])
    before = User.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_create(User, [member(org, 7), member(org, 6)])
    assert User.objects.count() == before
