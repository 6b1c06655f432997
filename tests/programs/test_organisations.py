"""programs.organisations: staff create organisations with their first administrator;
administrators edit their own organisation and invite administrators. Every refusal
changes nothing (row counts), every change is audited with what changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from programs import organisations, services
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import AuditEntry, Organisation, Role, User
from tests.conftest import make_member

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user(
        "sam@tandem.test", "pw", first_name="Sam", last_name="Staff", is_staff=True
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def counts() -> tuple[int, int, int]:
    return Organisation.objects.count(), User.objects.count(), AuditEntry.objects.count()


def new_org(actor: User | None, **overrides: str) -> Organisation:
    values = {
        "name_en": "Northern Lights",
        "name_fr": "Aurores boréales",
        "slug": "northern-lights",
        "support_email": "help@northern.test",
        "first_name": "Nadia",
        "last_name": "North",
        "email": "nadia@northern.test",
        "language": "fr",
    } | overrides
    return organisations.organisation_create(actor=actor, **values)


# --- Creating an organisation ------------------------------------------------------------


def test_staff_create_an_organisation_and_its_first_administrator(staff):
    organisation = new_org(staff)
    administrator = User.objects.get(email="nadia@northern.test")
    assert administrator.organisation_id == organisation.pk
    assert administrator.role == Role.ADMINISTRATOR and administrator.language == "fr"
    assert not administrator.has_usable_password()
    assert organisation.support_email == "help@northern.test"
    assert organisation.default_language == "fr"
    entry = AuditEntry.objects.get(action=AuditAction.ORGANISATION_CREATE)
    assert entry.organisation_id == organisation.pk and entry.actor_id == staff.pk
    assert entry.details == {"slug": "northern-lights", "administrator": "nadia@northern.test"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "mentor-canada"}, "already taken"),
        ({"slug": "MENTOR-CANADA"}, "already taken"),
        ({"slug": "not a slug!"}, "short name"),
        ({"slug": ""}, "short name"),
        ({"email": "not-an-email"}, "valid email"),
        ({"support_email": "nope"}, "valid administrator email"),
        ({"email": "oscar@elsewhere.test"}, "already has a Tandem account"),
        ({"email": "ANNA@mentor.test"}, "already has a Tandem account"),
        ({"name_en": "  "}, "English name"),
        ({"first_name": ""}, "first name"),
        ({"language": "de"}, "Unknown language"),
    ],
)
def test_bad_input_creates_nothing(staff, org, mentor, outsider, overrides, message):
    before = counts()
    with pytest.raises(DomainError) as refused:
        new_org(staff, **overrides)
    assert message in str(refused.value.message)
    assert counts() == before


def test_a_taken_email_never_names_the_program_that_holds_it(staff, outsider):
    with pytest.raises(DomainError) as refused:
        new_org(staff, email=outsider.email)
    text = str(refused.value.message)
    assert "Elsewhere" not in text and "elsewhere" not in text


def test_only_staff_create_organisations(admin, mentor):
    before = counts()
    for actor in (admin, mentor):
        with pytest.raises(DomainError):
            new_org(actor)
    assert counts() == before


# --- manage.py org_create -----------------------------------------------------------------


def test_the_command_creates_the_organisation_and_records_its_source(db, capsys):
    call_command(
        "org_create",
        "--slug", "cmd-org", "--name-en", "Command Org", "--name-fr", "Org commande",
        "--admin-email", "help@cmd.test", "--first-name", "Cleo", "--last-name", "Command",
        "--email", "cleo@cmd.test", "--language", "fr",
    )  # fmt: skip
    organisation = Organisation.objects.get(slug="cmd-org")
    assert organisation.members.get().email == "cleo@cmd.test"
    entry = AuditEntry.objects.get(action=AuditAction.ORGANISATION_CREATE)
    assert entry.source == "manage.py org_create" and entry.actor_id is None
    assert "cmd-org" in capsys.readouterr().out


def test_the_command_refuses_a_taken_slug_with_exit_code_1(org, outsider):
    before = counts()
    with pytest.raises(CommandError) as refused:
        call_command(
            "org_create",
            "--slug", org.slug, "--name-en", "X", "--admin-email", "a@x.test",
            "--first-name", "A", "--last-name", "B", "--email", "new@x.test",
        )  # fmt: skip
    assert refused.value.returncode == 1 and "already taken" in str(refused.value)
    with pytest.raises(CommandError) as taken:
        call_command(
            "org_create",
            "--slug", "fresh", "--name-en", "X", "--admin-email", "a@x.test",
            "--first-name", "A", "--last-name", "B", "--email", outsider.email,
        )  # fmt: skip
    assert "already has a Tandem account" in str(taken.value)
    assert "Elsewhere" not in str(taken.value)
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_the_command_run_as_a_process_exits_1_on_bad_input_and_0_on_success(org):
    root = Path(__file__).resolve().parents[2]
    # The test database is the one this process uses: the child must write into it.
    from django.db import connection

    environment = os.environ | {
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            USER=connection.settings_dict["USER"] or "postgres",
            HOST=connection.settings_dict["HOST"] or "127.0.0.1",
            PORT=connection.settings_dict["PORT"] or 5432,
            NAME=connection.settings_dict["NAME"],
        ),
    }
    arguments = ["--name-en", "Proc", "--admin-email", "a@proc.test", "--first-name", "P",
                 "--last-name", "Q", "--email", "p@proc.test"]  # fmt: skip
    taken = subprocess.run(
        [sys.executable, "manage.py", "org_create", "--slug", org.slug, *arguments],
        cwd=root, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert taken.returncode == 1, taken.stderr
    assert "already taken" in taken.stderr
    assert not Organisation.objects.filter(name_en="Proc").exists()
    created = subprocess.run(
        [sys.executable, "manage.py", "org_create", "--slug", "proc", *arguments],
        cwd=root, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert Organisation.objects.get(slug="proc").members.get().email == "p@proc.test"


# --- An administrator's settings -------------------------------------------------------------


def test_an_administrator_edits_the_settings_and_each_change_is_audited(admin, org):
    organisations.organisation_update(
        actor=admin,
        organisation=org,
        name_fr="Mentorat Canada",
        default_language="fr",
        default_time_zone="America/Vancouver",
        allow_phone=False,
        video_url_template="https://video.example.org/room-{uid}",
    )
    org.refresh_from_db()
    assert org.name_fr == "Mentorat Canada" and not org.allow_phone
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_EDIT)
    assert entry.actor_id == admin.pk and entry.organisation_id == org.pk
    assert entry.details == {
        "name_fr": ["Mentor Canada", "Mentorat Canada"],
        "default_language": ["en", "fr"],
        "default_time_zone": ["America/Toronto", "America/Vancouver"],
        "allow_phone": [True, False],
        "video_url_template": [
            "https://meet.jit.si/tandem-{uid}",
            "https://video.example.org/room-{uid}",
        ],
    }


def test_saving_unchanged_settings_writes_no_entry(admin, org):
    organisations.organisation_update(actor=admin, organisation=org, name_en=org.name_en)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"allow_video": False, "allow_in_person": False, "allow_phone": False},
        {"video_url_template": "http://meet.example.org/{uid}"},
        {"video_url_template": "https://meet.example.org/room"},
        {"video_url_template": "javascript:alert(1)//{uid}"},
        {"video_url_template": "https://meet.example.org/{uid}/{name}"},
        {"support_email": "not an email"},
        {"name_en": ""},
        {"default_language": "de"},
        {"default_time_zone": "Mars/Olympus"},
        {"slug": "stolen"},
        {"notes_in_reports": True},
    ],
)
def test_bad_settings_change_nothing(admin, org, changes):
    before = {f.name: getattr(org, f.name) for f in Organisation._meta.concrete_fields}
    with pytest.raises(DomainError):
        organisations.organisation_update(actor=admin, organisation=org, **changes)
    org.refresh_from_db()
    assert {f.name: getattr(org, f.name) for f in Organisation._meta.concrete_fields} == before
    assert not AuditEntry.objects.exists()


def test_only_the_organisations_own_administrators_edit_it(org, outsider, mentor, staff):
    for actor in (outsider, mentor, staff):
        with pytest.raises(DomainError) as refused:
            organisations.organisation_update(actor=actor, organisation=org, name_en="Taken")
        assert refused.value.code in ("not_found", "forbidden")
    org.refresh_from_db()
    assert org.name_en == "Mentor Canada" and not AuditEntry.objects.exists()


def test_new_members_get_the_organisations_default_language_and_time_zone(admin, org):
    organisations.organisation_update(
        actor=admin, organisation=org, default_language="fr", default_time_zone="Europe/Paris"
    )
    org.refresh_from_db()
    member = services.member_create(
        organisation=org, email="n@x.test", first_name="N", last_name="X", role=Role.MENTEE
    )
    assert (member.language, member.time_zone) == ("fr", "Europe/Paris")
    chosen = services.member_create(
        organisation=org,
        email="m@x.test",
        first_name="M",
        last_name="X",
        role=Role.MENTOR,
        language="en",
        time_zone="America/Halifax",
    )
    assert (chosen.language, chosen.time_zone) == ("en", "America/Halifax")


# --- Visibility (staff only) ------------------------------------------------------------------


def test_staff_change_visibility_and_it_is_logged(staff, org):
    organisations.organisation_visibility_set(
        actor=staff, organisation=org, notes_in_reports=True, messages_in_reports=False
    )
    org.refresh_from_db()
    assert org.notes_in_reports and not org.messages_in_reports
    entry = AuditEntry.objects.get(action=AuditAction.VISIBILITY_EDIT)
    assert entry.details == {"notes_in_reports": [False, True]}
    assert entry.organisation_id == org.pk and entry.actor_id == staff.pk


def test_administrators_cannot_change_visibility(admin, org):
    with pytest.raises(DomainError):
        organisations.organisation_visibility_set(
            actor=admin, organisation=org, notes_in_reports=True, messages_in_reports=True
        )
    org.refresh_from_db()
    assert not org.notes_in_reports and not AuditEntry.objects.exists()


# --- The logo ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"), (SVG, None),
     (b"hello, I am text renamed .png", None), (b"RIFF\x00\x00\x00\x00WAVE", None), (b"", None)],
)  # fmt: skip
def test_the_logo_type_comes_from_its_magic_bytes(content, kind):
    assert organisations.logo_kind(content[:16]) == kind


def test_a_logo_is_stored_versioned_and_audited(admin, org, django_capture_on_commit_callbacks):
    organisations.organisation_logo_set(actor=admin, organisation=org, content=PNG)
    org.refresh_from_db()
    assert org.logo_version == 1 and org.logo_content_type == "image/png"
    assert org.logo.read() == PNG
    first = org.logo.name
    # The replaced file goes once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        organisations.organisation_logo_set(actor=admin, organisation=org, content=JPEG)
    org.refresh_from_db()
    assert org.logo_version == 2 and org.logo_content_type == "image/jpeg"
    assert org.logo.name.endswith(".jpg") and not org.logo.storage.exists(first)
    details = [e.details for e in AuditEntry.objects.order_by("pk")]
    assert details[0] == {"logo": [None, first]}
    assert details[1] == {"logo": [first, org.logo.name]}


@pytest.mark.parametrize(
    "content", [SVG, b"plain text", PNG + b"\x00" * organisations.LOGO_MAX_BYTES]
)
def test_a_bad_logo_changes_nothing(admin, org, content):
    with pytest.raises(DomainError):
        organisations.organisation_logo_set(actor=admin, organisation=org, content=content)
    org.refresh_from_db()
    assert not org.logo and org.logo_version == 0 and not AuditEntry.objects.exists()


def test_removing_the_logo(admin, org, django_capture_on_commit_callbacks):
    organisations.organisation_logo_set(actor=admin, organisation=org, content=PNG)
    org.refresh_from_db()
    name = org.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        organisations.organisation_logo_remove(actor=admin, organisation=org)
    org.refresh_from_db()
    assert not org.logo and not org.logo.storage.exists(name)
    assert organisations.logo_url(org) == ""
    assert AuditEntry.objects.order_by("-pk")[0].details == {"logo": [name, None]}


def test_an_outsider_cannot_set_another_organisations_logo(org, outsider):
    with pytest.raises(DomainError) as refused:
        organisations.organisation_logo_set(actor=outsider, organisation=org, content=PNG)
    assert refused.value.code == "not_found"
    org.refresh_from_db()
    assert not org.logo


# --- Inviting administrators -------------------------------------------------------------------


def test_an_administrator_invites_another(admin, org):
    invited = organisations.administrator_invite(
        actor=admin, first_name="Ada", last_name="Second", email="Ada@Mentor.test", language="en"
    )
    assert invited.organisation_id == org.pk and invited.role == Role.ADMINISTRATOR
    assert invited.email == "ada@mentor.test" and not invited.has_usable_password()
    entry = AuditEntry.objects.get(action=AuditAction.ADMIN_INVITE)
    assert entry.target_id == invited.pk and entry.details["email"] == "ada@mentor.test"


@pytest.mark.parametrize(
    "overrides",
    [
        {"email": "oscar@elsewhere.test"},
        {"email": "anna@mentor.test"},
        {"email": "bad"},
        {"first_name": " "},
        {"language": "xx"},
    ],
)
def test_a_bad_invitation_adds_nobody(admin, mentor, outsider, overrides):
    before = counts()
    values = {"first_name": "Ada", "last_name": "S", "email": "ada@x.test", "language": "en"}
    with pytest.raises(DomainError) as refused:
        organisations.administrator_invite(actor=admin, **(values | overrides))
    assert "Elsewhere" not in str(refused.value.message)
    assert counts() == before


def test_mentors_cannot_invite_administrators(mentor):
    before = counts()
    with pytest.raises(DomainError):
        organisations.administrator_invite(
            actor=mentor, first_name="A", last_name="B", email="a@b.test", language="en"
        )
    assert counts() == before


def test_organisation_list_counts_members_and_administrators(admin, mentor, mentee, outsider):
    def counted() -> dict[str, tuple[int, int]]:
        # The counts are annotations (vars(): the model class does not declare them).
        return {
            o.slug: (vars(o)["member_count"], vars(o)["administrator_count"])
            for o in organisations.organisation_list()
        }

    assert counted() == {"mentor-canada": (2, 1), "elsewhere": (0, 1)}
    make_member(outsider.organisation, "x@elsewhere.test", "X", "Y", Role.MENTEE)
    assert counted()["elsewhere"] == (1, 1)
