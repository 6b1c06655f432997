"""What the programs services announce live, asserted without a socket."""

from __future__ import annotations

import pytest
from django.utils import timezone

from programs import selectors, services
from programs.errors import DomainError
from realtime.groups import org_admins_group, user_group
from realtime.testing import capture_events

# Each service call commits for real, as in a request: the once-per-transaction events
# of one call are then not mistaken for those of the next.
pytestmark = pytest.mark.django_db(transaction=True)


def counts(admin) -> dict[str, int]:
    return selectors.dashboard_counts(organisation_id=admin.organisation_id)


def named(sent, *names: str) -> list:
    return [s for s in sent if s.event in names]


def test_matching_and_ending_update_the_admins_tiles_once(admin, mentor, mentee):
    admins = org_admins_group(admin.organisation_id)
    with capture_events() as sent:
        relationship = services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
    assert named(sent, "counts.changed") == [(admins, "counts.changed", counts(admin))]
    assert counts(admin)["relationships"] == 1
    # Both people are told in their bell.
    assert {s.group for s in named(sent, "bell.set")} == {
        user_group(mentor.pk),
        user_group(mentee.pk),
    }

    with capture_events() as sent:
        services.relationship_end(actor=admin, relationship=relationship)
    assert named(sent, "counts.changed") == [(admins, "counts.changed", counts(admin))]
    assert counts(admin)["relationships"] == 0


def test_deactivating_a_member_unticks_actif_and_closes_their_pages(admin, mentor):
    admins = org_admins_group(admin.organisation_id)
    with capture_events() as sent:
        services.member_set_active(actor=admin, member=mentor, active=False)
    today = timezone.localdate().isoformat()
    assert sent == [
        (admins, "member.updated", {"id": mentor.pk, "active": False, "ended_on": today}),
        (user_group(mentor.pk), "sockets.close", {"code": 4403}),
        (admins, "counts.changed", counts(admin)),
    ]

    with capture_events() as sent:
        services.member_set_active(actor=admin, member=mentor, active=True)
    # Reactivation closes nothing.
    assert [s.event for s in sent] == ["member.updated", "counts.changed"]
    assert sent[0].data == {"id": mentor.pk, "active": True, "ended_on": None}


def test_a_refused_change_announces_nothing(admin):
    with capture_events() as sent, pytest.raises(DomainError, match="deactivate your own"):
        services.member_set_active(actor=admin, member=admin, active=False)
    assert sent == []
