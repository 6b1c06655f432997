"""«Journal d'audit»: this organisation's entries only, newest first, filtered, paged."""

from __future__ import annotations

import zoneinfo
from html import unescape

import pytest
from django.utils import timezone

from programs.audit import AUDIT_PAGE, AuditAction, audit_record, audit_source


def test_only_this_organisations_entries_newest_first(admin_client, admin, mentor, outsider):
    first = audit_record(
        actor=admin, organisation_id=admin.organisation_id, action=AuditAction.MEMBER_ADD,
        target=mentor, details={"role": "mentor", "groups": ["A", "B"]},
    )  # fmt: skip
    with audit_source("203.0.113.9"):
        second = audit_record(
            actor=admin, organisation_id=admin.organisation_id,
            action=AuditAction.INVITATION_LINK, target_label="Mentor",
            details={"role": "mentor", "active": False},
        )  # fmt: skip
    audit_record(
        actor=outsider, organisation_id=outsider.organisation_id,
        action=AuditAction.MEMBER_DEACTIVATE, target_label="Their member",
    )  # fmt: skip
    page = admin_client.get("/manage/audit/", HTTP_ACCEPT_LANGUAGE="en")
    text = unescape(page.content.decode())
    assert page.status_code == 200
    ids = [int(chunk.split('"')[0]) for chunk in text.split('data-audit-entry="')[1:]]
    assert ids == [second.pk, first.pk]
    assert "Their member" not in text and "Oscar" not in text
    assert "Invitation link changed" in text and "Member added" in text
    assert "Role: Mentor; Active: No" in text and "Groups: A, B" in text
    assert "203.0.113.9" in text and f'href="/manage/members/{mentor.pk}/"' in text
    for heading in ("When", "Who", "What", "Target", "How many", "Details", "From where"):
        assert f"<th>{heading}</th>" in text or f">{heading}</th>" in text


def test_times_are_shown_on_the_viewers_clock(client, admin):
    admin.time_zone = "Asia/Tokyo"
    admin.save(update_fields=["time_zone"])
    client.force_login(admin)
    made = audit_record(
        actor=admin, organisation_id=admin.organisation_id, action=AuditAction.MEMBER_ADD
    )
    tokyo = made.at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    text = client.get("/manage/audit/").content.decode()
    shown = text.split('<time datetime="')[1].split('"')[0]
    assert shown.startswith(tokyo.strftime("%Y-%m-%dT%H:%M:%S")) and shown.endswith("+09:00")


def test_filters_by_action_actor_and_dates(admin_client, admin, org):
    from tests.conftest import make_member

    other_admin = make_member(org, "zoe@mentor.test", "Zoé", "Second", "admin")
    audit_record(
        actor=admin, organisation_id=org.pk, action=AuditAction.MEMBER_ADD, target_label="T1"
    )
    audit_record(
        actor=other_admin, organisation_id=org.pk, action=AuditAction.MEMBER_ROLE, target_label="T2"
    )

    def shown(query: str) -> list[str]:
        text = admin_client.get(f"/manage/audit/?{query}").content.decode()
        return [label for label in ("T1", "T2") if f">{label}<" in text]

    assert shown("") == ["T1", "T2"]
    assert shown("action=member.role") == ["T2"]
    assert shown("actor=zo") == ["T2"]
    assert shown("actor=Michele+Mantero") == ["T1"]
    today = timezone.localdate().isoformat()
    assert shown(f"start={today}&end={today}") == ["T1", "T2"]
    assert shown("end=2000-01-01") == []


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("start=2026-13-45", "Enter a valid date"),
        ("start=2026-03-02&end=2026-03-01", "The start date must be on or before the end date"),
        ("action=nonsense", "Select a valid choice"),
    ],
)
def test_bad_filters_get_a_clear_error(admin_client, admin, query, error):
    audit_record(actor=admin, organisation_id=admin.organisation_id, action=AuditAction.MEMBER_ADD)
    page = admin_client.get(f"/manage/audit/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and error in text and 'role="alert"' in text
    assert "data-audit-entry=" not in text


def test_keyset_pages_follow_on_without_gaps_or_repeats(
    admin_client, admin, django_assert_max_num_queries
):
    made = [
        audit_record(
            actor=admin, organisation_id=admin.organisation_id, action=AuditAction.MEMBER_ADD
        )
        for _ in range(AUDIT_PAGE + 5)
    ]
    seen: list[int] = []
    url = "/manage/audit/?action=member.add"
    for _ in range(3):
        with django_assert_max_num_queries(8):
            text = admin_client.get(url).content.decode()
        seen += [int(chunk.split('"')[0]) for chunk in text.split('data-audit-entry="')[1:]]
        if 'rel="next"' not in text:
            break
        url = (
            "/manage/audit/"
            + unescape(text.split('rel="next"')[0].rsplit('href="', 1)[1]).split('"')[0]
        )
    assert seen == sorted((e.pk for e in made), reverse=True)
    # A garbled cursor starts again at the top rather than failing.
    assert admin_client.get("/manage/audit/?after=garbage").status_code == 200


def test_mentors_are_refused_and_the_menu_links_the_page(client, admin_client, mentor):
    text = admin_client.get("/manage/").content.decode()
    assert 'data-nav="audit_log"' in text and 'href="/manage/audit/"' in text
    client.force_login(mentor)
    assert client.get("/manage/audit/").status_code == 404
