from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from programs import selectors, services
from programs.errors import DomainError
from programs.models import Relationship, RelationshipStatus, Role, User
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_admin_matches_a_mentor_and_a_mentee(admin, mentor, mentee):
    relationship = services.relationship_match(
        actor=admin, mentor=mentor, mentee=mentee, relationship_administrator=admin
    )
    assert relationship.status == RelationshipStatus.MATCHED
    assert relationship.organisation_id == admin.organisation_id
    assert relationship.started_at is not None
    assert selectors.dashboard_counts(organisation_id=admin.organisation_id)["relationships"] == 1


@pytest.mark.parametrize(
    "swap, message",
    [
        ("roles", "is not a mentor"),
        ("same", "cannot be matched with themselves"),
    ],
)
def test_match_refuses_wrong_people(admin, mentor, mentee, swap, message):
    pair = {"roles": (mentee, mentor), "same": (mentor, mentor)}[swap]
    with pytest.raises(DomainError, match=message):
        services.relationship_match(actor=admin, mentor=pair[0], mentee=pair[1])
    assert Relationship.objects.count() == 0


def test_match_refuses_another_organisations_member(admin, mentee, outsider_mentor):
    with pytest.raises(DomainError) as error:
        services.relationship_match(actor=admin, mentor=outsider_mentor, mentee=mentee)
    assert error.value.code == "not_found"
    assert Relationship.objects.count() == 0


def test_match_refuses_a_deactivated_member_and_a_duplicate(admin, mentor, mentee):
    mentee.is_active = False
    mentee.save()
    with pytest.raises(DomainError, match="deactivated"):
        services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
    mentee.is_active = True
    mentee.save()
    services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
    with pytest.raises(DomainError, match="already matched"):
        services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
    assert Relationship.objects.count() == 1


def test_only_an_admin_of_the_organisation_may_match(mentor, mentee, outsider):
    with pytest.raises(DomainError):
        services.relationship_match(actor=mentor, mentor=mentor, mentee=mentee)
    with pytest.raises(DomainError):
        services.relationship_match(actor=outsider, mentor=mentor, mentee=mentee)
    assert Relationship.objects.count() == 0


def test_ending_a_relationship_completes_it_once(admin, relationship):
    ended = services.relationship_end(actor=admin, relationship=relationship)
    assert ended.status == RelationshipStatus.COMPLETED
    assert ended.ended_at is not None
    with pytest.raises(DomainError, match="already ended"):
        services.relationship_end(actor=admin, relationship=ended)
    # Once ended, the pair can be matched again.
    services.relationship_match(actor=admin, mentor=relationship.mentor, mentee=relationship.mentee)


def test_database_refuses_a_self_match(org, mentor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(
            organisation=org, mentor=mentor, mentee=mentor, status=RelationshipStatus.MATCHED
        )


def test_database_refuses_a_relationship_across_organisations(org, mentor, outsider_mentor):
    assert connection.vendor == "postgresql"
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(
            organisation=org,
            mentor=mentor,
            mentee=outsider_mentor,
            status=RelationshipStatus.MATCHED,
        )


def test_database_refuses_a_member_without_organisation(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("x@y.test", "pw", first_name="X", last_name="Y", role=Role.MENTOR)


def test_deactivate_and_reactivate(admin, mentor):
    services.member_set_active(actor=admin, member=mentor, active=False)
    mentor.refresh_from_db()
    assert not mentor.is_active
    services.member_set_active(actor=admin, member=mentor, active=True)
    mentor.refresh_from_db()
    assert mentor.is_active


def test_admin_cannot_deactivate_themselves_nor_outsiders(admin, outsider):
    with pytest.raises(DomainError, match="your own account"):
        services.member_set_active(actor=admin, member=admin, active=False)
    with pytest.raises(DomainError):
        services.member_set_active(actor=admin, member=outsider, active=False)
    outsider.refresh_from_db()
    assert outsider.is_active


def test_member_create_refuses_duplicates_and_unknown_roles(org, mentor):
    with pytest.raises(DomainError, match="already exists"):
        services.member_create(
            organisation=org, email="ANNA@mentor.test", first_name="A", last_name="C", role="mentor"
        )
    with pytest.raises(DomainError, match="Unknown role"):
        services.member_create(
            organisation=org, email="new@mentor.test", first_name="N", last_name="W", role="boss"
        )
    assert not User.objects.filter(email="new@mentor.test").exists()


def test_preferences_reject_unknown_values(mentor):
    with pytest.raises(DomainError):
        services.member_set_preferences(user=mentor, language="de")
    with pytest.raises(DomainError):
        services.member_set_preferences(user=mentor, time_zone="Mars/Olympus")
    services.member_set_preferences(user=mentor, language="fr", time_zone="Europe/Paris")
    mentor.refresh_from_db()
    assert (mentor.language, mentor.time_zone) == ("fr", "Europe/Paris")


def test_groups_take_only_members_of_the_organisation(admin, mentor, mentee, outsider_mentor):
    group = services.group_create(actor=admin, name="Groupe à Mary")
    with pytest.raises(DomainError, match="already exists"):
        services.group_create(actor=admin, name="groupe à mary")
    with pytest.raises(DomainError, match="not members"):
        services.group_set_members(
            actor=admin, group=group, member_ids=[mentor.pk, outsider_mentor.pk]
        )
    assert group.members.count() == 0
    services.group_set_members(actor=admin, group=group, member_ids=[mentor.pk, mentee.pk])
    assert set(group.members.all()) == {mentor, mentee}


def test_profile_completion_counts_the_fields_of_the_members_role(org):
    from programs.completion import completion_of, completion_store
    from programs.profiles import builtin_fields_for

    member = make_member(org, "p@mentor.test", "Pat", "Doe", Role.MENTEE)
    counted = [field for field in builtin_fields_for(Role.MENTEE) if field.counts]
    assert "goals" in {f.name for f in counted} and "max_mentees" not in {f.name for f in counted}
    # The two names are filled.
    assert completion_store(user_ids=[member.pk]) == {member.pk: round(100 * 2 / len(counted))}
    member.job_title = "Engineer"
    member.city = "Montréal"
    member.save()
    assert completion_of(member, []) == round(100 * 4 / len(counted))
    assert completion_store(user_ids=[member.pk]) == {member.pk: round(100 * 4 / len(counted))}
    assert completion_store(user_ids=[member.pk]) == {}  # nothing changed the second time


@pytest.mark.django_db(transaction=True)
def test_matching_and_ending_tell_both_people_in_their_language(admin, mentor, mentee):
    from django.core import mail

    from notifications.models import Notification

    relationship = services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
    bell = {n.user_id: n for n in Notification.objects.all()}
    assert bell[mentor.pk].title_en == "You have been matched with Charlotte Test"
    assert bell[mentee.pk].title_fr == "Votre jumelage avec Anna Carter est confirmé"
    subjects = {m.to[0].split("<")[1].rstrip(">"): m.subject for m in mail.outbox}
    assert subjects == {
        mentor.email: "You have been matched with Charlotte Test",
        mentee.email: "Votre jumelage avec Anna Carter est confirmé",
    }
    mail.outbox.clear()
    services.relationship_end(actor=admin, relationship=relationship)
    assert {m.subject for m in mail.outbox} == {
        "Your mentoring relationship has ended",
        "Votre relation de mentorat est terminée",
    }
    assert Notification.objects.filter(title_en__startswith="Your relationship with").count() == 2
