from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from programs.models import MemberGroup, Organisation, Relationship, User

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_mentor_canada_once():
    call_command("seed_demo", stdout=StringIO())
    counts = (User.objects.count(), Relationship.objects.count(), MemberGroup.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (
        User.objects.count(),
        Relationship.objects.count(),
        MemberGroup.objects.count(),
    ) == counts

    org = Organisation.objects.get(slug="mentor-canada")
    assert org.name_en == "Mentor Canada"
    michele = User.objects.get(email="michele.mantero@mentoringcanada.ca")
    assert michele.is_org_admin and michele.language == "fr"
    anna = User.objects.get(first_name="Anna", last_name="Carter")
    charlotte = User.objects.get(first_name="Charlotte", last_name="Test")
    assert Relationship.objects.filter(mentor=anna, mentee=charlotte, status="matched").exists()
    assert Relationship.objects.filter(status="completed").count() == 1
    # The source's release note sits in every administrator's bell, once.
    from notifications.models import Notification

    assert Notification.objects.filter(user=michele, release_note__isnull=False).count() == 1
    # Meetings: everyone has availability; three pairs have a weekly series of four.
    from scheduling.models import Meeting, MeetingSeries

    assert MeetingSeries.objects.count() == 3
    assert Meeting.objects.count() == 12
    assert Meeting.objects.filter(
        relationship__mentor=anna, relationship__mentee=charlotte
    ).exists()
    for name in (
        "Shawn Mintz",
        "Bae Mintz",
        "Mary Smith",
        "William Johnson",
        "Kerrie Test",
        "Amy Test",
        "Nicholas Johnson",
        "Luca Smith",
    ):
        first, last = name.split()
        assert User.objects.filter(first_name=first, last_name=last, organisation=org).exists(), (
            name
        )
