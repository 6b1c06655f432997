"""The profile pages, «Gérer les champs personnalisés», «Recalculer valeur du profil» and
the profile reminder, through the real URLs."""

from __future__ import annotations

import pytest

from notifications.models import EmailLog
from programs import profile_fields as pf
from programs import profile_services as ps
from programs.models import (
    AuditEntry,
    CompletionRecalculation,
    FieldKind,
    ProfileField,
    ProfileFieldValue,
    User,
)

pytestmark = pytest.mark.django_db


def pronouns(admin, **extra) -> ProfileField:
    return pf.field_save(
        actor=admin,
        data=pf.FieldData(
            name_en="Preferred pronouns",
            name_fr="Votre pronom",
            description_en="How to address you",
            description_fr="Comment s'adresser à vous",
            kind=FieldKind.SINGLE,
            for_mentors=True,
            for_mentees=True,
            options=[("He/Him", "Il/Lui"), ("She/Her", "Elle")],
            **extra,
        ),
    )


def profile_post(member: User, **values) -> dict:
    data = {"form": "profile", "first_name": member.first_name, "last_name": member.last_name}
    data.update(values)
    return data


def counts() -> tuple[int, ...]:
    return (
        ProfileField.objects.count(),
        ProfileFieldValue.objects.count(),
        AuditEntry.objects.count(),
        EmailLog.objects.count(),
        CompletionRecalculation.objects.count(),
    )


# -- /profile/ -------------------------------------------------------------------------------


def test_a_french_member_reads_the_fields_in_french(client, admin, mentee):
    pronouns(admin)
    pf.field_save(  # no French name: the English one is shown
        actor=admin,
        data=pf.FieldData(
            name_en="Favourite tool", kind=FieldKind.TEXT, for_mentors=True, for_mentees=True
        ),
    )
    client.force_login(mentee)  # Charlotte reads French
    page = client.get("/profile/").content.decode()
    assert "Votre pronom" in page and "Comment s&#x27;adresser à vous" in page
    assert "Il/Lui" in page and "Preferred pronouns" not in page
    assert "Favourite tool" in page
    assert "Objectifs" in page  # a mentee's built-in field, in French


def test_a_member_saves_their_profile_and_sees_their_new_figure(client, admin, mentor):
    field = pronouns(admin, required=True)
    she = field.options[1]["id"]
    client.force_login(mentor)
    page = client.get("/profile/").content.decode()
    assert "Required" in page and 'name="custom_' in page
    response = client.post(
        "/profile/", profile_post(mentor, job_title="Chemist", **{f"custom_{field.pk}": she})
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.job_title == "Chemist" and mentor.profile_completion > 0
    assert ProfileFieldValue.objects.get(user=mentor).value == she
    assert f"{mentor.profile_completion}%" in client.get("/").content.decode()
    assert f"{mentor.profile_completion}%" in client.get("/profile/").content.decode()


@pytest.mark.parametrize(
    ("kind", "options", "bad"),
    [
        (FieldKind.SINGLE, [("A", "")], "forged-id"),
        (FieldKind.MULTIPLE, [("A", "")], "forged-id"),
        (FieldKind.DATE, [], "31/02/2026"),
        (FieldKind.YES_NO, [], "perhaps"),
    ],
)
def test_a_bad_value_is_shown_as_an_error_and_nothing_changes(
    client, admin, mentor, kind, options, bad
):
    field = pf.field_save(
        actor=admin,
        data=pf.FieldData(
            name_en="Q", kind=kind, for_mentors=True, for_mentees=True, options=options
        ),
    )
    client.force_login(mentor)
    before = counts()
    response = client.post(
        "/profile/", profile_post(mentor, city="Ottawa", **{f"custom_{field.pk}": bad})
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert counts() == before
    mentor.refresh_from_db()
    assert mentor.city == ""


def test_a_required_field_left_empty_is_refused(client, admin, mentor):
    field = pronouns(admin, required=True)
    client.force_login(mentor)
    before = counts()
    response = client.post(
        "/profile/", profile_post(mentor, city="Ottawa", **{f"custom_{field.pk}": ""})
    )
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    response = client.post("/profile/", profile_post(mentor, first_name=""))
    assert response.status_code == 200
    assert counts() == before
    mentor.refresh_from_db()
    assert mentor.city == "" and mentor.first_name == "Anna"


def test_administrators_fields_are_invisible_to_the_member_and_a_forged_post_changes_nothing(
    client, admin, mentor
):
    secret = pf.field_save(
        actor=admin,
        data=pf.FieldData(
            name_en="Caseworker notes", kind=FieldKind.TEXT, for_mentors=True,
            for_mentees=True, admin_only=True,
        ),
    )  # fmt: skip
    client.force_login(mentor)
    assert "Caseworker notes" not in client.get("/profile/").content.decode()
    client.post("/profile/", profile_post(mentor, **{f"custom_{secret.pk}": "I am great"}))
    assert not ProfileFieldValue.objects.exists()


def test_the_preferences_form_still_saves_language_and_zone(client, mentor):
    client.force_login(mentor)
    response = client.post("/profile/", {"language": "fr", "time_zone": "America/Vancouver"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert (mentor.language, mentor.time_zone) == ("fr", "America/Vancouver")


# -- the administrator's pages ------------------------------------------------------------------


def test_an_administrator_edits_every_field_of_a_member(admin_client, admin, mentor):
    secret = pf.field_save(
        actor=admin,
        data=pf.FieldData(
            name_en="Caseworker notes", kind=FieldKind.TEXT, for_mentors=True,
            for_mentees=True, admin_only=True, in_profile=False,
        ),
    )  # fmt: skip
    assert (
        f"/manage/members/{mentor.pk}/edit/"
        in admin_client.get(f"/manage/members/{mentor.pk}/").content.decode()
    )
    page = admin_client.get(f"/manage/members/{mentor.pk}/edit/").content.decode()
    assert "Caseworker notes" in page
    response = admin_client.post(
        f"/manage/members/{mentor.pk}/edit/",
        profile_post(mentor, company="ProLab", **{f"custom_{secret.pk}": "Doing well"}),
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.company == "ProLab"
    entry = AuditEntry.objects.get(action="member.edit")
    assert set(entry.details["fields"]) == {"company", "Caseworker notes"}


def test_adding_editing_moving_and_deleting_a_field(admin_client, admin, mentor):
    response = admin_client.post(
        "/manage/fields/new/",
        {
            "name_en": "Meeting hours", "name_fr": "Heures de réunion", "kind": "single",
            "options": "Mornings | Matins\nEvenings", "roles": "mentor", "in_profile": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    field = ProfileField.objects.get()
    assert field.options[0]["fr"] == "Matins" and field.options[1]["fr"] == ""
    assert (field.for_mentors, field.for_mentees, field.in_reports) == (True, False, False)
    listing = admin_client.get("/manage/fields/").content.decode()
    assert "Meeting hours" in listing and "Single choice" in listing
    assert "/manage/fields/" in admin_client.get("/manage/members/").content.decode()

    # Changing the type once answered is refused with a clear message.
    ps.profile_update(
        actor=mentor, member=mentor, builtin={}, custom={field.pk: field.options[0]["id"]}
    )
    before = counts()
    response = admin_client.post(
        f"/manage/fields/{field.pk}/",
        {"name_en": "Meeting hours", "kind": "text", "roles": "both"},
    )
    assert "its type cannot change" in response.content.decode()
    assert counts() == before

    # Removing the option in use asks first, and says how many answers go.
    data = {"name_en": "Meeting hours", "kind": "single", "options": "Evenings", "roles": "mentor"}
    response = admin_client.post(f"/manage/fields/{field.pk}/", data)
    assert (
        response.status_code == 200
        and "1 answer uses the options you removed" in response.content.decode()
    )
    assert counts() == before
    response = admin_client.post(f"/manage/fields/{field.pk}/", {**data, "confirm_removals": "on"})
    assert response.status_code == 302 and not ProfileFieldValue.objects.exists()

    # A field with no role is refused.
    before = counts()
    response = admin_client.post(f"/manage/fields/{field.pk}/", {**data, "roles": "nobody"})
    assert response.status_code == 200 and counts() == before

    other = pf.field_save(
        actor=admin,
        data=pf.FieldData(name_en="Other", kind="text", for_mentors=True, for_mentees=True),
    )
    assert (
        admin_client.post(f"/manage/fields/{other.pk}/move/", {"direction": "up"}).status_code
        == 302
    )
    assert list(ProfileField.objects.values_list("pk", flat=True)) == [other.pk, field.pk]
    assert admin_client.get(f"/manage/fields/{other.pk}/move/").status_code == 405

    page = admin_client.get(f"/manage/fields/{other.pk}/delete/").content.decode()
    assert "0 members' answers to this field will be deleted" in page
    assert admin_client.post(f"/manage/fields/{other.pk}/delete/").status_code == 302
    assert list(ProfileField.objects.values_list("pk", flat=True)) == [field.pk]


def test_the_members_page_shows_a_recalculation_under_way(admin_client, admin, other_org):
    page = admin_client.get("/manage/members/").content.decode()
    assert "data-recalculation" in page and "data-completion=" in page
    finished = CompletionRecalculation.objects.create(
        organisation_id=admin.organisation_id, total=5, done=5, status="done"
    )
    CompletionRecalculation.objects.create(organisation_id=other_org.pk, total=70, done=3)
    page = admin_client.get("/manage/members/").content.decode()
    assert "data-recalculation hidden" in page  # a finished run, another organisation's
    run = CompletionRecalculation.objects.create(
        organisation_id=admin.organisation_id, total=40, done=10
    )
    page = admin_client.get("/manage/members/").content.decode()
    assert "Profile completion values are being recalculated." in page
    assert f'data-job-id="{run.pk}"' in page and f'data-job-id="{finished.pk}"' not in page
    assert 'max="40" value="10"' in page


def test_recalculate_runs_and_answers_json(
    admin_client, admin, mentor, django_capture_on_commit_callbacks
):
    pronouns(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/manage/members/recalculate/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    run = CompletionRecalculation.objects.get()
    assert response.json() == {"id": run.pk, "done": 0, "total": 2, "state": "running"}
    assert run.status == "done"  # the test settings' worker is synchronous: run on commit
    assert AuditEntry.objects.filter(action="completion.recalculate").count() == 1
    assert admin_client.get("/manage/members/recalculate/").status_code == 405


def test_the_reminder_previews_then_sends(admin_client, admin, mentor, mentee):
    User.objects.filter(pk=mentor.pk).update(profile_completion=90)
    User.objects.filter(pk=mentee.pk).update(profile_completion=10)
    page = admin_client.get("/manage/members/reminder/?below=50").content.decode()
    assert 'data-reminder-count="1"' in page and "Charlotte" in page and "Anna" not in page
    assert EmailLog.objects.count() == 0
    response = admin_client.post("/manage/members/reminder/", {"below": "50"})
    assert response.status_code == 302
    assert list(EmailLog.objects.values_list("recipient_id", flat=True)) == [mentee.pk]


@pytest.mark.parametrize("below", ["0", "101", "ten", ""])
def test_a_bad_percentage_is_a_clear_error_and_sends_nothing(admin_client, mentee, below):
    before = counts()
    response = admin_client.post("/manage/members/reminder/", {"below": below})
    assert response.status_code == 200
    assert "Enter a percentage from 1 to 100." in response.content.decode()
    page = admin_client.get(f"/manage/members/reminder/?below={below}").content.decode()
    assert "Enter a percentage from 1 to 100." in page
    assert counts() == before


# -- tenancy ---------------------------------------------------------------------------------


def test_another_programs_administrator_gets_404_everywhere(outsider_client, admin, mentor):
    field = pronouns(admin)
    before = counts()
    for method, path, data in (
        ("get", f"/manage/members/{mentor.pk}/edit/", None),
        ("post", f"/manage/members/{mentor.pk}/edit/", profile_post(mentor, city="X")),
        ("get", f"/manage/fields/{field.pk}/", None),
        (
            "post",
            f"/manage/fields/{field.pk}/",
            {"name_en": "Mine", "kind": "text", "roles": "both"},
        ),
        ("get", f"/manage/fields/{field.pk}/delete/", None),
        ("post", f"/manage/fields/{field.pk}/delete/", {}),
        ("post", f"/manage/fields/{field.pk}/move/", {"direction": "down"}),
    ):
        response = getattr(outsider_client, method)(path, data or {})
        assert response.status_code == 404, path
    assert "Preferred pronouns" not in outsider_client.get("/manage/fields/").content.decode()
    # Their own recalculation and reminder touch only their program.
    outsider_client.post("/manage/members/recalculate/")
    assert CompletionRecalculation.objects.get().organisation_id != admin.organisation_id
    User.objects.filter(pk=mentor.pk).update(profile_completion=0)
    outsider_client.post("/manage/members/reminder/", {"below": "100"})
    assert EmailLog.objects.count() == 0
    mentor.refresh_from_db()
    assert mentor.city == ""
    assert counts()[:2] == before[:2]


def test_members_cannot_reach_the_administrators_pages(client, mentor, admin):
    field = pronouns(admin)
    client.force_login(mentor)
    for path in (
        "/manage/fields/",
        "/manage/fields/new/",
        f"/manage/fields/{field.pk}/",
        f"/manage/members/{mentor.pk}/edit/",
        "/manage/members/reminder/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/manage/members/recalculate/").status_code == 404
