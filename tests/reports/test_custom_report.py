"""«Rapport personnalisé»: the columns each administrator saves, written in the list's
order; another administrator's choice is theirs; unknown keys dropped or refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.audit import AuditAction
from programs.models import AuditEntry, FieldKind, ProfileField, Role
from reports.models import ReportColumnChoice
from tests.conftest import make_member
from tests.reports.helpers import read_csv

PICKER = reverse("web:report_custom")
DOWNLOAD = reverse("web:report_download", args=["custom"])


@pytest.fixture
def other_admin(org):
    return make_member(org, "paul@mentor.test", "Paul", "Second", Role.ADMINISTRATOR)


def test_picker_lists_every_column_and_custom_fields(admin_client, org):
    ProfileField.objects.create(organisation=org, name_en="T-shirt size", kind=FieldKind.TEXT)
    ProfileField.objects.create(
        organisation=org, name_en="Hidden", kind=FieldKind.TEXT, in_reports=False
    )
    page = admin_client.get(PICKER).content.decode()
    assert 'value="current_mentees"' in page and "T-shirt size" in page
    assert "Hidden" not in page
    assert "Please search here..." in page and "Select or deselect all" in page


def test_saved_columns_are_written_in_the_lists_order(admin_client, admin, mentor):
    response = admin_client.post(PICKER, {"columns": ["email", "first_name", "total_mentees"]})
    assert response.status_code == 302

    rows = read_csv(admin_client.get(DOWNLOAD))

    assert rows[0] == ["First name", "Email address", "Total mentees"]
    assert ["Anna", mentor.email, "0"] in rows
    entry = AuditEntry.objects.get(action=AuditAction.REPORT_EXPORT)
    assert entry.details["report"] == "custom"
    assert entry.details["columns"] == ["first_name", "email", "total_mentees"]
    assert AuditEntry.objects.filter(action=AuditAction.REPORT_COLUMNS).count() == 1


def test_choice_is_per_administrator(client, admin, other_admin):
    client.force_login(admin)
    client.post(PICKER, {"columns": ["email"]})
    client.force_login(other_admin)
    client.post(PICKER, {"columns": ["last_name", "role"]})

    assert read_csv(client.get(DOWNLOAD))[0] == ["Surname", "Relationship role"]
    client.force_login(admin)
    assert read_csv(client.get(DOWNLOAD))[0] == ["Email address"]


def test_nothing_saved_means_every_column(admin_client):
    header = read_csv(admin_client.get(DOWNLOAD))[0]
    assert header[0] == "Identifier" and header[-1] == "Surveys"


def test_unknown_keys_in_a_stored_choice_are_dropped(admin_client, admin):
    ReportColumnChoice.objects.create(user=admin, columns=["field_999", "city", 7, "nope"])
    assert read_csv(admin_client.get(DOWNLOAD))[0] == ["City"]


def test_posting_unknown_or_no_columns_changes_nothing(admin_client, admin):
    admin_client.post(PICKER, {"columns": ["city"]})
    for data in ({"columns": ["city", "password"]}, {}):
        response = admin_client.post(PICKER, data, follow=True)
        assert response.status_code == 200
        assert ReportColumnChoice.objects.get(user=admin).columns == ["city"]
    assert AuditEntry.objects.filter(action=AuditAction.REPORT_COLUMNS).count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Choose at least one column for your custom report."]


def test_custom_report_honours_the_filter(admin_client, org, admin, mentor, mentee):
    admin_client.post(PICKER, {"columns": ["email"]})
    rows = read_csv(admin_client.get(DOWNLOAD + "?role=mentor"))
    assert rows == [["Email address"], [mentor.email]]


def test_the_members_list_links_carry_its_filter(admin_client):
    page = admin_client.get(reverse("web:members") + "?q=anna&role=mentor").content.decode()
    assert f"{DOWNLOAD.replace('custom', 'members')}?q=anna&amp;role=mentor" in page
    assert f"{PICKER}?q=anna&amp;role=mentor" in page


def test_a_deleted_custom_field_drops_out(admin_client, admin, org):
    field = ProfileField.objects.create(organisation=org, name_en="Size", kind=FieldKind.TEXT)
    admin_client.post(PICKER, {"columns": ["email", f"field_{field.pk}"]})
    assert read_csv(admin_client.get(DOWNLOAD))[0] == ["Email address", "Size"]
    field.delete()
    assert read_csv(admin_client.get(DOWNLOAD))[0] == ["Email address"]


def test_reports_page_lists_the_prepared_reports(admin_client, mentor, django_assert_num_queries):
    # session, user with their organisation, the base layout's own; one count per report
    # (six); «Exporter tous les rapports»: the first relationship's year, the latest archives.
    with django_assert_num_queries(11):
        page = admin_client.get(reverse("web:reports")).content.decode()
    for title in (
        "Members report",
        "Relationships report",
        "Meetings per relationship",
        "Meetings per member",
    ):
        assert title in page
    assert "?format=xlsx" in page
    dashboard = admin_client.get(reverse("web:manage")).content.decode()
    assert reverse("web:reports") in dashboard
