"""«Désactiver les membres» from a CSV file (programs.member_deactivation): files as Excel
writes them, every bad file and bad row refused with nothing changed, administrators and
other organisations untouched, the preview applied exactly, once."""

from __future__ import annotations

import pytest

from programs import member_deactivation as md
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import AuditEntry, MemberDeactivation, Role, User
from realtime.testing import capture_events
from tests.conftest import make_member


def rows_bytes(lines: list[str], *, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def active_count(org) -> int:
    return User.objects.filter(organisation=org, is_active=True).count()


def state(org) -> tuple[int, int, int]:
    """What a refused file must leave alone."""
    return (active_count(org), MemberDeactivation.objects.count(), AuditEntry.objects.count())


def prepare(admin, content: bytes, *, active: bool = False):
    return md.member_deactivation_prepare(
        actor=admin, file_name="leavers.csv", content=content, active=active
    )


@pytest.fixture
def cohort(org):
    """Two more mentees, one with an accented name (Windows-1252 must read it)."""
    return [
        make_member(org, "zoe@mentor.test", "Zoé", "Lefèvre", Role.MENTEE),
        make_member(org, "yan@mentor.test", "Yan", "Ng", Role.MENTEE),
    ]


ENCODINGS = [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")]


@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS, ids=["utf8", "utf8-bom", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_excel_files_in_three_encodings_and_two_delimiters(
    admin, mentor, cohort, encoding, bom, delimiter
):
    # A second, empty column is what Excel writes when a sheet had one: still one address.
    header = "Courriel" if delimiter == ";" else "EMAIL"
    lines = [f"{header}{delimiter}", f"Anna@Mentor.test{delimiter}", f"zoe@mentor.test{delimiter}"]
    content = bom + rows_bytes(lines, encoding=encoding)
    check, deactivation = prepare(admin, content)
    assert check.is_clean, [(r.line, r.error) for r in check.rows] + check.problems
    assert sorted(r.name for r in check.to_change) == ["Anna Carter", "Zoé Lefèvre"]
    changed = md.members_set_active_many(actor=admin, deactivation=deactivation)
    assert changed == 2
    mentor.refresh_from_db()
    assert not mentor.is_active and mentor.ended_at is not None
    assert User.objects.get(email="yan@mentor.test").is_active


def test_accented_french_header_is_accepted(admin, mentor):
    check, deactivation = prepare(admin, rows_bytes(["Adresse Courriél", "anna@mentor.test"]))
    assert check.is_clean and deactivation is not None


BAD_FILES = {
    "empty": (b"", "The file is empty."),
    "blank lines": (b"\r\n  \r\n", "The file is empty."),
    "header only": (rows_bytes(["email"]), "The file has a header line but no members."),
    "wrong header": (rows_bytes(["address", "anna@mentor.test"]), "“email” or “courriel”"),
    "two columns": (rows_bytes(["email,name", "anna@mentor.test,Anna"]), "“email”"),
    "xlsx": (b"PK\x03\x04" + b"\x00" * 40, "Excel workbook"),
    "binary": (b"email\r\n\x00\x01\x02", "binary"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_changes_nothing(admin, mentor, mentee, kind):
    content, words = BAD_FILES[kind]
    before = state(admin.organisation)
    check, deactivation = prepare(admin, content)
    assert deactivation is None and not check.is_clean
    assert any(words in problem for problem in check.problems), check.problems
    assert state(admin.organisation) == before


def test_a_file_over_the_size_limit_is_refused(admin, mentor, settings):
    settings.MEMBER_IMPORT_MAX_BYTES = 100
    before = state(admin.organisation)
    check, deactivation = prepare(admin, rows_bytes(["email"] + ["anna@mentor.test"] * 20))
    assert deactivation is None
    assert "too big" in check.problems[0]
    assert state(admin.organisation) == before


def test_every_row_error_is_listed_and_nothing_changes(
    admin, mentor, mentee, outsider_mentor, cohort
):
    lines = [
        "email",
        "anna@mentor.test",  # 2: fine
        "not-an-address",  # 3
        "ANNA@mentor.test",  # 4: duplicate, whatever the case
        "olive@elsewhere.test",  # 5: another program's member
        "nobody@mentor.test",  # 6: nobody
        "michele@mentor.test",  # 7: the actor, an administrator
        "zoe@mentor.test",  # 8: fine
    ]
    other_admin = make_member(admin.organisation, "ada@mentor.test", "Ada", "Admin", "admin")
    lines.append(other_admin.email)  # 9: an administrator
    before = state(admin.organisation)
    outsiders_active = active_count(outsider_mentor.organisation)
    check, deactivation = prepare(admin, rows_bytes(lines))
    assert deactivation is None
    errors = {row.line: row.error for row in check.bad_rows}
    assert set(errors) == {3, 4, 5, 6, 7, 9}
    assert "valid address" in errors[3]
    assert "line 2" in errors[4]
    # Another program's member reads exactly like nobody: nothing about other programs.
    assert errors[5] == errors[6] == "No member of this program has this address."
    assert "administrator" in errors[7] and "administrator" in errors[9]
    assert state(admin.organisation) == before
    assert active_count(outsider_mentor.organisation) == outsiders_active


def test_own_account_refused_when_not_an_administrator(admin, mentor):
    # The service's own guard (an administrator's row is refused first): a mentor-actor
    # cannot even prepare a file.
    with pytest.raises(DomainError) as refused:
        prepare(mentor, rows_bytes(["email", "anna@mentor.test"]))
    assert refused.value.code == "forbidden"


def test_already_inactive_is_a_notice_not_an_error(admin, mentor, mentee):
    mentor.is_active = False
    mentor.save()
    check, deactivation = prepare(admin, rows_bytes(["email", mentor.email, mentee.email]))
    assert check.is_clean
    assert [row.notice for row in check.unchanged] == ["Already deactivated."]
    assert deactivation.member_ids == [mentee.pk]
    assert deactivation.unchanged == [mentor.email]


def test_outsider_cannot_apply_another_organisations_preview(admin, mentor, outsider):
    _check, deactivation = prepare(admin, rows_bytes(["email", mentor.email]))
    with pytest.raises(DomainError) as refused:
        md.members_set_active_many(actor=outsider, deactivation=deactivation)
    assert refused.value.code == "not_found"
    with pytest.raises(DomainError):
        md.deactivation_get(actor=outsider, deactivation_id=deactivation.pk)
    mentor.refresh_from_db()
    assert mentor.is_active


def test_the_update_itself_never_touches_an_administrator_or_an_outsider(
    admin, mentor, outsider_mentor
):
    """Whatever was stored (a tampered row), the UPDATE keeps to this organisation's
    mentors and mentees."""
    other_admin = make_member(admin.organisation, "ada@mentor.test", "Ada", "Admin", "admin")
    _check, deactivation = prepare(admin, rows_bytes(["email", mentor.email]))
    MemberDeactivation.objects.filter(pk=deactivation.pk).update(
        member_ids=[mentor.pk, other_admin.pk, admin.pk, outsider_mentor.pk]
    )
    deactivation.refresh_from_db()
    assert md.members_set_active_many(actor=admin, deactivation=deactivation) == 1
    assert User.objects.get(pk=other_admin.pk).is_active
    assert User.objects.get(pk=admin.pk).is_active
    assert User.objects.get(pk=outsider_mentor.pk).is_active


def test_preview_is_what_is_applied_once(
    admin, mentor, mentee, cohort, django_capture_on_commit_callbacks
):
    emails = [mentor.email, cohort[0].email]
    check, deactivation = prepare(admin, rows_bytes(["email", *emails]))
    previewed = sorted(row.member_id for row in check.to_change)
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        md.members_set_active_many(actor=admin, deactivation=deactivation)
    now_inactive = sorted(
        User.objects.filter(organisation=admin.organisation, is_active=False).values_list(
            "pk", flat=True
        )
    )
    assert now_inactive == previewed == sorted(deactivation.member_ids)
    entry = AuditEntry.objects.get(action=AuditAction.MEMBERS_DEACTIVATE)
    assert entry.count == 2 and sorted(entry.details["emails"]) == sorted(emails)
    # One event carrying every id for the administrators' lists; each person's sockets closed.
    listed = [s for s in sent if s.event == "members.updated"]
    assert len(listed) == 1
    assert listed[0].group == f"org.{admin.organisation_id}.admins"
    assert sorted(listed[0].data["ids"]) == previewed and listed[0].data["active"] is False
    closed = sorted(s.group for s in sent if s.event == "sockets.close")
    assert closed == sorted(f"user.{pk}" for pk in previewed)
    # Confirming again changes nothing and writes nothing.
    with pytest.raises(DomainError):
        md.members_set_active_many(actor=admin, deactivation=deactivation)
    assert AuditEntry.objects.filter(action=AuditAction.MEMBERS_DEACTIVATE).count() == 1


def test_reactivation_by_the_same_path(admin, mentor, mentee):
    for person in (mentor, mentee):
        person.is_active = False
        person.save()
    check, deactivation = prepare(admin, rows_bytes(["email", mentor.email]), active=True)
    assert check.is_clean
    assert md.members_set_active_many(actor=admin, deactivation=deactivation) == 1
    mentor.refresh_from_db()
    assert mentor.is_active and mentor.ended_at is None
    assert not User.objects.get(pk=mentee.pk).is_active
    assert AuditEntry.objects.filter(action=AuditAction.MEMBERS_REACTIVATE, count=1).exists()


def test_the_sample_file_is_accepted_as_it_is(admin):
    for language in ("en", "fr"):
        content = md.sample_csv(language=language).encode()
        check, _deactivation = prepare(admin, content)
        # Its example addresses belong to nobody here: only that row error, no file error.
        assert not check.problems
        assert {row.error for row in check.rows} == {"No member of this program has this address."}


def test_a_row_with_a_second_value_is_an_error(admin, mentor, mentee):
    before = state(admin.organisation)
    check, deactivation = prepare(
        admin, rows_bytes(["email;", "anna@mentor.test;Anna", mentee.email])
    )
    assert deactivation is None
    assert [(row.line, "more than one column" in row.error) for row in check.bad_rows] == [
        (2, True)
    ]
    assert state(admin.organisation) == before
