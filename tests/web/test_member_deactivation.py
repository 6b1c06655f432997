"""The cohort pages (web/views/cohort.py): «Désactiver les membres» upload, preview and
confirm; «Terminer toutes les relations»; «Supprimer un membre définitivement». Every
page is a 404 to another organisation's administrator."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programs import member_deactivation, relationships_end_all
from programs.models import MemberDeactivation, Relationship, RelationshipStatus, User
from tests.conftest import make_member


def upload(client, text: str, *, action: str = "deactivate", encoding: str = "utf-8"):
    file = SimpleUploadedFile("leavers.csv", text.encode(encoding), content_type="text/csv")
    return client.post("/manage/members/deactivate/", {"action": action, "file": file})


def test_members_list_links_to_the_page(admin_client):
    page = admin_client.get("/manage/members/").content.decode()
    assert 'href="/manage/members/deactivate/"' in page


def test_sample_downloads_in_the_administrators_language(admin_client):
    response = admin_client.get("/manage/members/deactivate/sample.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").splitlines()[0] == "email"
    response = admin_client.get(
        "/manage/members/deactivate/sample.csv", HTTP_ACCEPT_LANGUAGE="fr", headers={}
    )
    assert response.status_code == 200


def test_upload_preview_confirm(admin_client, admin, mentor, mentee, django_assert_num_queries):
    response = upload(admin_client, "courriel\r\nanna@mentor.test\r\ncharlotte@mentor.test\r\n")
    assert response.status_code == 302
    deactivation = MemberDeactivation.objects.get()
    assert response["Location"] == f"/manage/members/deactivate/{deactivation.pk}/"
    # Nothing changed before «Confirmer».
    assert User.objects.filter(is_active=False).count() == 0
    with django_assert_num_queries(6):  # the organisation comes with the administrator
        preview = admin_client.get(response["Location"])
    html = preview.content.decode()
    assert "Anna Carter" in html and "Charlotte Test" in html
    assert "2 members will be deactivated" in html
    done = admin_client.post(f"/manage/members/deactivate/{deactivation.pk}/confirm/")
    assert done.status_code == 302 and done["Location"] == "/manage/members/"
    assert set(User.objects.filter(is_active=False).values_list("email", flat=True)) == {
        "anna@mentor.test",
        "charlotte@mentor.test",
    }
    # A second confirmation (a double click, the back button): refused, nothing more.
    again = admin_client.post(f"/manage/members/deactivate/{deactivation.pk}/confirm/", follow=True)
    assert "already been applied" in again.content.decode()
    assert "2 members were deactivated" in admin_client.get(response["Location"]).content.decode()


def test_bad_rows_shown_and_nothing_changed(admin_client, admin, mentor):
    response = upload(admin_client, "email\r\nanna@mentor.test\r\nnope\r\nmichele@mentor.test\r\n")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was changed" in html and "2 rows have errors" in html
    assert "This is not a valid address." in html and "administrators cannot be deactivated" in html
    assert MemberDeactivation.objects.count() == 0
    assert User.objects.filter(is_active=False).count() == 0


def test_a_workbook_is_refused_with_its_reason(admin_client, mentor):
    file = SimpleUploadedFile("leavers.xlsx", b"PK\x03\x04rest", content_type="application/zip")
    response = admin_client.post(
        "/manage/members/deactivate/", {"action": "deactivate", "file": file}
    )
    assert response.status_code == 400
    assert "Excel workbook" in response.content.decode()


def test_reactivate_choice(admin_client, mentor):
    mentor.is_active = False
    mentor.save()
    response = upload(admin_client, "email\r\nanna@mentor.test\r\n", action="reactivate")
    deactivation = MemberDeactivation.objects.get()
    assert deactivation.active
    assert "1 member will be reactivated" in admin_client.get(response["Location"]).content.decode()
    admin_client.post(f"/manage/members/deactivate/{deactivation.pk}/confirm/")
    mentor.refresh_from_db()
    assert mentor.is_active


@pytest.fixture
def their_things(outsider, outsider_mentor, other_org):
    """Another organisation's preview, relationship ending and member."""
    mentee = make_member(other_org, "x@elsewhere.test", "X", "Y", "mentee")
    _check, deactivation = member_deactivation.member_deactivation_prepare(
        actor=outsider,
        file_name="f.csv",
        content=b"email\r\nolive@elsewhere.test\r\n",
        active=False,
    )
    from programs import services

    services.relationship_match(actor=outsider, mentor=outsider_mentor, mentee=mentee)
    ending = relationships_end_all.relationships_end_prepare(actor=outsider)
    return deactivation, ending, outsider_mentor


def test_another_organisations_ids_are_not_found(admin_client, their_things):
    deactivation, ending, member = their_things
    for url in (
        f"/manage/members/deactivate/{deactivation.pk}/",
        f"/manage/relationships/end-all/{ending.pk}/",
        f"/manage/members/{member.pk}/delete/",
    ):
        assert admin_client.get(url).status_code == 404, url
    for url in (
        f"/manage/members/deactivate/{deactivation.pk}/confirm/",
        f"/manage/relationships/end-all/{ending.pk}/confirm/",
        f"/manage/members/{member.pk}/delete/",
    ):
        assert admin_client.post(url, {"confirmation": "Elsewhere Mentoring"}).status_code == 404
    member.refresh_from_db()
    assert member.is_active and member.deleted_at is None
    assert Relationship.objects.filter(status=RelationshipStatus.MATCHED).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/manage/members/deactivate/",
        "/manage/members/deactivate/sample.csv",
    ],
)
def test_pages_are_for_administrators_only(client, mentor, url):
    client.force_login(mentor)
    assert client.get(url).status_code == 404


def test_end_all_relationships_from_the_relationships_page(admin_client, admin, relationship):
    page = admin_client.get("/manage/relationships/?q=Anna").content.decode()
    assert 'action="/manage/relationships/end-all/"' in page
    response = admin_client.post("/manage/relationships/end-all/", {"q": "Anna"})
    assert response.status_code == 302
    preview = admin_client.get(response["Location"]).content.decode()
    assert "1 relationship will end" in preview and "Anna Carter" in preview
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.MATCHED
    confirm = response["Location"] + "confirm/"
    done = admin_client.post(confirm, follow=True).content.decode()
    assert "1 relationship ended." in done
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.COMPLETED


def test_delete_page_states_what_goes_and_needs_the_name(admin_client, mentee):
    page = admin_client.get(f"/manage/members/{mentee.pk}/").content.decode()
    assert f'href="/manage/members/{mentee.pk}/delete/"' in page
    page = admin_client.get(f"/manage/members/{mentee.pk}/delete/").content.decode()
    assert "What is removed, for good" in page and "Mentor Canada" in page
    wrong = admin_client.post(f"/manage/members/{mentee.pk}/delete/", {"confirmation": "x"})
    assert wrong.status_code == 400 and "Type the program" in wrong.content.decode()
    assert User.objects.get(pk=mentee.pk).deleted_at is None
    done = admin_client.post(
        f"/manage/members/{mentee.pk}/delete/", {"confirmation": "Mentor Canada"}
    )
    assert done.status_code == 302
    assert User.objects.get(pk=mentee.pk).deleted_at is not None


def test_delete_page_refuses_an_administrator_even_when_posted(admin_client, org):
    other = make_member(org, "ada@mentor.test", "Ada", "Admin", "admin")
    page = admin_client.get(f"/manage/members/{other.pk}/delete/").content.decode()
    assert "An administrator can never be deleted." in page and "data-delete-confirm" not in page
    response = admin_client.post(
        f"/manage/members/{other.pk}/delete/", {"confirmation": "Mentor Canada"}
    )
    assert response.status_code == 400
    assert User.objects.get(pk=other.pk).deleted_at is None


def test_french_sample_is_headed_courriel(admin_client, admin):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    response = admin_client.get("/manage/members/deactivate/sample.csv", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.content.decode("utf-8-sig").splitlines()[0] == "courriel"


def test_french_preview_and_errors(admin_client, admin, mentor, mentee):
    """Needs the French catalogue merged from /work/briefs/fr_cohort.json."""
    admin.language = "fr"
    admin.save(update_fields=["language"])
    bad = upload(admin_client, "courriel\r\nnope\r\nanna@mentor.test\r\nanna@mentor.test\r\n")
    html = unescape(bad.content.decode())
    assert "Rien n'a été modifié" in html
    assert "Cette adresse n'est pas valide." in html
    assert "Cette adresse figure déjà à la ligne 3." in html
    response = upload(admin_client, "courriel\r\nanna@mentor.test\r\ncharlotte@mentor.test\r\n")
    preview = admin_client.get(response["Location"]).content.decode()
    assert "2 membres seront désactivés et déconnectés" in preview
    assert "Confirmer" in preview


def test_end_all_preview_pages_in_constant_queries(
    admin_client, admin, org, django_assert_num_queries
):
    from programs import services

    for i in range(60):
        mentor = make_member(org, f"m{i}@mentor.test", f"M{i}", "Zed", "mentor")
        mentee = make_member(org, f"e{i}@mentor.test", f"E{i}", "Zed", "mentee")
        services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
    location = admin_client.post("/manage/relationships/end-all/")["Location"]
    with django_assert_num_queries(5):
        first = admin_client.get(location).content.decode()
    assert "60 relationships will end" in first and "Page 1 of 2" in first
    with django_assert_num_queries(5):
        second = admin_client.get(location + "?page=2").content.decode()
    assert second.count("data-relationship=") == 10
