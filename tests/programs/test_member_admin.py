"""What an administrator does to people: add, resend login information, change a role,
deactivate and reactivate («Date de fin»), name a member administrator — each audited."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from programs import services
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import AuditEntry, MemberGroup, Role, User
from realtime.groups import org_admins_group
from realtime.testing import capture_events

pytestmark = pytest.mark.django_db(transaction=True)


def add(admin, **extra) -> User:
    fields = {
        "email": "Paul.Added@Example.org",
        "first_name": "Paul",
        "last_name": "Added",
        "role": Role.MENTOR,
        "language": "fr",
        "time_zone": "Europe/Paris",
        **extra,
    }
    return services.member_add(actor=admin, **fields)


def test_an_added_member_gets_login_information_and_no_password(admin, org):
    group = MemberGroup.objects.create(organisation=org, name="Cohorte 2026")
    mail.outbox.clear()
    with capture_events() as sent:
        user = add(admin, group_ids=[group.pk])
    user.refresh_from_db()
    assert user.email == "paul.added@example.org" and user.organisation_id == org.pk
    assert not user.has_usable_password() and user.language == "fr"
    assert list(user.member_groups.all()) == [group]
    assert [s for s in sent if s.event == "members.added"] == [
        (org_admins_group(org.pk), "members.added", {"ids": [user.pk]})
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Votre compte de mentorat Mentor Canada"
    assert "/welcome/" in str(message.body)
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ADD)
    assert entry.actor_id == admin.pk and entry.target_id == user.pk
    assert entry.details == {"role": "mentor", "groups": ["Cohorte 2026"]}


@pytest.mark.parametrize(
    "extra",
    [
        {"email": "oscar@elsewhere.test"},  # an account in another organisation
        {"role": "boss"},
        {"language": "de"},
        {"time_zone": "Mars/Olympus"},
        {"group_ids": [-1]},
    ],
)
def test_bad_input_adds_nobody(admin, outsider, extra):
    before = (User.objects.count(), AuditEntry.objects.count())
    mail.outbox.clear()
    with pytest.raises(DomainError):
        add(admin, **extra)
    assert (User.objects.count(), AuditEntry.objects.count()) == before
    assert mail.outbox == []


def test_another_organisations_group_cannot_be_given(admin, other_org):
    theirs = MemberGroup.objects.create(organisation=other_org, name="Theirs")
    with pytest.raises(DomainError):
        add(admin, group_ids=[theirs.pk])
    assert not User.objects.filter(email="paul.added@example.org").exists()


def test_a_mentor_cannot_add_members(mentor):
    with pytest.raises(DomainError) as refused:
        add(mentor)
    assert refused.value.code == "forbidden"


def test_login_information_is_sent_again_and_audited(admin, mentee, outsider):
    mail.outbox.clear()
    services.member_login_information_resend(actor=admin, member=mentee)
    assert len(mail.outbox) == 1 and "/welcome/" in str(mail.outbox[0].body)
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_INVITE, target_id=mentee.pk).exists()
    with pytest.raises(DomainError) as refused:
        services.member_login_information_resend(actor=outsider, member=mentee)
    assert refused.value.code == "not_found"
    assert len(mail.outbox) == 1


def test_a_role_change_is_refused_while_a_relationship_is_open(admin, mentor, mentee):
    relationship = services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
    with pytest.raises(DomainError, match="open relationship"):
        services.member_change_role(actor=admin, member=mentor, role=Role.MENTEE)
    mentor.refresh_from_db()
    assert mentor.role == Role.MENTOR
    assert not AuditEntry.objects.filter(action=AuditAction.MEMBER_ROLE).exists()

    services.relationship_end(actor=admin, relationship=relationship)
    changed = services.member_change_role(actor=admin, member=mentor, role=Role.MENTEE)
    assert changed.role == Role.MENTEE
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ROLE)
    assert entry.details == {"old": "mentor", "new": "mentee"}


def test_only_mentors_and_mentees_swap_roles(admin, mentor):
    with pytest.raises(DomainError):
        services.member_change_role(actor=admin, member=mentor, role=Role.ADMINISTRATOR)
    with pytest.raises(DomainError):
        services.member_change_role(actor=admin, member=admin, role=Role.MENTOR)
    assert User.objects.get(pk=mentor.pk).role == Role.MENTOR


def test_deactivating_sets_the_end_date_and_reactivating_clears_it(admin, mentor):
    # 23:30 in Toronto on 1 March is already 2 March in UTC: the end date is Toronto's day.
    toronto = zoneinfo.ZoneInfo("America/Toronto")
    late = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=toronto)
    with time_machine.travel(late, tick=False), timezone.override(toronto):
        services.member_set_active(actor=admin, member=mentor, active=False)
    mentor.refresh_from_db()
    assert mentor.ended_at == datetime.date(2026, 3, 1)
    services.member_set_active(actor=admin, member=mentor, active=True)
    mentor.refresh_from_db()
    assert mentor.ended_at is None
    actions = list(
        AuditEntry.objects.filter(target_id=mentor.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.MEMBER_DEACTIVATE, AuditAction.MEMBER_REACTIVATE]


def test_naming_a_member_administrator_is_audited(admin, mentee):
    services.member_set_administrator(actor=admin, member=mentee, administrator=admin)
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ADMINISTRATOR)
    assert entry.details == {"old": "", "new": admin.full_name}
    # The same choice again changes (and records) nothing.
    services.member_set_administrator(actor=admin, member=mentee, administrator=admin)
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_ADMINISTRATOR).count() == 1
