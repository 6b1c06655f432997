"""The member import (programs.imports): files as Excel writes them, every bad file and bad
row refused with nothing written, custom fields, groups, and the job's idempotence."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db.models import Count
from django.utils import timezone

from notifications.models import EmailLog
from programs import imports
from programs.audit import AuditAction
from programs.completion import completion_compute
from programs.errors import DomainError
from programs.models import (
    AuditEntry,
    FieldKind,
    ImportStatus,
    MemberGroup,
    MemberImport,
    ProfileField,
    ProfileFieldValue,
    User,
)

HEADER_EN = ["First name", "Last name", "Email", "Role"]
HEADER_FR = ["Prénom", "Nom", "Courriel", "Rôle"]


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def written() -> tuple[int, ...]:
    """Everything an import may write."""
    return (
        User.objects.count(),
        ProfileFieldValue.objects.count(),
        MemberGroup.objects.count(),
        MemberImport.objects.count(),
        EmailLog.objects.count(),
        AuditEntry.objects.count(),
    )


def prepare(admin, content: bytes, name: str = "members.csv"):
    return imports.member_import_prepare(
        actor=admin, organisation=admin.organisation, file_name=name, content=content
    )


def apply(admin, content: bytes) -> MemberImport:
    check, member_import = prepare(admin, content)
    assert check.is_clean, check.all_problems
    assert member_import is not None
    imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
    imports.member_import_run(import_id=member_import.pk)
    member_import.refresh_from_db()
    return member_import


def messages_of(check) -> list[str]:
    return [problem.message for problem in check.all_problems]


@pytest.fixture
def fields(org) -> dict[str, ProfileField]:
    options = [
        {"id": "a", "en": "Health", "fr": "Santé"},
        {"id": "b", "en": "Finance", "fr": "Finances"},
        {"id": "c", "en": "Technology", "fr": "Technologie"},
    ]
    return {
        "single": ProfileField.objects.create(
            organisation=org,
            name_en="Industry",
            name_fr="Domaine",
            kind=FieldKind.SINGLE,
            options=options,
        ),
        "multiple": ProfileField.objects.create(
            organisation=org,
            name_en="Interests",
            name_fr="Intérêts",
            kind=FieldKind.MULTIPLE,
            options=options,
        ),
        "yes_no": ProfileField.objects.create(
            organisation=org, name_en="Newcomer", name_fr="Nouvel arrivant", kind=FieldKind.YES_NO
        ),
        "date": ProfileField.objects.create(
            organisation=org, name_en="Start date", name_fr="Date de début", kind=FieldKind.DATE
        ),
        "required": ProfileField.objects.create(
            organisation=org,
            name_en="School",
            name_fr="École",
            kind=FieldKind.TEXT,
            required=True,
            for_mentors=False,
        ),
    }


# Files as Excel writes them ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_excel_encodings_and_delimiters_are_read(admin, encoding, delimiter):
    rows = [
        [*HEADER_FR, "Langue", "Ville"],
        ["Éloïse", "Hébert", "eloise@example.com", "mentorée", "français", "Montréal"],
        ["Zoë", "Müller; Fils", "zoe@example.com", "Mentor", "anglais", "Québec, QC"],
    ]
    member_import = apply(admin, csv_bytes(rows, delimiter=delimiter, encoding=encoding))
    assert member_import.status == ImportStatus.DONE and member_import.created == 2
    eloise = User.objects.get(email="eloise@example.com")
    assert (eloise.first_name, eloise.last_name, eloise.role, eloise.language, eloise.city) == (
        "Éloïse",
        "Hébert",
        "mentee",
        "fr",
        "Montréal",
    )
    zoe = User.objects.get(email="zoe@example.com")
    assert (zoe.last_name, zoe.role, zoe.language, zoe.city) == (
        "Müller; Fils",
        "mentor",
        "en",
        "Québec, QC",
    )
    assert zoe.time_zone == "America/Toronto"  # the default when the file has no zone
    assert not zoe.has_usable_password()


def test_headers_in_english_and_french_ignore_case_and_spaces(admin):
    rows = [
        [
            "  FIRST NAME ",
            "nom",
            " E-mail",
            "ROLE",
            "Fuseau horaire",
            "Years of experience",
            "Maximum de mentorés",
            "LinkedIn",
        ],
        [
            "Anne",
            "Roy",
            "ANNE@Example.com",
            "mentor",
            "europe/paris",
            "12",
            "3",
            "https://www.linkedin.com/in/anne",
        ],
    ]
    apply(admin, csv_bytes(rows))
    anne = User.objects.get(email="anne@example.com")
    assert (anne.last_name, anne.time_zone, anne.years_of_experience, anne.max_mentees) == (
        "Roy",
        "Europe/Paris",
        12,
        3,
    )
    assert anne.linkedin == "https://www.linkedin.com/in/anne"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_sample_is_in_the_admins_language_and_imports_as_it_is(admin, fields, language):
    text = imports.sample_csv(organisation=admin.organisation, language=language)
    header, mentor_row, mentee_row = list(csv.reader(io.StringIO(text)))
    if language == "fr":
        assert header[:2] == ["Prénom", "Nom de famille"]
        assert "Domaine" in header and "École" in header
        assert mentee_row[3] == "mentoré"
    else:
        assert header[:4] == ["First name", "Last name", "Email", "Role"]
        assert "Industry" in header and "School" in header
    assert (mentor_row[3].lower(), mentee_row[1]) == ("mentor", "Example")
    member_import = apply(admin, text.encode())
    assert member_import.created == 2


# Bad files: one clear error, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00rest-of-a-zip", "Excel workbook"),
        (b"First name,Last name\x00\x00\x01", "binary data"),
        (b"", "empty"),
        (b"\r\n \r\n", "empty"),
        (b"First name,Last name,Email,Role\r\n,,,\r\n", "no members"),
        (b"\xff\xfe\x81\x8d bytes that are no text", "characters could not be read"),
    ],
)
def test_a_file_that_is_not_a_member_csv_is_refused(admin, content, message):
    before = written()
    check, member_import = prepare(admin, content)
    assert member_import is None
    assert len(check.problems) == 1 and message in check.problems[0].message
    assert written() == before


def test_missing_required_columns_are_named(admin):
    before = written()
    check, _ = prepare(admin, csv_bytes([["First name", "Courriel"], ["A", "a@example.com"]]))
    [problem] = check.problems
    assert problem.column == "Last name, Role"
    assert written() == before


def test_an_unknown_column_is_an_error_naming_it(admin):
    before = written()
    rows = [[*HEADER_EN, "Shoe size"], ["A", "B", "a@example.com", "mentor", "42"]]
    check, member_import = prepare(admin, csv_bytes(rows))
    assert member_import is None
    assert [(p.line, p.column, p.message) for p in check.problems] == [
        (1, "Shoe size", "Unknown column.")
    ]
    assert written() == before


def test_the_size_and_row_limits(admin, settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 2
    rows = [HEADER_EN] + [["A", "B", f"a{n}@example.com", "mentor"] for n in range(3)]
    before = written()
    check, _ = prepare(admin, csv_bytes(rows))
    assert "too many rows" in check.problems[0].message
    settings.MEMBER_IMPORT_MAX_BYTES = 10
    check, _ = prepare(admin, csv_bytes(rows[:2]))
    assert "too big" in check.problems[0].message
    assert written() == before


# Bad rows: every row checked, each error on its line, nothing written ----------------------


def test_every_bad_row_is_reported_on_its_line_and_nothing_is_written(
    admin, mentor, outsider, fields
):
    rows = [
        [
            *HEADER_EN,
            "Language",
            "Time zone",
            "Years of experience",
            "LinkedIn",
            "Industry",
            "Interests",
            "Newcomer",
            "Start date",
            "School",
        ],
        ["Ok", "Row", "ok@example.com", "mentor", "", "", "", "", "", "", "", "", ""],
        ["No", "Email", "", "mentor", "", "", "", "", "", "", "", "", ""],
        ["Bad", "Email", "not-an-address", "mentor", "", "", "", "", "", "", "", "", ""],
        ["Dup", "Licate", "OK@example.com", "mentor", "", "", "", "", "", "", "", "", ""],
        ["Anna", "Again", "anna@mentor.test", "mentor", "", "", "", "", "", "", "", "", ""],
        ["Oscar", "Else", "oscar@elsewhere.test", "mentor", "", "", "", "", "", "", "", "", ""],
        ["Who", "Knows", "role@example.com", "boss", "", "", "", "", "", "", "", "", ""],
        ["Bad", "Lang", "lang@example.com", "mentor", "de", "", "", "", "", "", "", "", ""],
        ["Bad", "Zone", "zone@example.com", "mentor", "", "Mars/Base", "", "", "", "", "", "", ""],
        ["Bad", "Num", "num@example.com", "mentor", "", "", "-3", "", "", "", "", "", ""],
        ["Bad", "Url", "url@example.com", "mentor", "", "", "", "linkedin", "", "", "", "", ""],
        ["Bad", "Opt", "opt@example.com", "mentor", "", "", "", "", "Sport", "", "", "", ""],
        [
            "Bad",
            "Multi",
            "multi@example.com",
            "mentor",
            "",
            "",
            "",
            "",
            "",
            "Santé|Golf",
            "",
            "",
            "",
        ],
        ["Bad", "Yes", "yes@example.com", "mentor", "", "", "", "", "", "", "maybe", "", ""],
        ["Bad", "Date", "date@example.com", "mentor", "", "", "", "", "", "", "", "15/01/2026", ""],
        ["No", "School", "school@example.com", "mentee", "", "", "", "", "", "", "", "", ""],
    ]
    before = written()
    check, member_import = prepare(admin, csv_bytes(rows))
    assert member_import is None
    found = {(p.line, p.column): p.message for p in check.all_problems}
    assert found == {
        (3, "Email"): "Required.",
        (4, "Email"): "A valid email address is required.",
        (5, "Email"): "This address is already on line 2 of the file.",
        (6, "Email"): "Already a member of this program.",
        # Never says which program: the address could be anyone's.
        (7, "Email"): "This address already has a Tandem account.",
        (8, "Role"): "Write mentor or mentee.",
        (9, "Language"): "Write en or fr.",
        (10, "Time zone"): "Unknown time zone (write a name such as America/Toronto).",
        (11, "Years of experience"): "Write a whole number, 0 or more.",
        (12, "LinkedIn"): "Write a full web address (https://…).",
        (13, "Industry"): "“Sport” is not one of this field's options.",
        (14, "Interests"): "“Golf” is not one of this field's options.",
        (15, "Newcomer"): "Write yes or no.",
        (16, "Start date"): "Write a date as YYYY-MM-DD.",
        (17, "School"): "Required for this role.",
    }
    assert [row.line for row in check.bad_rows] == list(range(3, 18))
    assert written() == before


def test_a_required_custom_field_without_a_column_is_required_for_its_role(admin, fields):
    rows = [
        HEADER_EN,
        ["A", "Mentor", "m@example.com", "mentor"],
        ["B", "Mentee", "e@example.com", "mentee"],
    ]
    check, _ = prepare(admin, csv_bytes(rows))
    assert [(p.line, p.column, p.message) for p in check.all_problems] == [
        (3, "School", "Required for this role.")
    ]


def test_the_french_headers_and_errors_are_french(admin):
    from django.utils import translation

    rows = [HEADER_FR, ["A", "B", "pas-une-adresse", "mentor"]]
    with translation.override("fr"):
        check = imports.member_import_check(
            organisation=admin.organisation, content=csv_bytes(rows)
        )
        [problem] = check.all_problems
        assert (problem.column, problem.message) == (
            "Courriel",
            "Une adresse courriel valide est requise.",
        )


# Custom fields, groups, completion ------------------------------------------------------------


def test_custom_fields_groups_and_completion_are_stored(admin, fields):
    MemberGroup.objects.create(organisation=admin.organisation, name="Cohort 2026")
    rows = [
        [*HEADER_EN, "Domaine", "Intérêts", "Newcomer", "Start date", "École", "Groups", "City"],
        [
            "Ana",
            "Lopez",
            "ana@example.com",
            "mentoré",
            "santé",
            "Finances | technology|Health",
            "oui",
            "2026-01-15",
            "McGill",
            "cohort 2026|Toronto East",
            "Montréal",
        ],
        ["Bo", "Chen", "bo@example.com", "mentor", "Finance", "", "0", "", "", "Toronto East", ""],
    ]
    before_groups = MemberGroup.objects.count()
    member_import = apply(admin, csv_bytes(rows))
    assert member_import.created == 2
    ana = User.objects.get(email="ana@example.com")
    values = dict(ana.field_values.values_list("field__name_en", "value"))
    assert values == {
        "Industry": "a",
        "Interests": ["b", "c", "a"],
        "Newcomer": True,
        "Start date": "2026-01-15",
        "School": "McGill",
    }
    bo = User.objects.get(email="bo@example.com")
    assert dict(bo.field_values.values_list("field__name_en", "value")) == {
        "Industry": "b",
        "Newcomer": False,
    }
    # An existing group is matched whatever its case; a new name makes a new group.
    assert MemberGroup.objects.count() == before_groups + 1
    assert sorted(ana.member_groups.values_list("name", flat=True)) == [
        "Cohort 2026",
        "Toronto East",
    ]
    assert list(bo.member_groups.values_list("name", flat=True)) == ["Toronto East"]
    # As services.member_create would have it: the completion computed the one way.
    figures = completion_compute([ana, bo])
    assert (ana.profile_completion, bo.profile_completion) == (figures[ana.pk], figures[bo.pk])
    assert ana.profile_completion > bo.profile_completion > 0


# Applying: idempotent, resumable, re-checked -------------------------------------------------


def emails_by_recipient() -> dict[str, int]:
    return dict(
        EmailLog.objects.filter(message_key="login_information")
        .values_list("to_email")
        .annotate(n=Count("pk"))
        .values_list("to_email", "n")
    )


def people(count: int) -> bytes:
    return csv_bytes(
        [HEADER_EN] + [[f"P{n}", "Person", f"p{n}@example.com", "mentee"] for n in range(count)]
    )


def test_the_job_run_twice_creates_and_emails_each_member_once(admin):
    member_import = apply(admin, people(5))
    again = imports.member_import_run(import_id=member_import.pk)
    assert again == ImportStatus.DONE
    assert User.objects.filter(email__startswith="p").count() == 5
    assert emails_by_recipient() == {f"p{n}@example.com": 1 for n in range(5)}
    [entry] = AuditEntry.objects.filter(action=AuditAction.MEMBER_IMPORT)
    assert (entry.count, entry.actor_id, entry.organisation_id) == (
        5,
        admin.pk,
        admin.organisation_id,
    )


def test_a_job_that_died_mid_way_resumes_after_its_last_batch(admin, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 2)
    check, member_import = prepare(admin, people(5))
    imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
    real = imports.batch_apply
    calls = []

    def dies_on_the_second_batch(locked, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(locked, rows)

    monkeypatch.setattr(imports, "batch_apply", dies_on_the_second_batch)
    with pytest.raises(RuntimeError):
        imports.member_import_run(import_id=member_import.pk)
    member_import.refresh_from_db()
    assert (member_import.status, member_import.done) == (ImportStatus.RUNNING, 2)
    assert len(emails_by_recipient()) == 2

    monkeypatch.setattr(imports, "batch_apply", real)
    assert imports.member_import_run(import_id=member_import.pk) == ImportStatus.DONE
    assert emails_by_recipient() == {f"p{n}@example.com": 1 for n in range(5)}
    member_import.refresh_from_db()
    assert (member_import.created, member_import.done, member_import.skipped) == (5, 5, [])


def test_an_address_taken_after_the_check_is_skipped_and_reported(admin, other_org):
    check, member_import = prepare(admin, people(3))
    User.objects.create_user(
        "P1@example.com", organisation=other_org, role="mentor", first_name="X", last_name="Y"
    )
    imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
    imports.member_import_run(import_id=member_import.pk)
    member_import.refresh_from_db()
    assert member_import.created == 2
    assert member_import.skipped == [{"line": 3, "email": "p1@example.com"}]
    assert User.objects.get(email__iexact="p1@example.com").organisation_id == other_org.pk
    assert set(emails_by_recipient()) == {"p0@example.com", "p2@example.com"}


def test_only_the_programs_administrators_may_import(admin, mentor, outsider):
    before = written()
    for actor in (mentor, outsider):
        with pytest.raises(DomainError):
            prepare(actor, people(1)) if actor is mentor else imports.member_import_prepare(
                actor=outsider,
                organisation=admin.organisation,
                file_name="x.csv",
                content=people(1),
            )
    assert written() == before


def test_confirming_twice_is_refused(admin):
    _, member_import = prepare(admin, people(1))
    imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
    with pytest.raises(DomainError):
        imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)


def test_the_sweeper_queues_an_import_whose_job_was_lost(admin, settings):
    _, member_import = prepare(admin, people(2))
    imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
    assert imports.member_import_sweep() == 0  # still within its grace period
    MemberImport.objects.filter(pk=member_import.pk).update(
        updated_at=timezone.now() - datetime.timedelta(seconds=settings.MEMBER_IMPORT_GRACE + 1)
    )
    # Jobs run in-process in the tests (Q_CLUSTER sync): the sweep runs it at once.
    assert imports.member_import_sweep() == 1
    member_import.refresh_from_db()
    assert (member_import.status, member_import.created) == (ImportStatus.DONE, 2)
    assert imports.member_import_sweep() == 0


def test_a_job_failing_again_and_again_gives_up(admin):
    _, member_import = prepare(admin, people(1))
    imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
    MemberImport.objects.filter(pk=member_import.pk).update(attempts=imports.MAX_ATTEMPTS)
    assert imports.member_import_run(import_id=member_import.pk) == ImportStatus.FAILED
    assert not User.objects.filter(email="p0@example.com").exists()


def test_login_information_turned_off_is_logged_as_not_sent(admin, org):
    from notifications.models import EmailStatus
    from tests.conftest import make_switched_off_message

    make_switched_off_message(org, "login_information")
    apply(admin, people(2))
    statuses = set(
        EmailLog.objects.filter(message_key="login_information").values_list("status", flat=True)
    )
    assert statuses == {EmailStatus.SUPPRESSED}
    assert EmailLog.objects.filter(message_key="login_information").count() == 2
