"""Profiles, custom fields, «Recalculer valeur du profil» and the profile reminder
(programs.profile_services, profile_fields, completion_recalculation,
profile_reminders), against the real database and the event catalogue."""

from __future__ import annotations

import pytest

from notifications.models import EmailLog
from programs import completion_recalculation as cr
from programs import profile_fields as pf
from programs import profile_reminders as pr
from programs import profile_services as ps
from programs.completion import completion_compute
from programs.errors import DomainError
from programs.models import (
    AuditEntry,
    CompletionRecalculation,
    FieldKind,
    ProfileField,
    ProfileFieldValue,
    RecalculationStatus,
    Role,
    User,
)
from realtime.groups import org_admins_group
from realtime.testing import capture_events
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def single(admin, **extra) -> ProfileField:
    data = {
        "name_en": "Preferred pronouns",
        "name_fr": "Votre pronom",
        "kind": FieldKind.SINGLE,
        "for_mentors": True,
        "for_mentees": True,
        "options": [("He/Him", "Il/Lui"), ("She/Her", "Elle"), ("They/Them", "")],
        **extra,
    }
    return pf.field_save(actor=admin, data=pf.FieldData(**data))


def field_of(admin, kind: str, **extra) -> ProfileField:
    return pf.field_save(
        actor=admin,
        data=pf.FieldData(
            name_en=f"A {kind}", kind=kind, for_mentors=True, for_mentees=True, **extra
        ),
    )


def rows() -> tuple[int, int, int, int]:
    return (
        ProfileField.objects.count(),
        ProfileFieldValue.objects.count(),
        AuditEntry.objects.count(),
        CompletionRecalculation.objects.count(),
    )


# -- profile_update ----------------------------------------------------------------------


def test_a_member_saves_their_profile_and_the_answers_are_stored(admin, mentor):
    pronouns = single(admin)
    he = pronouns.options[0]["id"]
    ps.profile_update(
        actor=mentor, member=mentor, builtin={"job_title": " Chemist "}, custom={pronouns.pk: he}
    )
    mentor.refresh_from_db()
    assert mentor.job_title == "Chemist"
    assert ProfileFieldValue.objects.get(user=mentor, field=pronouns).value == he
    # Emptied: the answer goes.
    ps.profile_update(actor=mentor, member=mentor, builtin={}, custom={pronouns.pk: ""})
    assert not ProfileFieldValue.objects.filter(user=mentor).exists()
    # A member editing themselves is not an administrator's action: not audited.
    assert not AuditEntry.objects.filter(action="member.edit").exists()


@pytest.mark.parametrize(
    ("kind", "options", "bad"),
    [
        (FieldKind.SINGLE, [("Yes", "")], "not-an-option"),
        (FieldKind.MULTIPLE, [("A", ""), ("B", "")], ["nope"]),
        (FieldKind.DATE, [], "2026-02-30"),
        (FieldKind.DATE, [], "tomorrow"),
        (FieldKind.YES_NO, [], "maybe"),
        (FieldKind.TEXT, [], "x" * 2001),
    ],
)
def test_a_value_the_field_cannot_hold_is_refused_and_nothing_is_written(
    admin, mentor, kind, options, bad
):
    field = field_of(admin, kind, options=options)
    before = rows()
    with pytest.raises(DomainError):
        ps.profile_update(
            actor=mentor, member=mentor, builtin={"city": "Ottawa"}, custom={field.pk: bad}
        )
    assert rows() == before
    mentor.refresh_from_db()
    assert mentor.city == ""


def test_each_kind_stores_its_own_form(admin, mentor):
    multiple = field_of(admin, FieldKind.MULTIPLE, options=[("A", ""), ("B", ""), ("C", "")])
    a, b, c = (option["id"] for option in multiple.options)
    date = field_of(admin, FieldKind.DATE)
    yes_no = field_of(admin, FieldKind.YES_NO)
    ps.profile_update(
        actor=mentor,
        member=mentor,
        builtin={"years_of_experience": "12"},
        custom={multiple.pk: [c, a], date.pk: "2026-03-01", yes_no.pk: False},
    )
    answers = dict(ProfileFieldValue.objects.filter(user=mentor).values_list("field_id", "value"))
    assert answers == {multiple.pk: [a, c], date.pk: "2026-03-01", yes_no.pk: False}
    mentor.refresh_from_db()
    assert mentor.years_of_experience == 12


def test_a_required_field_left_empty_is_refused(admin, mentor):
    field = field_of(admin, FieldKind.TEXT, required=True)
    before = rows()
    with pytest.raises(DomainError, match="required"):
        ps.profile_update(actor=mentor, member=mentor, builtin={}, custom={field.pk: "  "})
    with pytest.raises(DomainError, match="required"):
        ps.profile_update(actor=mentor, member=mentor, builtin={"first_name": ""}, custom={})
    assert rows() == before


def test_administrators_only_fields_are_not_the_members_to_change(admin, mentor):
    secret = field_of(admin, FieldKind.TEXT, admin_only=True)
    hidden = field_of(admin, FieldKind.TEXT, in_profile=False)
    mentees_only = pf.field_save(
        actor=admin,
        data=pf.FieldData(
            name_en="Goals", kind=FieldKind.TEXT, for_mentors=False, for_mentees=True
        ),
    )
    assert ps.fields_editable(actor=mentor, member=mentor) == []
    for field in (secret, hidden, mentees_only):
        with pytest.raises(DomainError):
            ps.profile_update(actor=mentor, member=mentor, builtin={}, custom={field.pk: "mine"})
    # A built-in field of the other role is refused as well.
    with pytest.raises(DomainError):
        ps.profile_update(actor=mentor, member=mentor, builtin={"goals": "x"}, custom={})
    assert not ProfileFieldValue.objects.exists()
    # The administrator may fill the administrators' field; audited with its name.
    ps.profile_update(actor=admin, member=mentor, builtin={}, custom={secret.pk: "noted"})
    entry = AuditEntry.objects.get(action="member.edit")
    assert entry.target_id == mentor.pk and entry.details == {"fields": ["A text"]}


def test_another_organisations_member_cannot_be_edited(outsider, mentor, mentee):
    with pytest.raises(DomainError) as refused:
        ps.profile_update(actor=outsider, member=mentor, builtin={"city": "X"}, custom={})
    assert refused.value.code == "not_found"
    with pytest.raises(DomainError) as refused:
        ps.profile_update(actor=mentee, member=mentor, builtin={"city": "X"}, custom={})
    assert refused.value.code == "forbidden"
    mentor.refresh_from_db()
    assert mentor.city == ""


def test_saving_changes_the_completion_and_tells_only_this_programs_admins(
    admin, mentor, outsider, django_capture_on_commit_callbacks
):
    before = mentor.profile_completion
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        member = ps.profile_update(
            actor=mentor,
            member=mentor,
            builtin={"job_title": "Chemist", "company": "ProLab", "city": "Ottawa"},
            custom={},
        )
    expected = completion_compute([User.objects.get(pk=mentor.pk)])[mentor.pk]
    assert member.profile_completion == expected > before
    assert sent == [
        (
            org_admins_group(admin.organisation_id),
            "member.completion",
            {"figures": [[mentor.pk, expected]]},
        )
    ]
    assert all(s.group != org_admins_group(outsider.organisation_id) for s in sent)
    # Saving the same again changes no figure: nothing is announced.
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        ps.profile_update(actor=mentor, member=mentor, builtin={"city": "Ottawa"}, custom={})
    assert sent == []


# -- custom fields -------------------------------------------------------------------------


def test_editing_options_keeps_their_ids(admin):
    field = single(admin)
    he, she, they = (option["id"] for option in field.options)
    field = pf.field_save(
        actor=admin,
        field=field,
        data=pf.FieldData(
            name_en="Preferred pronouns",
            kind=FieldKind.SINGLE,
            for_mentors=True,
            for_mentees=True,
            # Reordered, one renamed in place (same position, old text gone), one added.
            options=[
                ("She/Her", "Elle/Elle"),
                ("He/Him", "Il/Lui"),
                ("They/Them (any)", ""),
                ("Ze", ""),
            ],
        ),
    )
    ids = [option["id"] for option in field.options]
    assert ids[:3] == [she, he, they]
    assert ids[3] not in {he, she, they}
    assert field.options[0]["fr"] == "Elle/Elle"
    assert AuditEntry.objects.filter(action="field.edit").count() == 1


def test_removing_an_option_in_use_needs_a_confirmation_then_deletes_its_answers(
    admin, mentor, mentee
):
    field = single(admin)
    he, she, _they = (option["id"] for option in field.options)
    ps.profile_update(actor=mentor, member=mentor, builtin={}, custom={field.pk: he})
    ps.profile_update(actor=mentee, member=mentee, builtin={}, custom={field.pk: she})
    data = pf.FieldData(
        name_en="Preferred pronouns",
        kind=FieldKind.SINGLE,
        for_mentors=True,
        for_mentees=True,
        options=[("She/Her", ""), ("They/Them", "")],
    )
    before = rows()
    with pytest.raises(DomainError) as refused:
        pf.field_save(actor=admin, field=field, data=data)
    assert refused.value.code == "confirm"
    assert rows() == before
    pf.field_save(actor=admin, field=field, data=data, confirm_removals=True)
    assert list(ProfileFieldValue.objects.values_list("user_id", "value")) == [(mentee.pk, she)]


def test_a_multiple_choice_answer_loses_only_the_removed_option(admin, mentor):
    field = field_of(admin, FieldKind.MULTIPLE, options=[("A", ""), ("B", "")])
    a, b = (option["id"] for option in field.options)
    ps.profile_update(actor=mentor, member=mentor, builtin={}, custom={field.pk: [a, b]})
    pf.field_save(
        actor=admin,
        field=field,
        data=pf.FieldData(
            name_en="A multiple", kind=FieldKind.MULTIPLE, for_mentors=True, for_mentees=True,
            options=[("B", "")],
        ),
        confirm_removals=True,
    )  # fmt: skip
    assert ProfileFieldValue.objects.get().value == [b]


def test_the_type_of_an_answered_field_cannot_change(admin, mentor):
    field = field_of(admin, FieldKind.TEXT)
    ps.profile_update(actor=mentor, member=mentor, builtin={}, custom={field.pk: "x"})
    before = rows()
    with pytest.raises(DomainError, match="type cannot change"):
        pf.field_save(
            actor=admin,
            field=field,
            data=pf.FieldData(
                name_en="A text", kind=FieldKind.DATE, for_mentors=True, for_mentees=True
            ),
        )
    assert rows() == before
    assert ProfileField.objects.get().kind == FieldKind.TEXT


@pytest.mark.parametrize(
    "data",
    [
        pf.FieldData(name_en=" ", kind=FieldKind.TEXT, for_mentors=True, for_mentees=True),
        pf.FieldData(name_en="X", kind="colour", for_mentors=True, for_mentees=True),
        pf.FieldData(name_en="X", kind=FieldKind.TEXT, for_mentors=False, for_mentees=False),
        pf.FieldData(name_en="X", kind=FieldKind.SINGLE, for_mentors=True, for_mentees=True),
        pf.FieldData(
            name_en="X", kind=FieldKind.SINGLE, for_mentors=True, for_mentees=True,
            options=[("A", ""), ("a", "")],
        ),
        pf.FieldData(
            name_en="X", kind=FieldKind.TEXT, for_mentors=True, for_mentees=True, options=[("A", "")]
        ),
    ],
    ids=["no name", "unknown type", "no role", "no option", "same option twice", "options on text"],
)  # fmt: skip
def test_a_bad_field_is_refused_and_nothing_is_written(admin, data):
    before = rows()
    with pytest.raises(DomainError):
        pf.field_save(actor=admin, data=data)
    assert rows() == before


def test_fields_are_for_this_programs_administrators_only(admin, mentor, outsider):
    field = single(admin)
    data = pf.FieldData(name_en="Mine", kind=FieldKind.TEXT, for_mentors=True, for_mentees=True)
    before = rows()
    for actor, code in ((outsider, "not_found"), (mentor, "forbidden")):
        for act in (
            lambda a: pf.field_save(actor=a, data=data, field=field),
            lambda a: pf.field_delete(actor=a, field=field),
            lambda a: pf.field_move(actor=a, field=field, direction="down"),
        ):
            with pytest.raises(DomainError) as refused:
                act(actor)
            assert refused.value.code == code
    with pytest.raises(DomainError):
        pf.field_save(actor=mentor, data=data)
    assert rows() == before
    # The outsider's own field lands in their organisation, not ours.
    pf.field_save(actor=outsider, data=data)
    assert ProfileField.objects.filter(organisation_id=admin.organisation_id).count() == 1


def test_moving_and_deleting_fields(admin, mentor):
    first, second, third = (field_of(admin, kind) for kind in ("text", "date", "yes_no"))
    pf.field_move(actor=admin, field=third, direction="up")
    assert list(ProfileField.objects.values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    pf.field_move(actor=admin, field=first, direction="up")  # already first: nothing moves
    assert list(ProfileField.objects.values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    with pytest.raises(DomainError):
        pf.field_move(actor=admin, field=first, direction="sideways")
    ps.profile_update(actor=mentor, member=mentor, builtin={}, custom={first.pk: "x"})
    assert pf.field_delete(actor=admin, field=first) == 1
    assert not ProfileFieldValue.objects.exists()
    entry = AuditEntry.objects.get(action="field.delete")
    assert entry.count == 1 and entry.target_label == "A text"


# -- «Recalculer valeur du profil» ----------------------------------------------------


def test_recalculation_brings_figures_up_to_date_with_progress(
    admin, mentor, mentee, outsider_mentor, django_capture_on_commit_callbacks, monkeypatch
):
    from programs.completion import completion_store

    completion_store(user_ids=[admin.pk, mentor.pk, mentee.pk, outsider_mentor.pk])
    mentor.refresh_from_db()
    single(admin)  # a new field: the stored figures are now stale
    stale = mentor.profile_completion
    monkeypatch.setattr(cr, "RECALCULATION_BATCH", 2)
    # The job is queued after commit; run here by hand, as a worker would, to watch it.
    with django_capture_on_commit_callbacks() as first:
        run = cr.completion_recalculate_start(actor=admin)
    with django_capture_on_commit_callbacks() as second:
        again = cr.completion_recalculate_start(actor=admin)  # joins the run under way
    assert again.pk == run.pk and run.total == 3
    assert len(first) == 2 and second == []  # progress + the job; nothing the second time
    entry = AuditEntry.objects.get(action="completion.recalculate")
    assert entry.count == 3

    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        assert cr.completion_recalculate_run(run_id=run.pk) == "done"
    mentor.refresh_from_db()
    assert mentor.profile_completion < stale
    assert mentor.profile_completion == completion_compute([mentor])[mentor.pk]
    admins = org_admins_group(admin.organisation_id)
    progress = [s.data for s in sent if s.event == "job.progress"]
    assert [(p["done"], p["total"], p["state"]) for p in progress] == [
        (2, 3, "running"),
        (3, 3, "running"),
        (3, 3, "done"),
    ]
    figures = [pair for s in sent if s.event == "member.completion" for pair in s.data["figures"]]
    assert [mentor.pk, mentor.profile_completion] in figures
    assert {s.group for s in sent} == {admins}
    # The other organisation's members were not part of it.
    assert all(pair[0] != outsider_mentor.pk for pair in figures)

    # Delivered twice (at least once): the second finds nothing to claim and changes nothing.
    with capture_events() as sent:
        assert cr.completion_recalculate_run(run_id=run.pk) == "done"
    assert sent == []
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (RecalculationStatus.DONE, 3, 3)


def test_a_lost_recalculation_is_queued_again_and_resumes(admin, mentor, mentee):
    import datetime

    from django.utils import timezone

    run = CompletionRecalculation.objects.create(
        organisation_id=admin.organisation_id,
        started_by=admin,
        total=3,
        status=RecalculationStatus.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=10),
        done=1,
        last_id=admin.pk,
    )
    fresh = timezone.now()
    CompletionRecalculation.objects.filter(pk=run.pk).update(created_at=fresh)
    assert cr.completion_recalculation_sweep() == 1  # queued again (run at once in tests)
    run.refresh_from_db()
    assert run.status == RecalculationStatus.DONE
    assert run.done == 3  # resumed after the cursor: 1 + the two others
    # A running run with a live worker is left alone.
    CompletionRecalculation.objects.filter(pk=run.pk).update(
        status=RecalculationStatus.RUNNING, heartbeat_at=timezone.now()
    )
    assert cr.completion_recalculation_sweep() == 0
    assert cr.completion_recalculate_run(run_id=run.pk) == RecalculationStatus.RUNNING


def test_the_queued_job_runs_the_recalculation(admin, mentor, django_capture_on_commit_callbacks):
    """The test settings run django-q2 synchronously: the queued job runs on commit."""
    single(admin)
    with django_capture_on_commit_callbacks(execute=True):
        run = cr.completion_recalculate_start(actor=admin)
    run.refresh_from_db()
    assert run.status == RecalculationStatus.DONE and run.done == 2
    mentor.refresh_from_db()
    assert mentor.profile_completion == completion_compute([mentor])[mentor.pk]


def test_only_an_administrator_recalculates(mentor, outsider):
    with pytest.raises(DomainError):
        cr.completion_recalculate_start(actor=mentor)
    run = cr.completion_recalculate_start(actor=outsider)
    assert run.organisation_id == outsider.organisation_id and run.total == 1


# -- «Rappel pour compléter le profil» ----------------------------------------------------


def test_the_reminder_goes_to_active_mentors_and_mentees_below_n_of_this_program(
    org, admin, mentor, mentee, outsider_mentor
):
    User.objects.filter(pk=mentor.pk).update(profile_completion=80)
    User.objects.filter(pk=mentee.pk).update(profile_completion=30)
    User.objects.filter(pk=admin.pk).update(profile_completion=0)
    User.objects.filter(pk=outsider_mentor.pk).update(profile_completion=0)
    asleep = make_member(org, "sleepy@mentor.test", "Sam", "Sleep", Role.MENTEE)
    User.objects.filter(pk=asleep.pk).update(profile_completion=0, is_active=False)

    assert pr.profile_reminder_send(actor=admin, below="50") == 1
    log = EmailLog.objects.get()
    assert log.recipient_id == mentee.pk and log.message_key == "profile_reminder"
    assert "30" in log.body_text and "/profile/" in log.body_text
    assert log.subject.startswith("Complétez")  # Charlotte reads French
    entry = AuditEntry.objects.get(action="profile_reminder.send")
    assert entry.count == 1 and entry.details == {"below": 50}


@pytest.mark.parametrize("below", ["0", "101", "abc", "", None, "-5"])
def test_a_bad_percentage_sends_nothing(admin, mentee, below):
    with pytest.raises(DomainError, match="1 to 100"):
        pr.profile_reminder_send(actor=admin, below=below)
    assert not EmailLog.objects.exists() and not AuditEntry.objects.exists()


def test_nobody_below_the_percentage_sends_nothing(admin, mentee):
    User.objects.filter(pk=mentee.pk).update(profile_completion=90)
    with pytest.raises(DomainError, match="No active mentor"):
        pr.profile_reminder_send(actor=admin, below=50)
    assert not EmailLog.objects.exists() and not AuditEntry.objects.exists()


def test_the_reminder_is_for_this_programs_administrators(mentor, mentee, outsider):
    for actor in (mentor, outsider):
        with pytest.raises(DomainError):
            pr.profile_reminder_send(actor=actor, below=100)
    assert not EmailLog.objects.exists()
