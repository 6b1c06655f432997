"""An administrator of another organisation gets a 404 for every object of ours."""

from __future__ import annotations

import pytest

from programs import services
from programs.models import RelationshipStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(admin, mentor):
    group = services.group_create(actor=admin, name="Groupe à Mary")
    services.group_set_members(actor=admin, group=group, member_ids=[mentor.pk])
    return group


def test_outsider_gets_404_for_every_object_of_ours(outsider_client, mentor, relationship, group):
    assert outsider_client.get(f"/manage/groups/{group.pk}/").status_code == 404
    assert outsider_client.get(f"/manage/members/{mentor.pk}/").status_code == 404
    assert outsider_client.post(f"/manage/members/{mentor.pk}/", {}).status_code == 404
    assert outsider_client.post(f"/manage/groups/{group.pk}/", {"members": []}).status_code == 404
    assert (
        outsider_client.post(f"/manage/members/{mentor.pk}/active/", {"active": "0"}).status_code
        == 404
    )
    assert outsider_client.post(f"/manage/relationships/{relationship.pk}/end/").status_code == 404
    mentor.refresh_from_db()
    relationship.refresh_from_db()
    assert mentor.is_active
    assert relationship.status == RelationshipStatus.MATCHED
    assert group.members.count() == 1


def test_outsider_lists_never_show_our_people(outsider_client, mentor, mentee, relationship, group):
    for path in ("/manage/members/", "/manage/relationships/", "/manage/groups/", "/manage/"):
        text = outsider_client.get(path).content.decode()
        assert "Anna Carter" not in text, path
        assert "Charlotte" not in text, path
        assert "Groupe à Mary" not in text, path
        assert "Mentor Canada" not in text, path
